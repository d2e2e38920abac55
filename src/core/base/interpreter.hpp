#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pmctl::core {

/// What `pmctl start <target>` runs, resolved to absolute paths at start so that a later boot
/// does not depend on the caller's PATH.
struct Launch {
  std::string script;  ///< Absolute path, or the command string itself.
  bool command_string = false;
  std::string interpreter;   ///< Absolute path, or empty: execute `script` directly.
  std::string default_name;  ///< PM2's default app name: script basename without its extension.
};

/// PM2's interpreter by extension: .js/.cjs/.mjs node, .py python3, .sh bash, .rb ruby,
/// .php php, .pl perl, .coffee coffee, .ts/.tsx bun (node when bun is absent); an executable
/// file with no known extension runs directly; any other file runs under node, as in PM2.
/// Returns the program name (not a path), or "" for "run directly".
std::string interpreter_for(std::string_view script_path, bool executable, bool bun_available);

/// The file name of an interpreter path ("node" for "/usr/bin/node"), to tell which one it is.
std::string_view program_name(std::string_view path);

/// Looks `program` up like execvp: a name with a `/` is taken as a path (relative to `cwd`),
/// otherwise each directory of `path_env` is tried. Returns the absolute path of an executable
/// regular file, or nothing.
std::optional<std::string> find_program(std::string_view program, std::string_view path_env,
                                        std::string_view cwd);

/// Resolves a `pmctl start` target. `target` containing a space is a PM2 command string.
/// `interpreter` (from --interpreter) overrides the choice by extension; "none" means run
/// directly. Throws core::Error for a missing script ("script not found") or an interpreter that
/// is not in PATH ("interpreter 'x' is not available in PATH").
Launch resolve_launch(std::string_view target, std::string_view cwd,
                      const std::optional<std::string>& interpreter, std::string_view path_env);

}  // namespace pmctl::core
