// libFuzzer target for pm2_dump_apps (PM2's dump.pm2, what `pmctl resurrect --from-pm2` reads).
// Any exception other than core::Error, a crash or a sanitizer report is a bug, and so is an
// app without a script or an environment object, or entries lost or counted twice: every
// process of the dump is one instance of exactly one app.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/ecosystem/json5.hpp"
#include "core/ecosystem/pm2_dump.hpp"
#include "core/types/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<nlohmann::json> apps;
  try {
    apps = pmctl::core::pm2_dump_apps(text, "dump.pm2");
  } catch (const pmctl::core::Error&) {
    return 0;
  }
  std::size_t instances = 0;
  for (const auto& app : apps) {
    if (!app.is_object() || !app.contains("script") || !app.at("script").is_string() ||
        app.at("script").get<std::string>().empty() || !app.at("env").is_object())
      std::abort();
    instances += app.value("instances", std::size_t{1});
  }
  if (instances != pmctl::core::parse_json5(text, "dump.pm2").size()) std::abort();
  return 0;
}
