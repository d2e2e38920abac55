#include "core/units/boot_units.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/cluster/cluster.hpp"
#include "core/types/error.hpp"
#include "core/units/balancer_units.hpp"
#include "core/units/companion_units.hpp"
#include "core/units/unit_file.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

std::string quoted(const std::string& path) {
  if (path.find('\'') != std::string::npos)
    throw Error("cannot save a path with a single quote: " + path);
  return "'" + path + "'";
}

void add_standby_condition(UnitSpec& spec, const BootPaths& paths) {
  // Appended, not one concatenation: GCC 12 warns falsely (-Wrestrict) about "!" + string.
  std::string condition = "!";
  condition.append(standby_flag(paths.runtime_dir, spec.name));
  spec.properties.insert(spec.properties.begin() + 1, {"ConditionPathExists", condition});
}

std::string rendered(UnitSpec spec, const BootPaths& paths) {
  add_standby_condition(spec, paths);
  return render_unit_file(spec, boot_header());
}

UnitSpec instance_unit(const AppRecord& rec, const BootPaths& paths) {
  InstanceContext ctx = paths.programs;
  ctx.id = rec.id;
  ctx.instance = rec.instance;
  ctx.slot = Slot::Saved;
  ctx.endpoint = rec.endpoint;
  ctx.scope = paths.scope;
  ctx.env_file = saved_env_path(paths.state_dir, rec.id);
  ctx.backoff_state =
      (std::filesystem::path(paths.state_dir) / "backoff" / std::to_string(rec.id)).string();
  if (rec.decl.cluster.shared()) ctx.socket_unit = saved_balancer_base(rec.decl.name) + ".socket";
  return map_service(rec.decl, ctx);
}

// The saved balancer reads the same runtime files as the transient one, so that pmctl keeps
// them current after a boot; at boot they are not there yet, so it copies the saved ones first
// (as root: `+`), never over ones pmctl wrote since.
ExecCommand restore_runtime_files(const AppDecl& decl, const BootPaths& paths, bool copy_binary) {
  const std::string backends = backend_file_path(paths.runtime_dir, decl.name);
  // The service's UMask (077) would make them unreadable for the balancer's dynamic user.
  const std::string dir = cluster_dir(paths.runtime_dir, decl.name);
  std::string script =
      "umask 022 && mkdir -p " + quoted(dir) + " && chmod 0755 " + quoted(paths.runtime_dir) + " " +
      quoted(fs::path(dir).parent_path().string()) + " " + quoted(dir) + " && { [ -e " +
      quoted(backends) + " ] || cp " + quoted(saved_backends_path(paths.state_dir, decl.name)) +
      " " + quoted(backends) + "; } && chmod 0644 " + quoted(backends);
  if (copy_binary) {
    const std::string copy = balancer_copy_path(paths.runtime_dir);
    script += " && { cmp -s " + quoted(saved_balancer_copy(paths.state_dir)) + " " + quoted(copy) +
              " || install -D -m 0755 " + quoted(saved_balancer_copy(paths.state_dir)) + " " +
              quoted(copy) + "; }";
  }
  return {paths.programs.shell, {paths.programs.shell, "-c", script}, {"privileged"}};
}

std::vector<UnitSpec> balancer_unit_files(const AppDecl& decl, const BootPaths& paths) {
  const bool copy = !decl.cluster.shared() && balancer_needs_copy(paths.balancer, paths.scope);
  const std::string binary = copy ? balancer_copy_path(paths.runtime_dir) : paths.balancer;
  BalancerPlan plan =
      balancer_plan(decl, backend_file_path(paths.runtime_dir, decl.name), binary, paths.scope);
  plan.unit_base = saved_balancer_base(decl.name);
  if (decl.cluster.shared()) return shared_socket_units(plan);
  plan.start_pre = {restore_runtime_files(decl, paths, copy)};
  UnitSpec socket = balancer_units(plan);
  UnitSpec service = socket.aux.at(0);
  socket.aux.clear();
  return {socket, service};
}

UnitSpec slice_unit(const std::string& name, const std::string& description) {
  return UnitSpec{name, {{"Description", description}}, {}};
}

}  // namespace

std::string saved_env_path(const std::string& state_dir, int id) {
  return (std::filesystem::path(state_dir) / "saved" / "env" / (std::to_string(id) + ".env"))
      .string();
}

std::string saved_backends_path(const std::string& state_dir, const std::string& app) {
  return (std::filesystem::path(state_dir) / "saved" / "backends" / app).string();
}

std::string saved_balancer_copy(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / "saved" / "bin" / "pmctl-balancer").string();
}

