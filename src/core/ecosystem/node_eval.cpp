#include "core/ecosystem/node_eval.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/base/interpreter.hpp"
#include "core/types/error.hpp"
#include "core/types/unique_fd.hpp"

extern char** environ;

namespace pmctl::core {
namespace {

using Clock = std::chrono::steady_clock;

// Imports the file (CommonJS or ES module alike) and writes the JSON of its default export to
// fd 3. An error is left to node's own handler, which prints where in the file it happened.
constexpr const char* kScript = R"JS(
const { pathToFileURL } = require("url");
const fs = require("fs");
import(pathToFileURL(require("path").resolve(process.argv[1])).href).then((m) => {
  const text = JSON.stringify(m.default !== undefined ? m.default : { ...m });
  if (text === undefined) throw new Error("the file exports nothing that JSON can hold");
  const out = Buffer.from(text);
  for (let done = 0; done < out.length;) done += fs.writeSync(3, out, done);
  process.exit(0);
});
)JS";

constexpr std::size_t kMaxDiagnostics = 16 << 10;

[[noreturn]] void fail_errno(const std::string& what) {
  throw Error(what + ": " + std::strerror(errno));
}

std::pair<UniqueFd, UniqueFd> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail_errno("cannot create a pipe for node");
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

std::string find_node(const std::string& path) {
  const char* path_env = std::getenv("PATH");
  std::error_code ec;
  const auto cwd = std::filesystem::current_path(ec);
  auto node = find_program("node", path_env ? path_env : "/usr/local/bin:/usr/bin:/bin",
                           ec ? "/" : cwd.string());
  if (!node)
    throw Error("node is needed to read '" + path + "'",
                "install nodejs or use a .json/.yml ecosystem file");
  return *node;
}

pid_t spawn_node(const std::string& node, const std::string& path, int result_fd, int diag_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, diag_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, diag_fd, 2);
  posix_spawn_file_actions_adddup2(&actions, result_fd, 3);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);  // its own group, killed as one
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<std::string> args = {node, "-e", kScript, "--", path};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int err = ::posix_spawn(&pid, node.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    errno = err;
    fail_errno("cannot run '" + node + "'");
  }
  return pid;
}

// Reads what is available without blocking; returns false at end of file.
bool drain(int fd, std::string& into, std::size_t keep) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    into.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n),
                                           keep - std::min(keep, into.size())));
    if (into.size() >= keep) return true;
  }
}

struct Child {
  pid_t pid;
  std::string path;
  Clock::time_point deadline;
  int exit_fd;  ///< a pidfd that becomes readable when the child exits, or -1
};

// Kills the whole process group and reaps the child, returning its wait status. The child is
// not reaped before this, so the group id cannot have been reused; killing the group also ends
// whatever the file started and left behind.
int kill_group(const Child& child) {
  ::kill(-child.pid, SIGKILL);
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Whether the child has exited, without reaping it.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

std::string describe(std::size_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::string describe(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

// Reads both pipes until the child exits, then what it left in them. Does not wait for end of
// file: a process the file started may hold the pipes open after node is gone.
int collect(const Child& child, int result_fd, int diag_fd, const NodeEvalLimits& limits,
            std::string& result, std::string& diagnostics) {
  bool result_open = true, diag_open = true;
  for (;;) {
    pollfd fds[3] = {{result_open ? result_fd : -1, POLLIN, 0},
                     {diag_open ? diag_fd : -1, POLLIN, 0},
                     {child.exit_fd, POLLIN, 0}};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(child.deadline - Clock::now());
    // Without a pidfd (kernels before 5.3) the exit is noticed within a tick of 20 ms.
    const long tick = child.exit_fd >= 0 ? left.count() : 20;
    ::poll(fds, 3, static_cast<int>(std::clamp<long>(left.count(), 0, tick)));
    const bool exited = has_exited(child.pid);
    if (result_open) result_open = drain(result_fd, result, limits.max_output + 1);
    if (diag_open) diag_open = drain(diag_fd, diagnostics, kMaxDiagnostics);
    if (result.size() > limits.max_output) {
      kill_group(child);
      throw Error(
          "'" + child.path + "' exports more than " + describe(limits.max_output) + " of JSON",
          "an ecosystem file declares apps; keep it small");
    }
    if (exited) return kill_group(child);
    if (Clock::now() >= child.deadline) {
      kill_group(child);
      throw Error("'" + child.path + "' did not finish within " + describe(limits.timeout),
                  "the file must export its apps without waiting for anything");
    }
  }
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) return "node was killed by signal " + std::to_string(WTERMSIG(status));
  return "node exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

std::string evaluate_js_config(const std::string& path, const NodeEvalLimits& limits) {
  const std::string node = find_node(path);
  auto [result_r, result_w] = make_pipe();
  auto [diag_r, diag_w] = make_pipe();
  const pid_t pid = spawn_node(node, path, result_w.get(), diag_w.get());
  const UniqueFd exit_fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  const Child child{pid, path, Clock::now() + limits.timeout, exit_fd.get()};
  result_w.reset();
  diag_w.reset();
  std::string result, diagnostics;
  const int status = collect(child, result_r.get(), diag_r.get(), limits, result, diagnostics);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string gist = summarize_node_error(diagnostics);
    throw Error("cannot read '" + path + "': " + (gist.empty() ? describe_exit(status) : gist),
                "run 'node " + path + "' to see the whole error");
  }
  if (result.empty())
    throw Error("cannot read '" + path + "': node printed nothing",
                "the file must set module.exports (or export default) to its apps");
  return result;
}

std::string summarize_node_error(const std::string& diagnostics) {
  std::string location, error, first;
  std::size_t start = 0;
  while (start < diagnostics.size()) {
    std::size_t end = diagnostics.find('\n', start);
    if (end == std::string::npos) end = diagnostics.size();
    const std::string line = diagnostics.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (first.empty()) first = line;
    // "SyntaxError: …", "Error [ERR_MODULE_NOT_FOUND]: …"; stack lines start with spaces.
    const std::string first_word = line.substr(0, line.find_first_of(" :"));
    const bool names_error = first_word.ends_with("Error") && line.find(": ") != std::string::npos;
    if (names_error && error.empty()) error = line;
    const std::size_t last_colon = line.rfind(':');
    const bool path_like = line[0] == '/' || line.starts_with("file://");
    if (location.empty() && error.empty() && path_like && last_colon != std::string::npos &&
        line.find_first_not_of("0123456789", last_colon + 1) == std::string::npos)
      location = line;
  }
  std::string gist = error.empty() ? first : error;
  if (!location.empty() && !error.empty()) gist += " (at " + location + ")";
  if (gist.size() > 300) gist = gist.substr(0, 297) + "...";
  return gist;
}

}  // namespace pmctl::core
