#include "core/base/interpreter.hpp"

#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace fs = std::filesystem;
namespace {

fs::path absolute_normal(const fs::path& p, std::string_view cwd) {
  fs::path base(cwd);
  if (base.is_relative()) base = fs::absolute(base);
  return (base / p).lexically_normal();
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool is_executable_file(const fs::path& p) { return is_file(p) && ::access(p.c_str(), X_OK) == 0; }

std::string default_name_of(const fs::path& script) { return script.stem().string(); }

Launch command_string_launch(std::string_view target) {
  auto begin = target.find_first_not_of(" \t");
  auto first_word = target.substr(begin, target.find_first_of(" \t", begin) - begin);
  return Launch{.script = std::string(target),
                .command_string = true,
                .interpreter = {},
                .default_name = fs::path(first_word).filename().string()};
}

// PM2 looks a missing script up in PATH, so `pmctl start ls` runs /bin/ls.
fs::path find_script(std::string_view target, std::string_view cwd, std::string_view path_env) {
  fs::path local = absolute_normal(target, cwd);
  if (is_file(local)) return local;
  if (target.find('/') == std::string_view::npos) {
    if (auto found = find_program(target, path_env, cwd)) return *found;
  }
  throw Error(
      "script not found: '" + std::string(target) + "'",
      "give a path relative to " + std::string(cwd) + ", an absolute path, or a program in PATH");
}

[[noreturn]] void interpreter_missing(const std::string& name) {
  throw Error("interpreter '" + name + "' is not available in PATH",
              "install it, or pass --interpreter with its absolute path, e.g. "
              "--interpreter /opt/bin/" +
                  fs::path(name).filename().string());
}

std::string resolve_interpreter(const fs::path& script, std::string_view cwd,
                                const std::optional<std::string>& requested,
                                std::string_view path_env) {
  if (requested) {
    if (*requested == "none") return {};
    auto found = find_program(*requested, path_env, cwd);
    if (!found) interpreter_missing(*requested);
    return *found;
  }
  bool bun = false;
  auto ext = script.extension();
  if (ext == ".ts" || ext == ".tsx") bun = find_program("bun", path_env, cwd).has_value();
  std::string name = interpreter_for(script.string(), is_executable_file(script), bun);
  if (name.empty()) return {};
  auto found = find_program(name, path_env, cwd);
  // PM2 tries `python` first; pmctl tries `python3` first because `python` is often absent or
  // still Python 2 on older systems.
  if (!found && name == "python3") found = find_program("python", path_env, cwd);
  if (!found) interpreter_missing(name);
  return *found;
}

}  // namespace

std::string interpreter_for(std::string_view script_path, bool executable, bool bun_available) {
  auto ext = fs::path(script_path).extension().string();
  if (ext == ".js" || ext == ".cjs" || ext == ".mjs") return "node";
  if (ext == ".py") return "python3";
  if (ext == ".sh") return "bash";
  if (ext == ".rb") return "ruby";
  if (ext == ".php") return "php";
  if (ext == ".pl") return "perl";
  if (ext == ".coffee") return "coffee";
  if (ext == ".ts" || ext == ".tsx") return bun_available ? "bun" : "node";
  return executable ? "" : "node";
}

std::optional<std::string> find_program(std::string_view program, std::string_view path_env,
                                        std::string_view cwd) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string_view::npos) {
    fs::path p = absolute_normal(program, cwd);
    if (is_executable_file(p)) return p.string();
    return std::nullopt;
  }
  // Empty PATH elements (execvp's legacy "current directory") are skipped: the result is frozen
  // into the unit, and picking a program from wherever the caller stood would be a surprise.
  while (!path_env.empty()) {
    auto colon = path_env.find(':');
    auto dir = path_env.substr(0, colon);
    if (!dir.empty()) {
      fs::path p = absolute_normal(fs::path(dir) / program, cwd);
      if (is_executable_file(p)) return p.string();
    }
    if (colon == std::string_view::npos) break;
    path_env.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

Launch resolve_launch(std::string_view target, std::string_view cwd,
                      const std::optional<std::string>& interpreter, std::string_view path_env) {
  if (target.find_first_of(" \t") != std::string_view::npos &&
      target.find_first_not_of(" \t") != std::string_view::npos) {
    return command_string_launch(target);
  }
  if (target.empty()) throw Error("script not found: ''", "give the script to start, e.g. app.js");
  fs::path script = find_script(target, cwd, path_env);
  return Launch{.script = script.string(),
                .command_string = false,
                .interpreter = resolve_interpreter(script, cwd, interpreter, path_env),
                .default_name = default_name_of(script)};
}

std::string_view program_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace pmctl::core
