#include "memguard/guard.hpp"

#include <dirent.h>

#include "core/base/resources.hpp"
#include "core/text/format.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::memguard {

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
    const auto n = core::parse_decimal(v);
    if (a == "--limit" && n.value_or(0) > 0) {
      o.limit_bytes = *n;
      continue;
    }
    if (a == "--interval-ms" && n.value_or(0) > 0) {
      o.interval_ms = *n;
      continue;
    }
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

}  // namespace pmctl::memguard
