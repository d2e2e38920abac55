#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/model/app_record.hpp"

namespace pmctl::core {

/// PM2's target resolution for stop/restart/delete/logs, in PM2's order: `all`; `/regex/` on
/// names; a non-numeric word matches names or script paths (resolved against `cwd`), else a
/// namespace; a number is an id (names and namespaces of digits only are refused, so a number
/// means one thing). Several targets are resolved one after another; the result is the ids in
/// order, without duplicates. Throws core::Error ("no app or namespace named 'x'", "invalid app
/// name or namespace 'a b': …", "no app with id 7", "no apps registered").
std::vector<int> resolve_targets(const RegistryData& reg, const std::vector<std::string>& targets,
                                 std::string_view cwd);

/// `show`/`describe`: an exact id (a number) or an exact name only.
std::vector<int> resolve_exact(const RegistryData& reg, std::string_view target);

}  // namespace pmctl::core
