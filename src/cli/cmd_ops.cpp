// pmctl sendSignal <signal> <id|name> and pmctl reset <name|id|all>: PM2's signals to an app's
// processes and its counters back to 0.
#include "cli/commands.hpp"
#include "cli/list_view.hpp"
#include "cli/output.hpp"
#include "core/base/signals.hpp"
#include "core/model/names.hpp"
#include "core/model/selectors.hpp"
#include "core/types/error.hpp"

namespace pmctl::cli {
namespace {

std::string described(const core::RegistryData& data, int id) {
  const core::AppRecord* rec = data.find(id);
  return "'" + (rec ? rec->decl.name : std::string("?")) + "' (id " + std::to_string(id) + ")";
}

int signal_of(const std::string& word) {
  if (const auto signal = core::parse_signal(word)) return *signal;
  throw core::Error("'" + core::printable(word) + "' is not a signal",
                    "give a name such as SIGUSR2 or USR2, or a number ('kill -l' lists them)", 2);
}

void run_send_signal(Context& ctx, const std::string& signal_word, const std::string& target) {
  const int signal = signal_of(signal_word);
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  const auto ids = core::resolve_exact(data, target);
  for (int id : ctx.lifecycle().send_signal(ids, signal))
    say("sent signal " + core::signal_name(signal) + " to " + described(data, id) + " " +
        green("✓"));
}

void run_reset(Context& ctx, const std::string& target) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  const auto ids = core::resolve_targets(data, {target}, ctx.cwd());
  ctx.lifecycle().reset(ids);
  for (int id : ids) say("reset the restart counters of " + described(data, id) + " " + green("✓"));
  print_process_table(ctx);
}

}  // namespace

void register_ops(CLI::App& app, Context& ctx) {
  auto signal = std::make_shared<std::string>();
  auto target = std::make_shared<std::string>();
  CLI::App* send = app.add_subcommand(
      "sendSignal", "Send a signal to an app's main process (every running instance of a name)");
  send->add_option("signal", *signal, "SIGUSR2, USR2 or a number")->required();
  send->add_option("target", *target, "id or name")->required();
  send->callback([&ctx, signal, target] { run_send_signal(ctx, *signal, *target); });

  auto reset_target = std::make_shared<std::string>();
  CLI::App* reset =
      app.add_subcommand("reset", "Set an app's restart counters (↺, unstable restarts) to 0");
  reset->add_option("targets", *reset_target, "name | id | namespace | all | /regex/")->required();
  reset->callback([&ctx, reset_target] { run_reset(ctx, *reset_target); });
}

}  // namespace pmctl::cli
