#pragma once
// Where `pmctl -H` and `pmctl deploy` go: a host as the user wrote it ([user@]host[:port], a
// list of them, a group from an ecosystem file), and the ssh command line that reaches it.
// Pure text work: nothing here runs anything (ssh_process.hpp does).

#include <string>
#include <string_view>
#include <vector>

namespace pmctl::core {

struct RemoteHost {
  std::string user;   ///< "" for ssh's own choice (its config, then the local user name)
  std::string host;   ///< a name, an ssh config alias, an IPv4 or IPv6 address (no brackets)
  std::string port;   ///< "" for ssh's own choice (its config, then 22)
  std::string label;  ///< as the user wrote it: what output and errors call this host
};

/// One host: `[user@]host[:port]`, an IPv6 address in brackets when a port follows
/// (`[::1]:2222`). Throws core::Error (exit 2) naming what is wrong.
RemoteHost parse_remote_host(std::string_view spec);

/// A comma-separated list (`-H a,b,c`); empty items and duplicates are refused.
std::vector<RemoteHost> parse_remote_hosts(std::string_view list);

/// `word` as one POSIX shell word (single quotes; a ' becomes '\''), for the remote's shell.
std::string shell_quote(std::string_view word);

/// How pmctl runs ssh: the command (PMCTL_SSH_COMMAND, split on blanks, default "ssh") and the
/// options it always adds: BatchMode=yes (never a password prompt) and a connect timeout.
struct SshSettings {
  std::vector<std::string> command{"ssh"};
  std::vector<std::string> extra;  ///< more arguments before the host (deploy's key, -o options)
  int connect_timeout_s = 10;
};

/// Reads PMCTL_SSH_COMMAND and PMCTL_SSH_TIMEOUT (seconds, 1-3600); throws core::Error for a
/// bad value.
SshSettings ssh_settings_from_env();

/// The argv that runs `remote_command` (one string, for the remote user's shell) on `host`:
/// ssh -o BatchMode=yes -o ConnectTimeout=N [-t|-T] [extra] [-p port] [-l user] -- host cmd.
std::vector<std::string> ssh_argv(const SshSettings& ssh, const RemoteHost& host, bool tty,
                                  const std::string& remote_command);

/// The remote protocol this pmctl speaks; a remote pmctl answers `pmctl __remote-protocol`
/// with its own, and -H needs the same.
inline constexpr int kRemoteProtocol = 1;
/// The first pmctl that speaks it.
inline constexpr const char* kRemoteProtocolSince = "0.2.0";
/// The exit codes of remote_pmctl_command's checks (pmctl itself never exits with these).
inline constexpr int kRemoteNoPmctl = 249;
inline constexpr int kRemoteOldPmctl = 248;

/// The remote shell command that runs `pmctl <args>` there: first checks that pmctl is in the
/// remote user's PATH (else exits kRemoteNoPmctl) and speaks kRemoteProtocol (else
/// kRemoteOldPmctl), then execs it with PMCTL_REMOTE=1 (and PMCTL_HOST emptied, so the remote
/// never forwards again). Every argument is quoted: the remote's shell sees each as one word.
std::string remote_pmctl_command(const std::vector<std::string>& args);

}  // namespace pmctl::core
