#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pmctl::core {

/// One key of PM2's ecosystem app object (reference §3.2) and the other keys PM2 reads as it.
struct FieldSpec {
  std::string_view name;
  std::vector<std::string_view> aliases;  ///< PM2's aliases; camelCase forms are added to these.
};

/// Every app field pmctl knows, in the order of the reference. `env_<name>` sections are not in
/// it: their names are the user's.
const std::vector<FieldSpec>& field_table();

/// PM2's automatic alias of a snake_case key: `max_memory_restart` -> `maxMemoryRestart`.
std::string camel_case(std::string_view snake);

}  // namespace pmctl::core
