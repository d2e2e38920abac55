#include "core/state/log_files.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "core/base/resources.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::vector<pid_t> cgroup_pids(const std::string& control_group) {
  std::ifstream in(cgroup2_root() + control_group + "/cgroup.procs");
  std::vector<pid_t> pids;
  for (pid_t pid; in >> pid;) pids.push_back(pid);
  return pids;
}

}  // namespace

std::vector<std::string> truncate_log_files(const LogTargets& targets) {
  std::vector<std::string> done;
  for (const std::string* path : {&targets.out, &targets.err, &targets.log}) {
    if (path->empty()) continue;
    if (truncate(path->c_str(), 0) == 0) {
      done.push_back(*path);
    } else if (errno != ENOENT) {
      throw Error("cannot empty '" + *path + "': " + std::strerror(errno),
                  "check the file's permissions, or run as its owner");
    }
  }
  return done;
}

void create_log_dirs(const LogTargets& targets) {
  for (const std::string* path : {&targets.out, &targets.err, &targets.log}) {
    const auto dir = std::filesystem::path(*path).parent_path();
    if (path->empty() || dir.empty()) continue;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      throw Error("cannot create the directory of log file '" + *path + "': " + ec.message(),
                  "choose another path, or create the directory");
  }
}

std::size_t signal_log_writers(const std::string& control_group) {
  std::size_t signalled = 0;
  for (pid_t pid : cgroup_pids(control_group)) {
    if (first_line("/proc/" + std::to_string(pid) + "/comm") != kLogWriterComm) continue;
    if (kill(pid, SIGUSR2) == 0) {
      ++signalled;
    } else if (errno == EPERM) {
      throw Error("not allowed to signal the log writer of " + control_group,
                  "run as root or use --user");
    }
  }
  return signalled;
}

}  // namespace pmctl::core
