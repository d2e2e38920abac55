#pragma once

#include <string>

#include "core/types/manager.hpp"

namespace pmctl::cli {

struct Translated {
  std::string what;
  std::string hint;
};

/// The one table that turns service-manager errors into what a user can act on.
Translated translate(const core::ManagerError& error);

}  // namespace pmctl::cli
