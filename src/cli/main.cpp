// pmctl: PM2's command line on systemd. Parses, dispatches to one command family, and is the
// one place that catches errors and turns them into a line on stderr and an exit code.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/output.hpp"
#include "cli/parse_errors.hpp"
#include "cli/remote.hpp"
#include "core/remote/hosts.hpp"
#include "core/types/error.hpp"
#include "pmctl_config.hpp"

namespace {

using pmctl::cli::Context;

/// Everything after the first bare `--` belongs to the script (PM2's `args`), not to pmctl.
int split_script_args(int argc, char** argv, Context& ctx) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") != 0) continue;
    ctx.script_args.assign(argv + i + 1, argv + argc);
    ctx.script_args_given = true;
    return i;
  }
  return argc;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

/// ninja's "did you mean …?" for a mistyped command.
std::string suggestion(const CLI::App& app, const std::string& word) {
  std::string best;
  std::size_t best_distance = 3;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_group().empty()) continue;  // hidden: `__complete` is not for people
    std::vector<std::string> names = sub->get_aliases();
    names.push_back(sub->get_name());
    for (const auto& name : names) {
      const std::size_t d = edit_distance(word, name);
      if (d < best_distance) best_distance = d, best = name;
    }
  }
  return best.empty() ? "see 'pmctl --help'" : "did you mean '" + best + "'?";
}

/// The first word that is not a global option: what the user meant as the command.
std::string command_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (argv[i][0] != '-') return argv[i];
  return "";
}

bool is_command(const CLI::App& app, const std::string& word) {
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->check_name(word)) return true;
  }
  return false;
}

/// The one line for a word that is no command of pmctl (one of PM2's: what to do instead).
int unknown_command(const CLI::App& app, const std::string& word) {
  if (const auto pm2 = pmctl::cli::pm2_only_command(word))
    pmctl::cli::print_error(pm2->what, pm2->hint);
  else
    pmctl::cli::print_error("unknown command '" + word + "'", suggestion(app, word));
  return 2;
}

int usage_error(const CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  const std::string word = command_word(argc, argv);
  if (!word.empty() && !is_command(app, word)) return unknown_command(app, word);
  const auto t = pmctl::cli::parse_error_text(e, word);
  pmctl::cli::print_error(t.what, t.hint);
  return 2;
}

/// Which registration function adds which command words. Building every command's options
/// costs more than some commands' own work, so `main` registers only the family the command
/// word belongs to. A word not listed here (a typo, a new command, `--help`) registers them all:
/// a missing entry only makes that command slower, never unknown.
struct Family {
  void (*add)(CLI::App&, Context&);
  std::vector<std::string_view> words;
};

void register_commands(CLI::App& app, Context& ctx, const std::string& word);

const std::vector<Family>& families() {
  static const std::vector<Family> all = {
      {pmctl::cli::register_start, {"start", "dev"}},
      {pmctl::cli::register_lifecycle,
       {"stop", "restart", "reload", "delete", "del", "startOrRestart", "startOrReload",
        "startOrGracefulReload"}},
      {pmctl::cli::register_list,
       {"list", "ls", "status", "l", "ps", "jlist", "prettylist", "show", "describe", "info",
        "desc"}},
      {pmctl::cli::register_logs, {"logs", "log", "flush", "reloadLogs"}},
      {pmctl::cli::register_monit, {"monit", "dash", "dashboard"}},
      {pmctl::cli::register_metrics, {"metrics"}},
      {pmctl::cli::register_web, {"web"}},
      {pmctl::cli::register_env, {"env"}},
      {pmctl::cli::register_init, {"init", "ecosystem"}},
      {pmctl::cli::register_scale, {"scale"}},
      {pmctl::cli::register_boot,
       {"save", "dump", "resurrect", "cleardump", "kill", "startup", "unstartup"}},
      {pmctl::cli::register_repair, {"repair"}},
      {pmctl::cli::register_ops, {"sendSignal", "reset"}},
      {pmctl::cli::register_ids, {"pid", "id"}},
      {pmctl::cli::register_report, {"ping", "report"}},
      {pmctl::cli::register_deploy, {"deploy"}},
      {[](CLI::App& app, Context& ctx) {
         pmctl::cli::register_complete(app, ctx, register_commands);
       },
       {"__complete"}},
  };
  return all;
}

/// The commands that change something (registry, units, files): each runs as one transaction
/// under the command lock. The others only read, and never wait for it.
bool changes_state(const std::string& command) {
  static const std::vector<std::string_view> changing = {
      "start",     "dev",        "stop",           "restart",       "reload",
      "delete",    "del",        "scale",          "save",          "dump",
      "resurrect", "cleardump",  "kill",           "startup",       "unstartup",
      "flush",     "reloadLogs", "startOrRestart", "startOrReload", "startOrGracefulReload",
      "repair",    "reset",      "sendSignal"};
  for (std::string_view c : changing)
    if (c == command) return true;
  return false;
}

std::string command_line(int argc, char** argv) {
  std::string line = "pmctl";
  for (int i = 1; i < argc && line.size() < 200; ++i) line += std::string(" ") + argv[i];
  return line.size() > 200 ? line.substr(0, 200) + "…" : line;
}

void register_commands(CLI::App& app, Context& ctx, const std::string& word) {
  for (const Family& f : families())
    for (std::string_view w : f.words)
      if (w == word) return f.add(app, ctx);
  for (const Family& f : families()) f.add(app, ctx);
}

