#include "cli/parse_errors.hpp"

#include <array>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

namespace pmctl::cli {
namespace {

struct Pm2Command {
  std::string_view words;  ///< PM2's names, space-separated
  std::string_view what;
  std::string_view hint;
};

constexpr std::array kPm2Only{
    Pm2Command{"imonit", "pmctl has no imonit (PM2's dashboard over its own keymetrics agent)",
               "'pmctl monit' is the terminal dashboard"},
    Pm2Command{"update updatePM2 deepUpdate", "there is no pmctl daemon to update",
               "upgrade the pmctl package; the apps keep running in systemd"},
    Pm2Command{"send attach", "pmctl apps have no stdin to write to",
               "'pmctl logs <app>' follows their output"},
    Pm2Command{"trigger inspect", "pmctl has no PM2 actions (no IPC with the app)",
               "send the app a signal: 'systemctl kill -s <signal> <unit>'"},
    Pm2Command{"logrotate", "pmctl's logs are in journald, which rotates them",
               "'journald.conf' SystemMaxUse=; for log files, logrotate with 'pmctl reloadLogs'"},
    Pm2Command{"slist sysinfos", "pmctl has no system information command",
               "'pmctl report' says what a bug report needs; 'pmctl ls' shows cpu and memory"},
    Pm2Command{"install module:install uninstall module:uninstall module:update "
               "module:generate package publish module:publish set multiset get unset conf config",
               "PM2 modules are not part of pmctl",
               "run a module as an app: 'pmctl start <script>'"},
    Pm2Command{"link unlink open login logout plus register monitor unmonitor install-otel "
               "uninstall-otel",
               "PM2 Plus is not part of pmctl", "journald and systemd hold the logs and metrics"},
    Pm2Command{"serve expose", "pmctl has no static file server",
               "start one as an app, e.g. pmctl start \"python3 -m http.server 8080\""},
    Pm2Command{"profile:mem profile:cpu", "there is no pmctl daemon to profile", ""},
    Pm2Command{"completion", "pmctl has no completion command: its completions are files",
               "the package installs them for bash, zsh and fish (completions/ in the source)"},
    Pm2Command{"create examples autoinstall", "pmctl has no such command",
               "'pmctl --help' lists the commands"},
};

bool names(std::string_view words, std::string_view word) {
  std::size_t at = 0;
  while (at <= words.size()) {
    const auto end = words.find(' ', at);
    if (words.substr(at, end - at) == word) return true;
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return false;
}

/// The words CLI11 lists after "...: " in an ExtrasError.
std::vector<std::string> listed_words(const std::string& message) {
  std::vector<std::string> out;
  const auto colon = message.find(": ");
  std::istringstream in(colon == std::string::npos ? "" : message.substr(colon + 2));
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// The first option named in a parser message ("--lines"), or "".
std::string option_in(const std::string& message) {
  std::istringstream in(message);
  for (std::string w; in >> w;) {
    while (!w.empty() && (w.back() == ':' || w.back() == ',' || w.back() == '.')) w.pop_back();
    if (w.starts_with("-") && w.size() > 1 && w != "--") return w.substr(0, w.find_first_of(",{"));
  }
  return "";
}

/// PM2's start options that restart and reload do not apply here (app_overrides.hpp has those
/// they do): what to do instead.
std::optional<Translated> start_only_option(const std::string& option, const std::string& command) {
  if (command != "restart" && command != "reload") return std::nullopt;
  if (option == "-i" || option == "--instances")
    return Translated{"'pmctl " + command + "' does not change the instance count",
                      "'pmctl scale <app> N' does, instance by instance"};
  static constexpr std::array kStartOnly{"--port",
                                         "-o",
                                         "--output",
                                         "-e",
                                         "--error",
                                         "-l",
                                         "--log",
                                         "--cwd",
                                         "--interpreter",
                                         "--uid",
                                         "--gid",
                                         "--lb",
                                         "--lb-policy",
                                         "--instance-endpoint",
                                         "--no-journal",
                                         "--disable-logs",
                                         "--log-type",
                                         "--merge-logs",
                                         "--no-merge-logs",
                                         "-p",
                                         "--pid",
                                         "--wait-ready",
                                         "--shutdown-with-message",
                                         "--no-treekill",
                                         "--no-shim",
                                         "--filter-env",
                                         "--no-vizion",
                                         "--source-map-support",
                                         "--disable-source-map-support"};
  for (std::string_view known : kStartOnly)
    if (option == known)
      return Translated{"'pmctl " + command + "' does not change " + option +
                            " of a registered app (it shapes how the app is made)",
                        "set it in the ecosystem file and 'pmctl " + command +
                            " <file>', or delete the app and start it again with " + option};
  return std::nullopt;
}

Translated extras(const CLI::ParseError& e, const std::string& command) {
  const auto words = listed_words(e.what());
  std::string option, argument;
  for (const auto& w : words) {
    if (w.starts_with("-") && option.empty()) option = w;
    if (!w.starts_with("-") && argument.empty()) argument = w;
  }
  const std::string help = "'pmctl " + command + " --help' lists what it takes";
  const std::string bare = option.substr(0, option.find('='));  // --port=3000 is --port
  if (auto start_only = option.empty() ? std::nullopt : start_only_option(bare, command))
    return *start_only;
  if (!option.empty()) return {"'pmctl " + command + "' has no option " + option, help};
  return {"'pmctl " + command + "' takes no argument '" + argument + "'", help};
}

}  // namespace

std::optional<Translated> pm2_only_command(const std::string& word) {
  for (const auto& c : kPm2Only)
    if (names(c.words, word))
      return Translated{
          "'" + word + "' is a PM2 command pmctl does not have: " + std::string(c.what),
          std::string(c.hint)};
  return std::nullopt;
}

// By exit code: CLI11 names an error after the subcommand it came from, not its kind.
Translated parse_error_text(const CLI::ParseError& e, const std::string& command) {
  using Codes = CLI::ExitCodes;
  const auto code = static_cast<Codes>(e.get_exit_code());
  const std::string where = command.empty() ? "pmctl" : "'pmctl " + command + "'";
  const std::string help =
      command.empty() ? "'pmctl --help' lists the commands" : "see 'pmctl " + command + " --help'";
  const std::string option = option_in(e.what());
  const std::string subject = option.empty() ? "an option" : option;
  switch (code) {
    case Codes::ExtrasError:
      return extras(e, command);
    case Codes::RequiredError:
      if (command.empty()) return {"a command is needed", "'pmctl --help' lists the commands"};
      if (!option.empty()) return {where + " needs " + option, help};
      if (const std::string what = e.what(); !what.starts_with("targets "))
        return {where + " needs its " + what.substr(0, what.find(' ')), help};
      return {where + " needs a target: a name, an id, a namespace, a /regex/ or all",
              "'pmctl ls' lists the apps"};
    case Codes::ArgumentMismatch:
      return {where + ": " + subject + " needs a value", help};
    case Codes::ConversionError:
    case Codes::ValidationError:
      return {where + ": " + subject + " does not take that value", help};
    case Codes::ExcludesError:
      return {where + ": " + subject + " excludes another option given", help};
    default:
      return {where + ": this command line is not one pmctl reads", help};
  }
}

}  // namespace pmctl::cli
