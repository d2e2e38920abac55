#include "core/remote/hosts.hpp"

#include <cstdlib>
#include <set>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

Error bad_host(std::string_view spec, const std::string& why) {
  return Error("bad host '" + std::string(spec) + "': " + why,
               "-H takes [user@]host[:port], or several joined by commas", 2);
}

bool is_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  for (char c : p)
    if (c < '0' || c > '9') return false;
  const int n = std::atoi(std::string(p).c_str());
  return n >= 1 && n <= 65535;
}

// A host name, alias or address: no blanks, no shell or ssh-option characters, not an option.
bool is_host_word(std::string_view h) {
  if (h.empty() || h.size() > 253 || h[0] == '-') return false;
  for (char c : h) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_' || c == ':' || c == '%';
    if (!ok) return false;
  }
  return true;
}

bool is_user_word(std::string_view u) {
  if (u.empty() || u.size() > 32 || u[0] == '-') return false;
  for (char c : u) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_' || c == '$';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

RemoteHost parse_remote_host(std::string_view spec) {
  RemoteHost out;
  out.label = std::string(spec);
  std::string_view rest = spec;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    out.user = std::string(rest.substr(0, at));
    if (!is_user_word(out.user)) throw bad_host(spec, "'" + out.user + "' is no user name");
    rest = rest.substr(at + 1);
  }
  if (!rest.empty() && rest[0] == '[') {  // [v6]:port or [v6]
    const auto close = rest.find(']');
    if (close == std::string_view::npos) throw bad_host(spec, "no ']' after '['");
    out.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') throw bad_host(spec, "only ':port' may follow ']'");
      out.port = std::string(rest.substr(1));
    }
  } else if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
    if (rest.find(':', colon + 1) != std::string_view::npos) {
      out.host = std::string(rest);  // a bare IPv6 address: no port
    } else {
      out.host = std::string(rest.substr(0, colon));
      out.port = std::string(rest.substr(colon + 1));
    }
  } else {
    out.host = std::string(rest);
  }
  if (out.host.empty()) throw bad_host(spec, "no host name");
  if (!is_host_word(out.host)) throw bad_host(spec, "'" + out.host + "' is no host name");
  if (!out.port.empty() || (rest.size() && rest.back() == ':'))
    if (!is_port(out.port)) throw bad_host(spec, "the port must be a number from 1 to 65535");
  return out;
}

std::vector<RemoteHost> parse_remote_hosts(std::string_view list) {
  std::vector<RemoteHost> hosts;
  std::set<std::string> seen;
  std::size_t start = 0;
  for (;;) {
    const auto comma = list.find(',', start);
    const std::string_view item = list.substr(start, comma - start);
    if (item.empty()) throw bad_host(list, "an empty host in the list");
    hosts.push_back(parse_remote_host(item));
    if (!seen.insert(hosts.back().label).second)
      throw bad_host(list, "'" + std::string(item) + "' is listed twice");
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return hosts;
}

std::string shell_quote(std::string_view word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

SshSettings ssh_settings_from_env() {
  SshSettings s;
  if (const char* cmd = std::getenv("PMCTL_SSH_COMMAND"); cmd && *cmd) {
    s.command.clear();
    std::string word;
    for (const char* p = cmd;; ++p) {
      if (*p == ' ' || *p == '\t' || *p == '\0') {
        if (!word.empty()) s.command.push_back(word), word.clear();
        if (*p == '\0') break;
      } else {
        word += *p;
      }
    }
    if (s.command.empty()) s.command = {"ssh"};
  }
  if (const char* t = std::getenv("PMCTL_SSH_TIMEOUT"); t && *t) {
    const std::string text = t;
    if (!is_port(text) || std::atoi(t) > 3600)
      throw Error("PMCTL_SSH_TIMEOUT='" + text + "' is not a number of seconds from 1 to 3600",
                  "unset it for the default, 10 s", 2);
    s.connect_timeout_s = std::atoi(t);
  }
  return s;
}

std::vector<std::string> ssh_argv(const SshSettings& ssh, const RemoteHost& host, bool tty,
                                  const std::string& remote_command) {
  std::vector<std::string> argv = ssh.command;
  argv.insert(argv.end(),
              {"-o", "BatchMode=yes", "-o",
               "ConnectTimeout=" + std::to_string(ssh.connect_timeout_s), tty ? "-t" : "-T"});
  argv.insert(argv.end(), ssh.extra.begin(), ssh.extra.end());
  if (!host.port.empty()) argv.insert(argv.end(), {"-p", host.port});
  if (!host.user.empty()) argv.insert(argv.end(), {"-l", host.user});
  argv.insert(argv.end(), {"--", host.host, remote_command});
  return argv;
}

std::string remote_pmctl_command(const std::vector<std::string>& args) {
  std::string line =
      "command -v pmctl >/dev/null 2>&1 || exit " + std::to_string(kRemoteNoPmctl) +
      "; [ \"$(pmctl __remote-protocol 2>/dev/null)\" = " + std::to_string(kRemoteProtocol) +
      " ] || exit " + std::to_string(kRemoteOldPmctl) + "; PMCTL_HOST= PMCTL_REMOTE=1 exec pmctl";
  for (const auto& a : args) {
    line += ' ';
    line += shell_quote(a);
  }
  return line;
}

}  // namespace pmctl::core
