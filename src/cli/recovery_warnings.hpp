#pragma once

#include <functional>

#include "core/state/registry.hpp"
#include "core/types/manager.hpp"

namespace pmctl::cli {

/// The registry's Live sources (core/lifecycle/recovery) with the warnings the CLI prints,
/// each once per command, when the apps come from somewhere other than registry.json.
core::Registry::Live recovery_sources(const core::Registry& registry,
                                      const std::function<core::Manager&()>& manager);

}  // namespace pmctl::cli
