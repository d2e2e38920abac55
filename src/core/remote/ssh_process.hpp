#pragma once
// Running ssh for `pmctl -H` and `pmctl deploy`: one child with this terminal, several at once
// with their output read line by line, or one fed a script on its stdin. The children are found
// on PATH (ssh, or what PMCTL_SSH_COMMAND names).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pmctl::core {

/// How a child's stdin is given.
enum class ChildInput {
  kInherit,  ///< this process's stdin (`pmctl -H h start - < file` sends the file)
  kHeld,     ///< a pipe this process holds open until the child ends: the remote sees EOF on
             ///< its stdin only when this pmctl is gone (how a remote `logs` knows to stop)
};

/// Runs argv with this process's stdout and stderr and waits for it. SIGINT, SIGTERM and SIGHUP
/// to this process are passed to the child as SIGTERM (and close a held stdin). Returns its exit
/// status (128 + signal when a signal ended it), or -1 if it could not run.
int run_attached(const std::vector<std::string>& argv, ChildInput input);

/// Runs argv with this process's stdout and stderr and `input` written to its stdin (then
/// closed). Same signals and result as run_attached.
int run_with_input(const std::vector<std::string>& argv, const std::string& input);

/// The stop signal (SIGINT, SIGTERM or SIGHUP) the last run_attached, run_with_input or run_all
/// received while it waited, or 0: the caller ends the same way (a local `pmctl logs` ends by
/// its Ctrl-C, so `pmctl -H h logs` does too).
int stop_signal_received();

/// One child of run_all: its exit status and, unless lines were passed on as they came, what it
/// wrote (at most 16 MiB each).
struct ChildResult {
  int status = -1;
  std::string out;
  std::string err;
};

/// Called for each line a child writes (without its newline; a last line without one too):
/// `index` into argvs, `to_stderr` for stderr lines.
using LineSink = std::function<void(std::size_t index, bool to_stderr, std::string_view line)>;

/// Runs every argv, at most `parallel` at once, each with a held stdin; waits for all. Lines go
/// to `sink` as they come if one is given, else they are kept in the results. SIGINT, SIGTERM
/// and SIGHUP end the running children (SIGTERM) and start no more.
std::vector<ChildResult> run_all(const std::vector<std::vector<std::string>>& argvs,
                                 std::size_t parallel, const LineSink& sink = {});

}  // namespace pmctl::core
