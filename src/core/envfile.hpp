#pragma once

#include <map>
#include <string>
#include <string_view>

namespace pmctl::core {

/// A name systemd accepts in an environment file: [A-Za-z_][A-Za-z0-9_]*.
bool valid_env_name(std::string_view name);

/// Renders `env` in systemd's EnvironmentFile= syntax so that every value reaches the app
/// byte for byte (quotes, `$`, backslashes, newlines, trailing spaces). Names that systemd would
/// reject are skipped.
std::string render_environment_file(const std::map<std::string, std::string>& env);

}  // namespace pmctl::core
