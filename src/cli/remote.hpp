#pragma once
// `pmctl -H [user@]host[:port] <verb>` (and PMCTL_HOST): the verb runs on other hosts, by the
// pmctl installed there, over the user's ssh. main() hands over before parsing anything else.

#include <optional>
#include <string>
#include <vector>

#include "core/remote/hosts.hpp"

namespace pmctl::cli {

/// What -H asked for: the host list as written, and the arguments without -H.
struct RemoteRequest {
  std::string hosts;
  std::vector<std::string> args;
};

/// Finds -H HOSTS, -HHOSTS, --host HOSTS or --host=HOSTS before the first bare `--`, else a
/// non-empty PMCTL_HOST; nullopt when the command runs here.
std::optional<RemoteRequest> remote_request(int argc, char** argv);

/// Runs the request on its hosts; the exit code for main.
int run_remote(const RemoteRequest& request);

/// Why a host did not run the command, from ssh's exit status (and what ssh said on stderr, for
/// 255); "" when the remote pmctl ran, whatever its own exit code.
std::string transport_failure(int status, const std::string& ssh_stderr,
                              const core::RemoteHost& host);

/// The last non-empty line of `text` (what ssh says of its own failure is its last line).
std::string last_line(const std::string& text);

/// When ssh was ended by this pmctl's SIGINT, SIGTERM or SIGHUP: ends this process by the same
/// signal, as the command would have ended on the host. Returns otherwise.
void end_as_stopped();

/// Whether a remote `pmctl logs` should stop when its stdin reaches EOF: it runs for a local
/// pmctl over ssh (PMCTL_REMOTE=1) that holds the other end (docs/remote.md).
bool follow_ends_with_stdin();

}  // namespace pmctl::cli
