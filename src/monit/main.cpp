// pmctl-monit: `pmctl monit`'s full-screen view. A program of its own so that only it loads
// ncurses: pmctl execs it (docs/benchmarks.md, "monit"), passing on the global options.
#include <cstdlib>
#include <cstring>
#include <string>

#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/output.hpp"
#include "core/types/error.hpp"
#include "monit/monit.hpp"

namespace {

/// The options pmctl passes on; anything else is a usage error.
bool parse(int argc, char** argv, pmctl::cli::Context& ctx) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--user")
      ctx.options.user = true;
    else if (arg == "--system")
      ctx.options.system = true;
    else if (arg == "--no-color")
      ctx.options.no_color = true;
    else {
      pmctl::cli::print_error("unknown option '" + arg + "'", "run it as 'pmctl monit'");
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  pmctl::cli::Context ctx;
  if (!parse(argc, argv, ctx)) return 2;
  const bool color = !ctx.options.no_color && !std::getenv("NO_COLOR");
  try {
    ctx.scope();  // --user with --system: refused before the screen is taken
    pmctl::monit::run_monit(ctx, color);
  } catch (const pmctl::core::Error& e) {
    pmctl::cli::print_error(e.what(), e.hint());
    return e.exit_code();
  } catch (const pmctl::core::ManagerError& e) {
    const auto t = pmctl::cli::translate(e, ctx.scope());
    pmctl::cli::print_error(t.what, t.hint);
    return 1;
  } catch (const std::exception& e) {
    pmctl::cli::print_error(e.what(), "");
    return 1;
  }
  return 0;
}
