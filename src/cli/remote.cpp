// pmctl -H: one host runs with this terminal (ssh -t when it is one, so monit and colours work
// and Ctrl-C reaches the remote pmctl), several at once through remote_fleet.cpp.
#include "cli/remote.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "cli/output.hpp"
#include "cli/remote_fleet.hpp"
#include "core/ecosystem/ecosystem_file.hpp"
#include "core/remote/deploy_config.hpp"
#include "core/remote/hosts.hpp"
#include "core/remote/ssh_process.hpp"
#include "core/types/error.hpp"

namespace pmctl::cli {
namespace {

/// The value of -H at argv[i] (its forms), and how many words it took; 0 when argv[i] is none.
int host_option(int argc, char** argv, int i, std::string& value) {
  const char* a = argv[i];
  if (std::strcmp(a, "-H") == 0 || std::strcmp(a, "--host") == 0) {
    if (i + 1 >= argc)
      throw core::Error(std::string(a) + " needs a host", "-H [user@]host[:port]", 2);
    value = argv[i + 1];
    return 2;
  }
  if (std::strncmp(a, "--host=", 7) == 0) return value = a + 7, 1;
  if (std::strncmp(a, "-H", 2) == 0) return value = a + 2, 1;
  return 0;
}

/// The first word that is not an option: the verb.
std::string verb_of(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (!a.empty() && a[0] != '-') return a;
  return "";
}

}  // namespace

std::string last_line(const std::string& text) {
  const std::size_t end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  const std::size_t nl = text.rfind('\n', end);
  const std::size_t start = nl == std::string::npos ? 0 : nl + 1;
  return text.substr(start, end - start + 1);
}

void end_as_stopped() {
  if (const int sig = core::stop_signal_received()) {
    std::cout.flush();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

namespace {

bool follows(const std::string& verb) { return verb == "logs" || verb == "log"; }

/// The hosts of a -H value, and how ssh reaches them: a list, or `@env` / `@file:env`, the
/// hosts of an ecosystem file's deploy.<env> with its user, port, key and ssh_options.
struct Destination {
  std::vector<core::RemoteHost> hosts;
  core::SshSettings ssh;
};

Destination destination_of(const std::string& spec) {
  Destination d{{}, core::ssh_settings_from_env()};
  if (spec.empty() || spec[0] != '@') {
    d.hosts = core::parse_remote_hosts(spec);
    return d;
  }
  const std::string group = spec.substr(1);
  const auto colon = group.rfind(':');
  const std::string file =
      colon == std::string::npos ? "ecosystem.config.js" : group.substr(0, colon);
  const std::string env = colon == std::string::npos ? group : group.substr(colon + 1);
  const core::DeployTarget target =
      core::deploy_target(core::load_ecosystem_file(file).deploy, env, file);
  const char* home = std::getenv("HOME");
  const auto extra = core::deploy_ssh_extra(target, home ? home : "");
  d.ssh.extra.insert(d.ssh.extra.end(), extra.begin(), extra.end());
  d.hosts = target.hosts;
  return d;
}

int run_one(const core::RemoteHost& host, const core::SshSettings& ssh,
            const std::vector<std::string>& args) {
  const bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  const auto argv = core::ssh_argv(ssh, host, tty, core::remote_pmctl_command(args));
  const auto input = follows(verb_of(args)) ? core::ChildInput::kHeld : core::ChildInput::kInherit;
  const int status = core::run_attached(argv, input);
  end_as_stopped();
  // ssh's own failure (255) it has already said on this terminal's stderr, in one line.
  const std::string why = status == 255 ? "" : transport_failure(status, "", host);
  if (!why.empty()) {
    print_error("host '" + host.label + "': " + why,
                status == -1 ? "" : "install or upgrade pmctl on " + host.host);
    return 1;
  }
  return status;
}

}  // namespace

std::string transport_failure(int status, const std::string& ssh_stderr,
                              const core::RemoteHost& host) {
  if (status == -1) return "could not run ssh (PMCTL_SSH_COMMAND or PATH)";
  if (status == 255) {
    const std::string said = last_line(ssh_stderr);
    return "ssh failed" + (said.empty() ? std::string() : ": " + said);
  }
  if (status == core::kRemoteNoPmctl)
    return "pmctl is not installed there (not in the PATH of " +
           (host.user.empty() ? std::string("the ssh user") : host.user) + ")";
  if (status == core::kRemoteOldPmctl)
    return "its pmctl is older than this one: it does not speak remote protocol " +
           std::to_string(core::kRemoteProtocol) + " (pmctl " + core::kRemoteProtocolSince +
           " or newer does)";
  return "";
}

std::optional<RemoteRequest> remote_request(int argc, char** argv) {
  RemoteRequest r;
  bool found = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      r.args.insert(r.args.end(), argv + i, argv + argc);
      break;
    }
    std::string value;
    if (const int took = host_option(argc, argv, i, value)) {
      if (found) throw core::Error("-H is given twice", "give one list: -H a,b,c", 2);
      r.hosts = value, found = true;
      i += took - 1;
      continue;
    }
    r.args.emplace_back(argv[i]);
  }
  if (!found) {
    const char* env = std::getenv("PMCTL_HOST");
    if (!env || !*env) return std::nullopt;
    r.hosts = env;
  }
  return r;
}

int run_remote(const RemoteRequest& request) {
  const std::string verb = verb_of(request.args);
  if (verb == "deploy")
    throw core::Error("deploy takes its hosts from the ecosystem file, not from -H",
                      "pmctl deploy <env> ... (without -H)", 2);
  const Destination d = destination_of(request.hosts);
  if (d.hosts.size() == 1) return run_one(d.hosts.front(), d.ssh, request.args);
  if (verb == "monit" || verb == "dash" || verb == "dashboard")
    throw core::Error("monit shows one host at a time", "pmctl -H <one host> monit", 2);
  return run_fleet(d.hosts, d.ssh, request.args, verb);
}

bool follow_ends_with_stdin() {
  const char* remote = std::getenv("PMCTL_REMOTE");
  return remote && std::strcmp(remote, "1") == 0 && !isatty(STDIN_FILENO);
}

}  // namespace pmctl::cli
