#include "core/lifecycle/recovery.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "core/base/files.hpp"
#include "core/state/dump.hpp"
#include "core/state/record_files.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

/// A loaded instance unit of this state directory, and what its environment file says.
struct LiveUnit {
  std::string unit;
  ServiceUnitName parsed;
  std::string ns = "default";
};

/// One value of an environment file as render_environment_file writes it: 'text', with a quote
/// as '"'"'.
std::string unquote(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char q = v[i];
    if (q != '\'' && q != '"') {
      out += q;
      continue;
    }
    const auto end = v.find(q, i + 1);
    if (end == std::string_view::npos) return out + std::string(v.substr(i + 1));
    out += v.substr(i + 1, end - i - 1);
    i = end;
  }
  return out;
}

/// The variables pmctl puts in every environment file (pm_id, name, namespace).
std::map<std::string, std::string> injected_values(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string key(line.substr(0, eq));
    if (key == "pm_id" || key == "name" || key == "namespace")
      out[key] = unquote(line.substr(eq + 1));
  }
  return out;
}

/// The loaded units that are this state directory's: their environment file names them.
std::map<int, LiveUnit> live_units(const Registry& registry,
                                   const std::function<Manager&()>& manager) {
  std::map<int, LiveUnit> out;
  std::vector<std::string> units;
  try {
    units = manager().units_matching(std::string(kServiceUnitPattern));
  } catch (const ManagerError&) {
    return out;  // no manager to ask: the record files alone say what there is
  }
  for (const auto& unit : units) {
    const auto parsed = parse_service_unit_name(unit);
    if (!parsed || out.count(parsed->id)) continue;
    const auto text = read_file_if_any(registry.env_file(parsed->id));
    if (!text) continue;
    const auto values = injected_values(*text);
    const auto value = [&](const char* key) {
      const auto it = values.find(key);
      return it == values.end() ? std::string() : it->second;
    };
    if (value("name") != parsed->app_name || value("pm_id") != std::to_string(parsed->id)) continue;
    LiveUnit live{unit, *parsed};
    if (!value("namespace").empty()) live.ns = value("namespace");
    out.emplace(parsed->id, std::move(live));
  }
  return out;
}

/// What follows systemd-cat's `--` (and pmctl-logwriter's, when it sits between).
std::vector<std::string> app_argv(const std::vector<std::string>& argv) {
  auto it = std::find(argv.begin(), argv.end(), "--");
  if (it == argv.end()) return argv;
  ++it;
  if (it != argv.end() && it->ends_with("pmctl-logwriter")) {
    it = std::find(it, argv.end(), "--");
    if (it != argv.end()) ++it;
  }
  return {it, argv.end()};
}

/// A declaration from the unit alone: its name, namespace, directory and command line.
AppDecl minimal_decl(const LiveUnit& live, Manager& manager) {
  AppDecl decl;
  decl.name = live.parsed.app_name;
  decl.ns = live.ns;
  UnitCommand command;
  try {
    command = manager.unit_command(live.unit);
  } catch (const ManagerError&) {
    return decl;  // gone since it was listed: a name and a namespace are all there is
  }
  decl.cwd = command.working_directory;
  const auto argv = app_argv(command.argv);
  if (argv.size() == 3 && argv[1] == "-c" && argv[0].ends_with("sh")) {
    decl.command_string = true;
    decl.script = argv[2];
  } else if (!argv.empty()) {
    decl.script = argv.front();
    decl.args.assign(argv.begin() + 1, argv.end());
  }
  return decl;
}

std::optional<AppRecord> dumped(const std::vector<BootApp>& dump, int id, const std::string& name) {
  for (const auto& app : dump)
    if (app.record.id == id && app.record.decl.name == name) return app.record;
  return std::nullopt;
}

}  // namespace

std::set<int> live_unit_ids(Manager& manager) {
  std::set<int> ids;
  for (const auto& unit : manager.units_matching(std::string(kServiceUnitPattern)))
    if (const auto parsed = parse_service_unit_name(unit)) ids.insert(parsed->id);
  return ids;
}

