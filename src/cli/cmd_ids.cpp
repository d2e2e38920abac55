// pmctl pid [name] and pmctl id <name>: PM2's answers for scripts, the main pids one a line and
// an app's ids as a JavaScript array.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/model/names.hpp"
#include "core/text/inspect.hpp"
#include "core/types/error.hpp"

namespace pmctl::cli {
namespace {

/// The ids of the app `name` (all apps when empty), in id order; core::Error for a name no app
/// has.
std::vector<int> ids_of(const core::RegistryData& data, const std::string& name) {
  std::vector<int> ids = name.empty() ? data.ids() : data.ids_named(name);
  if (ids.empty() && !name.empty())
    throw core::Error("no app named '" + core::printable(name) + "'", "'pmctl ls' lists the apps");
  std::sort(ids.begin(), ids.end());
  return ids;
}

/// PM2 prints 0 for an instance that is not running (its pid is 0 then).
void print_pids(Context& ctx, const std::string& name) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  const auto ids = ids_of(data, name);
  std::string out;
  for (const auto& v : ctx.lifecycle().views(data, ids))
    out += std::to_string(v.status == core::Status::Online ? v.state.main_pid : 0) + "\n";
  std::cout << out;
}

void print_ids(Context& ctx, const std::string& name) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  std::cout << core::js_inspect(nlohmann::json(ids_of(data, name))) << "\n";
}

}  // namespace

void register_ids(CLI::App& app, Context& ctx) {
  auto pid_name = std::make_shared<std::string>();
  CLI::App* pid = app.add_subcommand(
      "pid",
      "Print the main pid of each instance of an app (all apps without a name), 0 if "
      "not running");
  pid->add_option("name", *pid_name, "the app's name");
  pid->callback([&ctx, pid_name] { print_pids(ctx, *pid_name); });

  auto id_name = std::make_shared<std::string>();
  CLI::App* id = app.add_subcommand("id", "Print the ids of an app's instances, e.g. [ 0, 1 ]");
  id->add_option("name", *id_name, "the app's name")->required();
  id->callback([&ctx, id_name] { print_ids(ctx, *id_name); });
}

}  // namespace pmctl::cli
