// libFuzzer target for render_environment_file, the EnvironmentFile= each app's unit reads.
// The input is a list of NAME=VALUE entries separated by NUL bytes. The oracle is systemd 252's
// own parser (load_env_file in libsystemd-shared, as in tests/unit/envfile_test.cpp): every
// entry that render_environment_file keeps must load back byte for byte, and nothing else. Where
// the library is missing only the renderer runs. A crash, a sanitizer report or a difference is
// a bug.

#include <dlfcn.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "core/base/envfile.hpp"
#include "fuzz_input.hpp"

namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;
using LoadFn = int (*)(FILE*, const char*, char***);

LoadFn systemd_load_env_file() {
  static const LoadFn load = [] {
    void* handle = dlopen("/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so", RTLD_NOW);
    return handle ? reinterpret_cast<LoadFn>(dlsym(handle, "load_env_file")) : nullptr;
  }();
  return load;
}

const fs::path& env_path() {
  static const fs::path path = [] {
    fs::path p = fs::temp_directory_path() / ("pmctl-envfile-fuzz-" + std::to_string(getpid()));
    std::atexit([] { fs::remove(env_path()); });
    return p;
  }();
  return path;
}

// What systemd reads from `content`; aborts if it refuses a file pmctl rendered.
Env load_with_systemd(LoadFn load, const std::string& content) {
  std::ofstream(env_path(), std::ios::binary | std::ios::trunc) << content;
  char** entries = nullptr;
  if (load(nullptr, env_path().c_str(), &entries) < 0) std::abort();
  Env env;
  for (char** p = entries; p && *p; ++p) {
    const std::string entry = *p;
    const auto eq = entry.find('=');
    env[entry.substr(0, eq)] = entry.substr(eq + 1);
    std::free(*p);
  }
  std::free(entries);
  return env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Env env, kept;
  for (const auto& entry : pmctl::fuzz::split(pmctl::fuzz::as_text(data, size), '\0')) {
    const auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = entry.substr(0, eq), value = entry.substr(eq + 1);
    env[name] = value;
  }
  for (const auto& [name, value] : env)
    if (pmctl::core::valid_env_name(name) && pmctl::core::valid_env_value(value))
      kept[name] = value;
  const std::string content = pmctl::core::render_environment_file(env);
  if (const LoadFn load = systemd_load_env_file(); load && load_with_systemd(load, content) != kept)
    std::abort();
  return 0;
}
