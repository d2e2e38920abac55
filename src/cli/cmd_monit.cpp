// pmctl monit (dash, dashboard): hands over to pmctl-monit, the one program that links ncurses,
// so that no other command pays for loading it (docs/benchmarks.md, "monit").
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/types/error.hpp"
#include "pmctl_config.hpp"

namespace pmctl::cli {
namespace {

[[noreturn]] void exec_monit(const Context& ctx) {
  const std::string helper = beside_pmctl("pmctl-monit", PMCTL_LIBEXECDIR, X_OK, "monit");
  std::vector<std::string> args{helper};
  if (ctx.options.user) args.push_back("--user");
  if (ctx.options.system) args.push_back("--system");
  if (ctx.options.no_color) args.push_back("--no-color");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(helper.c_str(), argv.data());
  throw core::Error("cannot run '" + helper + "': " + std::strerror(errno),
                    "pmctl-monit is installed with pmctl (meson install)");
}

}  // namespace

void register_monit(CLI::App& app, Context& ctx) {
  CLI::App* monit =
      app.add_subcommand("monit",
                         "Full-screen view: every app's status, cpu, memory, restarts, uptime; the "
                         "selected app's details and logs (q quits)");
  for (const char* alias : {"dash", "dashboard"}) monit->alias(alias);
  monit->callback([&ctx] {
    ctx.scope();  // --user with --system: one error line, before the screen is taken
    exec_monit(ctx);
  });
}

}  // namespace pmctl::cli
