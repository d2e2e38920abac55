// libFuzzer target for PM2's `start` flags as pmctl reads them: the input is a command line
// (arguments separated by NUL bytes) parsed by CLI11 with add_pm2_flags, then applied to a
// declaration by apply_pm2_flags, as `pmctl start` does. Any exception other than CLI11's parse
// errors and core::Error, a crash or a sanitizer report is a bug.

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "cli/pm2_flags.hpp"
#include "core/types/error.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto args = pmctl::fuzz::split(pmctl::fuzz::as_text(data + 1, size - 1), '\0');
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 reads from the back
  const auto scope = data[0] & 1 ? pmctl::core::Scope::System : pmctl::core::Scope::User;
  CLI::App app("fuzz");
  pmctl::cli::Pm2Flags flags;
  pmctl::cli::add_pm2_flags(app, flags);
  try {
    app.parse(reversed);
    std::set<std::string> given;
    for (const CLI::Option* opt : app.get_options())
      if (opt->count() > 0) given.insert(opt->get_name());
    pmctl::core::AppDecl decl;
    decl.name = "fuzz";
    if (data[0] & 2) decl.env["PORT"] = "3000";
    pmctl::cli::apply_pm2_flags(flags, given, scope, decl);
  } catch (const CLI::ParseError&) {
  } catch (const pmctl::core::Error&) {
  }
  return 0;
}