std::string standby_flag(const std::string& runtime_dir, const std::string& unit) {
  return (std::filesystem::path(runtime_dir) / "standby" / unit).string();
}

bool is_saved_unit(const std::string& unit) {
  return unit.starts_with(std::string(kUnitPrefix) + "-") &&
         (unit.ends_with("-s.service") || unit.ends_with("-s.socket") ||
          unit.ends_with("-s.timer"));
}

std::vector<GeneratedFile> companion_unit_files(const AppDecl& decl, const BootPaths& paths) {
  std::vector<GeneratedFile> files;
  const CompanionContext ctx{paths.scope, paths.pmctl, true, paths.memguard, paths.watch};
  for (const auto& info : companion_kinds()) {
    if (!wants_companion(decl, info.kind)) continue;
    UnitSpec main = companion_spec(decl, info.kind, ctx);
    std::vector<UnitSpec> others = std::move(main.aux);
    main.aux.clear();
    files.push_back({main.name, rendered(main, paths)});
    for (const auto& unit : others)
      files.push_back({unit.name, render_unit_file(unit, boot_header())});
  }
  return files;
}

std::string boot_header() {
  return "Generated by 'pmctl save': the next 'pmctl save' overwrites or removes it; edit the app\n"
         "and save again instead. pmctl.target starts it at boot (see 'pmctl startup').";
}

std::string saved_backends_text(const std::vector<BootApp>& apps, const std::string& app) {
  std::vector<const AppRecord*> recs;
  for (const auto& a : apps)
    if (a.record.decl.name == app && !a.record.endpoint.empty()) recs.push_back(&a.record);
  std::sort(recs.begin(), recs.end(),
            [](const auto* a, const auto* b) { return a->instance < b->instance; });
  std::vector<std::string> endpoints;
  for (const auto* rec : recs) endpoints.push_back(rec->endpoint);
  return backend_file_text(app, endpoints);
}

std::vector<GeneratedFile> render_boot_units(const std::vector<BootApp>& apps,
                                             const BootPaths& paths) {
  std::vector<GeneratedFile> files;
  std::vector<std::string> wanted;
  std::map<std::string, bool> app_running;  // cluster app name -> any instance not stopped
  std::map<std::string, bool> app_up;       // any app name -> any instance not stopped
  std::vector<std::string> app_order;
  for (const auto& app : apps) {
    const UnitSpec spec = instance_unit(app.record, paths);
    files.push_back({spec.name, rendered(spec, paths)});
    if (!app.stopped) wanted.push_back(spec.name);
    const std::string& name = app.record.decl.name;
    if (std::find(app_order.begin(), app_order.end(), name) == app_order.end())
      app_order.push_back(name);
    if (app.record.decl.cluster.balanced()) app_running[name] = app_running[name] || !app.stopped;
    app_up[name] = app_up[name] || !app.stopped;
  }
  for (const auto& name : app_order) {
    const auto it = std::find_if(apps.begin(), apps.end(),
                                 [&](const BootApp& a) { return a.record.decl.name == name; });
    files.push_back({app_slice_name(name),
                     render_unit_file(slice_unit(app_slice_name(name), "pmctl app '" + name + "'"),
                                      boot_header())});
    // A companion starts at boot when it stays with a stopped app (cron: PM2 keeps the job), or
    // when the app runs; its main unit is the one wanted.
    for (const auto& file : companion_unit_files(it->record.decl, paths)) {
      files.push_back(file);
      const bool main = std::any_of(
          companion_kinds().begin(), companion_kinds().end(), [&](const CompanionInfo& info) {
            return file.name == companion_units(name, info.kind, true)[0] &&
                   (info.stays_when_stopped || app_up[name]);
          });
      if (main) wanted.push_back(file.name);
    }
    if (!it->record.decl.cluster.balanced()) continue;
    for (const auto& unit : balancer_unit_files(it->record.decl, paths)) {
      files.push_back({unit.name, rendered(unit, paths)});
      if (app_running[name]) wanted.push_back(unit.name);
    }
  }
  files.push_back(
      {"pmctl.slice", render_unit_file(slice_unit("pmctl.slice", "pmctl apps"), boot_header())});
  UnitSpec target{
      kBootTarget, {{"Description", std::string("pmctl: the apps saved by 'pmctl save'")}}, {}};
  if (!wanted.empty()) target.properties.push_back({"Wants", wanted});
  target.properties.push_back(
      {"WantedBy", std::vector<std::string>{paths.scope == Scope::User ? "default.target"
                                                                       : "multi-user.target"}});
  files.push_back({kBootTarget, render_unit_file(target, boot_header())});
  return files;
}

}  // namespace pmctl::core
