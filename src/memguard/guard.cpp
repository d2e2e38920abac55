#include "memguard/guard.hpp"

#include <dirent.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <charconv>

#include "core/base/resources.hpp"
#include "core/units/unit_names.hpp"

extern char** environ;

namespace pmctl::memguard {
namespace {

bool parse_number(const std::string& text, std::uint64_t& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& why) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--user") {
      o.user = true;
      continue;
    }
    if (i + 1 >= args.size()) {
      why = a.starts_with("--") ? a + " needs a value" : "unexpected argument '" + a + "'";
      return std::nullopt;
    }
    const std::string& v = args[++i];
    if (a == "--limit" && parse_number(v, o.limit_bytes) && o.limit_bytes > 0) continue;
    if (a == "--interval-ms" && parse_number(v, o.interval_ms) && o.interval_ms > 0) continue;
    if (a == "--pmctl" && v.starts_with("/")) {
      o.pmctl = v;
      continue;
    }
    if (a == "--action" && (v == "restart" || v == "reload")) {
      o.action = v;
      continue;
    }
    why = "bad option '" + a + " " + v + "'";
    return std::nullopt;
  }
  if (o.limit_bytes == 0 || o.pmctl.empty()) {
    why = "--limit and --pmctl are required";
    return std::nullopt;
  }
  return o;
}

std::vector<Instance> scan(const std::string& slice_cgroup) {
  std::vector<Instance> found;
  DIR* dir = opendir((core::cgroup2_root() + slice_cgroup).c_str());
  if (!dir) return found;
  while (const dirent* e = readdir(dir)) {
    if (e->d_type != DT_DIR) continue;
    const auto name = core::parse_service_unit_name(e->d_name);
    if (!name) continue;
    const core::Resident r = core::resident_of_cgroup(slice_cgroup + "/" + e->d_name);
    if (!r.found) continue;
    found.push_back({e->d_name, name->id, r.bytes, r.from_proc});
  }
  closedir(dir);
  return found;
}

std::vector<std::string> action_argv(const Options& o, int id) {
  std::vector<std::string> argv{o.pmctl};
  if (o.user) argv.emplace_back("--user");
  argv.emplace_back("--silent");  // its own line says what it does; pmctl's errors still show
  argv.push_back(o.action);
  argv.push_back(std::to_string(id));
  return argv;
}

int run_and_wait(const std::vector<std::string>& argv) {
  std::vector<char*> c_argv;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, c_argv[0], nullptr, nullptr, c_argv.data(), environ) != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace pmctl::memguard