std::string_view to_string(DeclSource source) {
  switch (source) {
    case DeclSource::Registry:
      return "registry";
    case DeclSource::RecordFile:
      return "record file";
    case DeclSource::Dump:
      return "dump";
    case DeclSource::Unit:
      return "unit only";
  }
  return "";
}

Recovery recover_apps(const Registry& registry, Manager& manager, const RegistryData* current) {
  return recover_apps(
      registry, [&]() -> Manager& { return manager; }, current);
}

Recovery recover_apps(const Registry& registry, const std::function<Manager&()>& manager,
                      const RegistryData* current) {
  const auto live = live_units(registry, manager);
  std::map<int, std::pair<AppRecord, DeclSource>> found;
  for (auto& rec : read_record_files(registry.dir()).records)
    found.emplace(rec.id, std::pair{rec, DeclSource::RecordFile});
  if (current)
    for (const auto& rec : current->apps) found[rec.id] = {rec, DeclSource::Registry};
  std::vector<BootApp> dump;
  bool dump_read = false;
  for (const auto& [id, unit] : live) {
    if (found.count(id)) continue;
    if (!dump_read) dump = read_dump_quietly(registry.dir()), dump_read = true;
    if (auto rec = dumped(dump, id, unit.parsed.app_name)) {
      found.emplace(id, std::pair{*rec, DeclSource::Dump});
      continue;
    }
    AppRecord rec;
    rec.id = id;
    rec.decl = minimal_decl(unit, manager());
    found.emplace(id, std::pair{rec, DeclSource::Unit});
  }
  Recovery out;
  for (auto& [id, entry] : found) {
    auto& [rec, source] = entry;
    RecoveredApp app{id, rec.decl.name, source, ""};
    if (const auto it = live.find(id); it != live.end()) {
      app.unit = it->second.unit;
      // The unit is what runs: its name and namespace are the truth (a registry that could be
      // read is kept as it is). A record file's slot is kept: during a reload both of an
      // instance's units run, and the record says which one is current.
      if (source != DeclSource::Registry) {
        rec.decl.name = it->second.parsed.app_name;
        rec.decl.ns = it->second.ns;
        app.name = rec.decl.name;
      }
      if (source == DeclSource::Dump || source == DeclSource::Unit)
        rec.slot = it->second.parsed.slot;
    }
    out.data.next_id = std::max(out.data.next_id, id + 1);
    out.data.apps.push_back(rec);
    out.apps.push_back(std::move(app));
  }
  if (current) out.data.next_id = std::max(out.data.next_id, current->next_id);
  return out;
}

RepairReport repair_registry(Registry& registry, Manager& manager) {
  RepairReport report;
  report.damaged_kept_as = registry.repair([&](const RegistryData* current) {
    Recovery recovery = recover_apps(registry, manager, current);
    report.registry_was_missing = current == nullptr;
    for (const auto& app : recovery.apps)
      if (app.source != DeclSource::Registry) ++report.added;
    report.apps = std::move(recovery.apps);
    return std::move(recovery.data);
  });
  if (!report.damaged_kept_as.empty()) report.registry_was_missing = false;
  return report;
}

Registry::Live live_sources(
    const Registry& registry, const std::function<Manager&()>& manager,
    const std::function<void(const std::string& problem, const Recovery&)>& on_recovered) {
  Registry::Live live;
  live.unit_ids = [manager] { return live_unit_ids(manager()); };
  live.recover = [&registry, manager, on_recovered](const std::string& problem) {
    Recovery recovery = recover_apps(registry, manager);
    // A missing registry.json with nothing to show is a new state directory: nothing to say.
    if (on_recovered && (!problem.empty() || !recovery.apps.empty()))
      on_recovered(problem, recovery);
    return std::move(recovery.data);
  };
  return live;
}

}  // namespace pmctl::core
