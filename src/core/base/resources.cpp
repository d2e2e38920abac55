#include "core/base/resources.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/types/unique_fd.hpp"

namespace pmctl::core {
namespace {

/// More than any record of the files `slurp` reads (a cgroup.procs or cpu.stat line, the one
/// record of /proc/<pid>/stat).
constexpr std::size_t kRecordRoom = 1024;

/// The whole of a small kernel file, or nothing. Plain syscalls: `ls` reads a few files per app
/// and iostreams cost more than the reads themselves.
bool slurp(const std::string& path, std::string& out) {
  const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return false;
  out.clear();
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd.get(), buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
    // procfs and cgroupfs files are seq_files: a read returns as many whole records (a line,
    // or all of /proc/<pid>/stat) as fit. When room for another record was left, there is
    // none: skip the read that would return 0 (150 system calls for 50 apps).
    if (static_cast<std::size_t>(n) + kRecordRoom <= sizeof buffer) break;
  }
  return true;
}

/// The number after `key ` in a flat-keyed cgroup file such as cpu.stat.
std::uint64_t keyed_value(const std::string& text, const char* key) {
  const std::size_t at = text.find(key);
  if (at == std::string::npos) return 0;
  return std::strtoull(text.c_str() + at + std::strlen(key), nullptr, 10);
}

std::vector<std::uint32_t> pids_of(const std::string& procs) {
  std::vector<std::uint32_t> pids;
  const char* p = procs.c_str();
  char* end = nullptr;
  for (unsigned long pid = std::strtoul(p, &end, 10); end != p; pid = std::strtoul(p, &end, 10)) {
    pids.push_back(static_cast<std::uint32_t>(pid));
    p = end;
  }
  return pids;
}

struct ProcStat {
  std::uint64_t start_ticks = 0;  ///< field 22: start time in clock ticks after boot
  std::uint64_t rss_pages = 0;    ///< field 24
};

/// Fields of /proc/<pid>/stat; all zero if the process is gone.
ProcStat proc_stat(std::uint32_t pid) {
  ProcStat st;
  std::string text;
  if (!slurp("/proc/" + std::to_string(pid) + "/stat", text)) return st;
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) return st;
  const char* p = text.c_str() + close + 1;
  for (int field = 3; field <= 24 && *p; ++field) {
    while (*p == ' ') ++p;
    if (field == 22) st.start_ticks = std::strtoull(p, nullptr, 10);
    if (field == 24) st.rss_pages = std::strtoull(p, nullptr, 10);
    while (*p && *p != ' ') ++p;
  }
  return st;
}

/// Ticks after boot -> CLOCK_REALTIME µs.
std::uint64_t ticks_to_realtime_usec(std::uint64_t ticks) {
  timespec boot{}, real{};
  clock_gettime(CLOCK_BOOTTIME, &boot);
  clock_gettime(CLOCK_REALTIME, &real);
  const auto usec = [](const timespec& t) {
    return static_cast<std::uint64_t>(t.tv_sec) * 1000000 +
           static_cast<std::uint64_t>(t.tv_nsec) / 1000;
  };
  const std::uint64_t since_boot =
      ticks * 1000000 / static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK));
  return usec(real) - (usec(boot) - since_boot);
}

/// Once one cgroup shows no memory.current, the others (siblings in pmctl.slice) have none
/// either: don't try again for every app.
std::atomic<bool> g_no_memory_controller{false};

}  // namespace

std::string cgroup2_root() {
  static const std::string root = std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers")
                                      ? "/sys/fs/cgroup"
                                      : "/sys/fs/cgroup/unified";
  return root;
}

std::string process_cgroup(std::uint32_t pid) {
  std::string text;
  if (!slurp("/proc/" + std::to_string(pid) + "/cgroup", text)) return "";
  const std::size_t at = text.find("0::");
  if (at == std::string::npos) return "";
  const std::size_t end = text.find('\n', at);
  return text.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
}

std::string manager_cgroup(Scope scope, uid_t uid) {
  if (scope == Scope::System) return "";
  const std::string id = std::to_string(uid);
  return "/user.slice/user-" + id + ".slice/user@" + id + ".service";
}

std::string expected_unit_cgroup(Scope scope, uid_t uid, const std::string& slice,
                                 const std::string& unit) {
  return manager_cgroup(scope, uid) + "/pmctl.slice/" + slice + "/" + unit;
}

Usage usage_of_cgroup(const std::string& control_group) {
  Usage usage;
  if (control_group.empty()) return usage;
  const std::string dir = cgroup2_root() + control_group;
  std::string text;
  if (!slurp(dir + "/cpu.stat", text)) return usage;
  usage.found = true;
  usage.cpu_usec = keyed_value(text, "usage_usec ");
  const bool memory_current = !g_no_memory_controller && slurp(dir + "/memory.current", text);
  if (memory_current)
    usage.memory_bytes = std::strtoull(text.c_str(), nullptr, 10);
  else
    g_no_memory_controller = true;
  usage.memory_from_proc = !memory_current;
  if (!slurp(dir + "/cgroup.procs", text)) return usage;
  static const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  std::uint64_t oldest = 0;
  for (std::uint32_t pid : pids_of(text)) {
    const ProcStat st = proc_stat(pid);
    if (st.start_ticks == 0) continue;  // exited meanwhile
    if (oldest == 0 || st.start_ticks < oldest) oldest = st.start_ticks, usage.oldest_pid = pid;
    if (!memory_current) usage.memory_bytes += st.rss_pages * page;
  }
  if (oldest != 0) usage.start_usec = ticks_to_realtime_usec(oldest);
  return usage;
}

std::uint64_t resident_from_memory_stat(const std::string& text) {
  std::uint64_t total = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + at, end - at);
    for (std::string_view key : {"anon ", "file_mapped "})
      if (line.starts_with(key))
        total += std::strtoull(std::string(line.substr(key.size())).c_str(), nullptr, 10);
    at = end + 1;
  }
  return total;
}

Resident resident_of_cgroup(const std::string& control_group) {
  Resident resident;
  if (control_group.empty()) return resident;
  const std::string dir = cgroup2_root() + control_group;
  std::string text;
  if (slurp(dir + "/memory.stat", text)) {
    resident.found = true;
    resident.bytes = resident_from_memory_stat(text);
    return resident;
  }
  if (!slurp(dir + "/cgroup.procs", text)) return resident;
  resident.found = true;
  resident.from_proc = true;
  static const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  for (std::uint32_t pid : pids_of(text)) resident.bytes += proc_stat(pid).rss_pages * page;
  return resident;
}

bool memory_controller_available(const std::string& control_group) {
  std::string text;
  if (!slurp(cgroup2_root() + control_group + "/cgroup.controllers", text)) return false;
  return (" " + text + " ").find(" memory") != std::string::npos;
}

}  // namespace pmctl::core
