// A companion is made again only when its settings changed: each transient one leaves a stamp,
// its units rendered as unit-file text, in <runtime>/companions/<main unit>; a saved one (after
// a boot) matches while the file `pmctl save` wrote is what the declaration renders now. So an
// instance's start costs one query of the companion's units, and a cron tick's own restart finds
// its timer as it is.
#include "core/lifecycle/companions.hpp"

#include <filesystem>

#include "core/base/files.hpp"
#include "core/base/on_failure.hpp"
#include "core/units/boot_units.hpp"
#include "core/units/unit_file.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

std::string stamp_text(const UnitSpec& spec) {
  std::string text = render_unit_file(spec, "");
  for (const auto& aux : spec.aux) text += render_unit_file(aux, "");
  return text;
}

bool up(const UnitState& s) { return s.active_state == "active"; }
bool running(const UnitState& s) {
  return s.active_state == "activating" || s.active_state == "deactivating";
}

}  // namespace

CompanionContext Companions::context(bool saved) {
  return {deps_.scope, deps_.pmctl_binary(), saved, deps_.tools().memguard, deps_.tools().watch};
}

std::string Companions::stamp_path(const std::string& unit) {
  const std::string& runtime = deps_.tools().runtime_dir;
  return runtime.empty() ? "" : (fs::path(runtime) / "companions" / unit).string();
}

void Companions::ensure(const AppDecl& decl) {
  for (const auto& info : companion_kinds()) ensure_kind(decl, info.kind);
}

void Companions::ensure_kind(const AppDecl& decl, CompanionKind kind) {
  const auto transient = companion_units(decl.name, kind);
  const auto saved = companion_units(decl.name, kind, true);
  std::vector<std::string> names = transient;
  names.insert(names.end(), saved.begin(), saved.end());
  const auto states = deps_.manager.query(names, false);
  bool loaded = false, busy = false;
  for (std::size_t i = 0; i < states.size(); ++i) {
    loaded = loaded || states[i].loaded;
    if (i != 0 && i != transient.size()) busy = busy || running(states[i]);
  }
  if (!wants_companion(decl, kind)) {
    if (loaded) stop_kind(decl.name, kind);
    return;
  }
  if (busy) return;  // its service runs now (this very command, maybe): next time
  const UnitSpec spec = companion_spec(decl, kind, context(false));
  const std::string stamp = stamp_path(spec.name);
  const std::string text = stamp_text(spec);
  const UnitState& main = states.at(0);
  if (up(main) && (stamp.empty() || read_file_if_any(stamp) == text)) return;
  if (!main.loaded && up(states.at(transient.size())) && saved_matches(decl, kind)) return;
  for (std::size_t i = transient.size(); i < states.size(); ++i)
    if (states[i].loaded) units_.stop(states[i].name);  // the saved ones stand by
  units_.start_transient_afresh(spec);
  if (stamp.empty()) return;
  quietly([&] {
    fs::create_directories(fs::path(stamp).parent_path());
    write_file_atomically(stamp, text, 0644);
  });
}

// The files `pmctl save` wrote for the companion are what the declaration renders now.
bool Companions::saved_matches(const AppDecl& decl, CompanionKind kind) {
  const std::string& dir = deps_.tools().boot_unit_dir;
  if (dir.empty()) return false;
  BootPaths paths;
  paths.scope = deps_.scope;
  paths.runtime_dir = deps_.tools().runtime_dir;
  paths.pmctl = context(true).pmctl;
  paths.memguard = deps_.tools().memguard;
  paths.watch = deps_.tools().watch;
  const std::string base = companion_base(decl.name, kind, true) + ".";
  for (const auto& file : companion_unit_files(decl, paths))
    if (file.name.starts_with(base) && read_file_if_any(fs::path(dir) / file.name) != file.text)
      return false;
  return true;
}

// Only what is loaded is stopped (a stop and a reset each); the rest only loses its files.
void Companions::stop_kind(const std::string& name, CompanionKind kind) {
  std::vector<std::string> units = companion_units(name, kind);
  const auto saved = companion_units(name, kind, true);
  units.insert(units.end(), saved.begin(), saved.end());
  for (const auto& state : deps_.manager.query(units, false)) {
    if (state.loaded)
      units_.stop(state.name);
    else
      units_.forget(state.name);
  }
  const std::string stamp = stamp_path(units.at(0));
  if (!stamp.empty()) quietly([&] { remove_if_present(stamp); });
}

bool Companions::any_stop_with(const AppDecl& decl) const {
  for (const auto& info : companion_kinds())
    if (!info.stays_when_stopped && wants_companion(decl, info.kind)) return true;
  return false;
}

void Companions::app_stopped(const AppDecl& decl) {
  for (const auto& info : companion_kinds())
    if (!info.stays_when_stopped && wants_companion(decl, info.kind))
      stop_kind(decl.name, info.kind);
}

void Companions::remove(const std::string& name) {
  for (const auto& info : companion_kinds()) stop_kind(name, info.kind);
}

std::vector<CompanionView> Companions::views(const AppDecl& decl) {
  std::vector<CompanionView> out;
  for (const auto& info : companion_kinds()) {
    if (!wants_companion(decl, info.kind)) continue;
    const std::string transient = companion_units(decl.name, info.kind).at(0);
    const std::string saved = companion_units(decl.name, info.kind, true).at(0);
    const auto states = deps_.manager.query({transient, saved}, false);
    const bool on_saved = !states.at(0).loaded && states.at(1).loaded;
    out.push_back({info.kind, on_saved ? saved : transient, states.at(on_saved ? 1 : 0)});
  }
  return out;
}

}  // namespace pmctl::core
