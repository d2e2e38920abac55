#include "core/resources.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace pmctl::core {

std::string cgroup2_root() {
  if (std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers")) return "/sys/fs/cgroup";
  return "/sys/fs/cgroup/unified";
}

std::uint64_t process_rss_bytes(std::uint32_t pid) {
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

std::uint64_t cgroup_rss_bytes(const std::string& cgroup_root, const std::string& control_group) {
  if (control_group.empty()) return 0;
  std::ifstream procs(cgroup_root + control_group + "/cgroup.procs");
  std::uint64_t total = 0;
  std::uint32_t pid = 0;
  while (procs >> pid) total += process_rss_bytes(pid);
  return total;
}

}  // namespace pmctl::core
