#include "core/base/run_as.hpp"

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

std::vector<std::string> environment_of(const Account& user, const std::string& home,
                                        const std::map<std::string, std::string>& extra) {
  const char* path = std::getenv("PATH");
  std::map<std::string, std::string> env = {
      {"PATH", path ? path : "/usr/local/bin:/usr/bin:/bin"},
      {"HOME", home},
      {"USER", user.name},
      {"LOGNAME", user.name},
      {"XDG_RUNTIME_DIR", user_runtime_dir(user.uid)},
      {"DBUS_SESSION_BUS_ADDRESS", "unix:path=" + user_runtime_dir(user.uid) + "/bus"},
  };
  for (const auto& [key, value] : extra) env[key] = value;
  std::vector<std::string> out;
  for (const auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// In the child: becomes `user` and execs; returns only on failure (then the child exits 127).
void become_and_exec(const Account& user, const std::string& home, const std::string& path,
                     std::vector<std::string>& argv, std::vector<std::string>& env) {
  if (initgroups(user.name.c_str(), user.gid) != 0 || setgid(user.gid) != 0 ||
      setuid(user.uid) != 0)
    return;
  if (chdir(home.c_str()) != 0 && chdir("/") != 0) return;
  const auto args = pointers(argv);
  const auto envp = pointers(env);
  execve(path.c_str(), args.data(), envp.data());
}

}  // namespace

std::string user_runtime_dir(unsigned uid) { return "/run/user/" + std::to_string(uid); }

int run_as(const Account& user, const std::string& home, const std::string& path,
           const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra) {
  std::vector<std::string> args = argv;
  std::vector<std::string> env = environment_of(user, home, extra);
  const pid_t pid = fork();
  if (pid < 0)
    throw Error(
        std::string("cannot start a process as '") + user.name + "': " + std::strerror(errno), "");
  if (pid == 0) {
    become_and_exec(user, home, path, args, env);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return 127;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace pmctl::core
