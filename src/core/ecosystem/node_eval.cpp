#include "core/ecosystem/node_eval.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "core/base/interpreter.hpp"
#include "core/base/on_failure.hpp"
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

/// Everything the child needs, prepared before fork(): after it, the child may only make
/// async-signal-safe calls.
struct NodeCommand {
  std::string node;
  std::vector<std::string> args;
  std::vector<char*> argv;
};

NodeCommand node_command(const std::string& node, const std::string& path) {
  NodeCommand c{node, {node, "-e", kScript, "--", path}, {}};
  for (auto& a : c.args) c.argv.push_back(a.data());
  c.argv.push_back(nullptr);
  return c;
}

/// Moves `fd` to `target`; dup2 onto itself would keep O_CLOEXEC, so that is cleared instead.
void move_fd(int fd, int target) {
  if (fd == target)
    ::fcntl(fd, F_SETFD, 0);
  else
    ::dup2(fd, target);
}

/// The child: a process group of its own, then it waits until the parent writes one byte on
/// `go` (the parent has put it into its scope by then), so nothing it starts can escape first.
/// Without that byte (the parent died) it exits.
[[noreturn]] void run_child(const NodeCommand& c, int result_fd, int diag_fd, int go_read,
                            int go_write) {
  ::setpgid(0, 0);
  ::close(go_write);
  char byte = 0;
  ssize_t n;
  do n = ::read(go_read, &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1) ::_exit(127);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) move_fd(null_fd, 0);
  move_fd(diag_fd, 1);
  move_fd(diag_fd, 2);
  move_fd(result_fd, 3);
  ::execve(c.node.c_str(), c.argv.data(), environ);
  ::_exit(127);
}

/// The channel the child waits on (see run_child): a socket pair, so that the parent's write to
/// a child that is already gone is an error (MSG_NOSIGNAL), not a SIGPIPE; both ends block.
std::pair<UniqueFd, UniqueFd> make_go_channel() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    fail_errno("cannot create a socket pair for node");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void send_go(int fd) {
  if (::send(fd, "g", 1, MSG_NOSIGNAL) != 1) fail_errno("cannot start node");
}

pid_t spawn_node(const NodeCommand& c, int result_fd, int diag_fd, int go_read, int go_write) {
  const pid_t pid = ::fork();
  if (pid < 0) fail_errno("cannot run '" + c.node + "'");
  if (pid == 0) run_child(c, result_fd, diag_fd, go_read, go_write);
  ::setpgid(pid, pid);  // also here, so that the group exists whichever of the two runs first
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

/// The processes whose parent is this process, from /proc.
std::vector<pid_t> own_children() {
  std::vector<pid_t> out;
  const std::string self = std::to_string(::getpid());
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so from the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state, ppid;
    if (rest >> state >> ppid && ppid == self) out.push_back(std::stoi(name));
  }
  return out;
}

/// The fallback's cleanup: kills and reaps whatever was reparented to this subreaper, again
/// until none is left (a process killed here may leave children of its own), for at most 2 s.
void end_orphans() {
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  for (;;) {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    const auto children = own_children();
    if (children.empty() || Clock::now() >= deadline) break;
    for (pid_t pid : children) ::kill(pid, SIGKILL);
    while (::waitpid(-1, nullptr, WNOHANG) <= 0 && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/// Where the evaluation runs (see evaluate_js_config): a scope unit of the manager, else this
/// process as a subreaper. The destructor ends every process the evaluation left.
class Containment {
 public:
  Containment(Manager* manager, pid_t pid, const std::string& path) {
    if (manager) {
      const UnitSpec spec = eval_scope_spec(pid, path);
      try {
        manager->start_transient(spec);
        manager_ = manager;
        scope_ = spec.name;
        return;
      } catch (const std::exception&) {
        // No scope (the manager refused it): the fallback below.
      }
    }
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  }
  Containment(const Containment&) = delete;
  Containment& operator=(const Containment&) = delete;
  ~Containment() {
    if (manager_)
      quietly([&] { manager_->stop(scope_); });
    else
      end_orphans();
  }

 private:
  Manager* manager_ = nullptr;
  std::string scope_;
};

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) return "node was killed by signal " + std::to_string(WTERMSIG(status));
  return "node exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

UnitSpec eval_scope_spec(int pid, const std::string& path) {
  return {"pmctl-eval-" + std::to_string(pid) + ".scope",
          {{"Description", "pmctl: evaluating " + path},
           {"PIDs", std::vector<std::uint32_t>{static_cast<std::uint32_t>(pid)}},
           {"KillSignal", std::int32_t{SIGKILL}},
           {"CollectMode", std::string("inactive-or-failed")}},
          {}};
}

std::string evaluate_js_config(const std::string& path, const NodeEvalLimits& limits,
                               Manager* manager) {
  const NodeCommand command = node_command(find_node(path), path);
  auto [result_r, result_w] = make_pipe();
  auto [diag_r, diag_w] = make_pipe();
  auto [go_r, go_w] = make_go_channel();
  const pid_t pid = spawn_node(command, result_w.get(), diag_w.get(), go_r.get(), go_w.get());
  const UniqueFd exit_fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  const Child child{pid, path, Clock::now() + limits.timeout, exit_fd.get()};
  result_w.reset();
  diag_w.reset();
  go_r.reset();
  // Ends what node started, once node itself is gone (collect reaps it, on every way out).
  std::optional<Containment> contained;
  {
    const OnFailure kill_node([&] { kill_group(child); });
    contained.emplace(manager, pid, path);
    send_go(go_w.get());
    go_w.reset();
  }
  std::string result, diagnostics;
  const int status = collect(child, result_r.get(), diag_r.get(), limits, result, diagnostics);
  contained.reset();
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