/// `pmctl help [command...]` is `pmctl [command...] --help`: the word `help` (the first that is
/// not a global option) becomes `--help` after the rest. Returns the new argv (null-terminated);
/// `topic` gets the command asked about ("" for none).
std::vector<char*> help_as_flag(int argc, char** argv, std::string& topic) {
  std::vector<char*> out(argv, argv + argc);
  static char flag[] = "--help";
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') continue;
    if (std::strcmp(argv[i], "help") != 0) break;
    if (i + 1 < argc) topic = argv[i + 1];
    out.erase(out.begin() + i);
    out.push_back(flag);
    break;
  }
  out.push_back(nullptr);
  return out;
}

/// Whether global option `flag` comes before the command word (CLI11 has not set it yet when
/// --version is handled).
bool global_flag(int argc, char** argv, const char* flag) {
  for (int i = 1; i < argc && argv[i][0] == '-'; ++i)
    if (std::strcmp(argv[i], flag) == 0) return true;
  return false;
}

/// `pmctl --version`: pmctl's own, and the version of the manager it talks to (or why not).
std::string versions(Context& ctx, int argc, char** argv) {
  ctx.options.user = ctx.options.user || global_flag(argc, argv, "--user");
  ctx.options.system = ctx.options.system || global_flag(argc, argv, "--system");
  std::string text = std::string("pmctl ") + PMCTL_VERSION + "\n";
  const bool user = ctx.scope() == pmctl::core::Scope::User;
  const std::string which = user ? "the user manager" : "the system manager";
  try {
    const std::string full = ctx.manager().version();
    text += "systemd " + full.substr(0, full.find('.')) + " (" + full + "), " + which;
  } catch (const std::exception& e) {
    text += "systemd: " + which + " did not answer (" + e.what() + ")";
  }
  return text;
}

}  // namespace

namespace {

/// The manager the command talked to, for the hints of its errors.
pmctl::core::Scope scope_for_errors(const pmctl::cli::Context& ctx) {
  try {
    return ctx.scope();
  } catch (const std::exception&) {
    return pmctl::core::Scope::System;  // --user with --system: refused before any call
  }
}

/// Before anything is parsed: the remote protocol a local pmctl asks for, and -H, which hands the
/// whole command line to the hosts' own pmctl (cli/remote.cpp). nullopt: the command runs here.
std::optional<int> remote_first(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "__remote-protocol") == 0) {
    std::cout << pmctl::core::kRemoteProtocol << "\n";
    return 0;
  }
  try {
    if (const auto request = pmctl::cli::remote_request(argc, argv))
      return pmctl::cli::run_remote(*request);
  } catch (const pmctl::core::Error& e) {
    pmctl::cli::print_error(e.what(), e.hint());
    return e.exit_code();
  }
  return std::nullopt;
}

}  // namespace

int main(int raw_argc, char** raw_argv) {
  if (const auto status = remote_first(raw_argc, raw_argv)) return *status;
  Context ctx;
  std::string help_topic;
  std::vector<char*> args = help_as_flag(raw_argc, raw_argv, help_topic);
  const int argc = static_cast<int>(args.size()) - 1;
  char** argv = args.data();
  const int pmctl_argc = split_script_args(argc, argv, ctx);

  CLI::App app{"pmctl: PM2's command line and ecosystem files, run by systemd", "pmctl"};
  app.set_version_flag(
      "-v,-V,--version", [&] { return versions(ctx, pmctl_argc, argv); },
      "pmctl's version and the version of the systemd it talks to");
  app.add_subcommand("help", "The same as <command> --help: pmctl help start")
      ->allow_extras();  // never run: main turns `help` into --help
  app.require_subcommand(1);
  app.fallthrough();
  app.add_flag("--user", ctx.options.user, "Talk to your user manager (systemctl --user)");
  app.add_flag("--system", ctx.options.system, "Talk to the system manager (systemctl --system)");
  app.add_flag("--no-color", ctx.options.no_color, "Never colour the output");
  app.add_flag("-s,--silent", ctx.options.silent, "No [pmctl] lines and no table (PM2's -s)");
  std::string hosts;  // never set here: remote_first takes -H before parsing
  app.add_option("-H,--host", hosts,
                 "Run the command on other hosts over ssh: [user@]host[:port][,...]");

  register_commands(app, ctx, command_word(pmctl_argc, argv));
  if (!help_topic.empty() && help_topic[0] != '-' && !is_command(app, help_topic))
    return unknown_command(app, help_topic);

  pmctl::cli::set_color(isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR"));
  app.parse_complete_callback([&] {
    if (ctx.options.no_color) pmctl::cli::set_color(false);
    pmctl::cli::set_silent(ctx.options.silent);
    for (const CLI::App* sub : app.get_subcommands())
      if (changes_state(sub->get_name())) ctx.begin_transaction(command_line(argc, argv));
  });
  try {
    app.parse(pmctl_argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    return usage_error(app, e, pmctl_argc, argv);
  } catch (const pmctl::core::Error& e) {
    pmctl::cli::print_error(e.what(), e.hint());
    return e.exit_code();
  } catch (const pmctl::core::ManagerError& e) {
    const auto t = pmctl::cli::translate(e, scope_for_errors(ctx));
    pmctl::cli::print_error(t.what, t.hint);
    return 1;
  } catch (const std::exception& e) {
    pmctl::cli::print_error(e.what(), "");
    return 1;
  }
  return ctx.exit_status;
}
