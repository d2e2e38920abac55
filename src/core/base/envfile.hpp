#pragma once

#include <map>
#include <string>
#include <string_view>

namespace pmctl::core {

/// A name systemd accepts in an environment file: [A-Za-z_][A-Za-z0-9_]*.
bool valid_env_name(std::string_view name);

/// A value systemd accepts: valid UTF-8 by systemd's rules (no surrogates, no noncharacters such
/// as U+FFFE) and no NUL. systemd 252 refuses a whole environment file for one invalid value.
bool valid_env_value(std::string_view value);

/// Renders `env` in systemd's EnvironmentFile= syntax so that every value reaches the app
/// byte for byte (quotes, `$`, backslashes, newlines, trailing spaces). Entries that systemd would
/// reject (see valid_env_name, valid_env_value) are skipped.
std::string render_environment_file(const std::map<std::string, std::string>& env);

}  // namespace pmctl::core
