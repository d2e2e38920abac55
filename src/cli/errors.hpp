#pragma once

#include <string>

#include "core/types/manager.hpp"
#include "core/types/scope.hpp"

namespace pmctl::cli {

struct Translated {
  std::string what;
  std::string hint;
};

/// The one table that turns service-manager errors into what a user can act on; the hints name
/// commands that work for a caller of `scope` (never "use --user" to one who did).
Translated translate(const core::ManagerError& error, core::Scope scope);

}  // namespace pmctl::cli
