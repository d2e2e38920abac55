#include "harness.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace pmctl::test {
namespace {

void drain(int out_fd, int err_fd, Result& r) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
    }
  }
}

}  // namespace

Result run(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) std::abort();
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]), close(err_pipe[0]), close(out_pipe[1]), close(err_pipe[1]);
    freopen("/dev/null", "r", stdin);
    for (const auto& kv : env) putenv(strdup(kv.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]), close(err_pipe[1]);
  Result r;
  drain(out_pipe[0], err_pipe[0], r);
  int status = 0;
  waitpid(pid, &status, 0);
  r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

Result pmctl(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<std::string> argv{PMCTL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, env);
}

Result sh(const std::string& command) { return run({"/bin/sh", "-c", command}); }

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

nlohmann::json jlist(const std::vector<std::string>& extra) {
  std::vector<std::string> args = extra;
  args.push_back("jlist");
  const Result r = pmctl(args);
  if (r.exit_code != 0) return nlohmann::json::array();
  return nlohmann::json::parse(r.out, nullptr, false);
}

nlohmann::json app(const std::string& name, const std::vector<std::string>& extra) {
  for (const auto& a : jlist(extra))
    if (a.value("name", "") == name) return a;
  return nullptr;
}

std::string status_of(const std::string& name, const std::vector<std::string>& extra) {
  const auto a = app(name, extra);
  return a.is_null() ? "absent" : a["pm2_env"]["status"].get<std::string>();
}

std::string unit_property(const std::string& unit, const std::string& property, bool user) {
  std::vector<std::string> argv{"systemctl"};
  if (user) argv.push_back("--user");
  for (const char* a : {"show", "--value", "-p"}) argv.push_back(a);
  argv.push_back(property);
  argv.push_back(unit);
  Result r = run(argv, user ? std::vector<std::string>{"XDG_RUNTIME_DIR=/run/user/0"}
                            : std::vector<std::string>{});
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

std::string app_path(const std::string& file) { return std::string(PMCTL_TEST_APPS) + "/" + file; }

std::string unique_name(const std::string& stem) {
  static std::atomic<int> counter{0};
  return stem + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string show_cell(const std::string& show, const std::string& label) {
  const std::string bar = "│";
  const auto row = show.find(bar + " " + label + " ");
  if (row == std::string::npos) return "";
  const auto start = show.find(bar, row + bar.size()) + bar.size();
  const auto end = show.find(bar, start);
  std::string cell = show.substr(start, end - start);
  while (!cell.empty() && cell.front() == ' ') cell.erase(0, 1);
  while (!cell.empty() && cell.back() == ' ') cell.pop_back();
  return cell;
}

}  // namespace pmctl::test
