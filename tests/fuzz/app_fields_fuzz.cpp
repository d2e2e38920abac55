// libFuzzer target for the app fields of an ecosystem file: JSON5 text (as parse_json5 reads
// it) turned into declarations by apps_from_json, with the typed field reads (field_values)
// and the duration, size and count parsers behind them. The first byte picks the context (root
// or not, --env name). Any exception other than core::Error, a crash or a sanitizer report is a
// bug.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/ecosystem/ecosystem_file.hpp"
#include "core/ecosystem/json5.hpp"
#include "core/fields/app_fields.hpp"
#include "core/types/error.hpp"
#include "fuzz_input.hpp"

namespace {

using namespace pmctl::core;

FieldContext context(std::uint8_t choice) {
  FieldContext ctx;
  ctx.file = "fuzz.json";
  ctx.base_dir = "/nonexistent/pmctl-fuzz";
  ctx.caller_env = {{"HOME", "/root"}, {"PATH", "/usr/bin:/bin"}};
  ctx.path_env = "/usr/bin:/bin";
  if (choice & 1) ctx.env_name = "production";
  ctx.root = (choice & 2) != 0;
  if (choice & 4) ctx.log_dir = "/var/log/pmctl";
  ctx.cpu_count = 1 + choice % 8;
  return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  try {
    const auto root = parse_json5(pmctl::fuzz::as_text(data + 1, size - 1), "fuzz.json");
    const EcosystemDoc doc = ecosystem_from_json(root, "fuzz.json");
    FieldContext ctx = context(data[0] >> 4);
    if (ctx.env_name) ctx.deploy_env = deploy_env(doc, *ctx.env_name);
    apps_from_json(doc.apps, ctx);
  } catch (const Error&) {
  }
  return 0;
}
