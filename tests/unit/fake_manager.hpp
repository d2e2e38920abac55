#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/types/manager.hpp"

namespace pmctl::test {

/// An in-memory service manager: units are created running, stopped units are unloaded at
/// once, failed units stay loaded until reset — the systemd rules pmctl relies on.
///
/// Unit files: `unit_files` are the files that exist; `enabled` the ones enable_unit_files
/// linked (it enables any name, existing or not, and disable_unit_files removes them).
/// unit_file_state answers "enabled" for those, "disabled" for other `unit_files`, "" otherwise.
/// enable/disable are recorded in `calls` ("enable_unit_files a.service b.service"); like
/// query, unit_file_state is not.
class FakeManager : public core::Manager {
 public:
  std::map<std::string, core::UnitState> units;
  std::set<std::string> unit_files;
  std::set<std::string> enabled;
  std::map<std::string, core::UnitSpec> specs;
  std::vector<std::string> calls;
  bool fail_next_start = false;
  std::string fail_unit;  ///< the start job of this unit fails (start_transient or start)
  std::uint32_t next_pid = 1000;
  bool fail_enable = false;  ///< enable_unit_files is refused (access denied)

  void start_transient(const core::UnitSpec& spec) override {
    calls.push_back("start_transient " + spec.name);
    if (units.count(spec.name)) throw core::ManagerError(core::kUnitExists, spec.name + " exists");
    specs[spec.name] = spec;
    if (fail_next_start || spec.name == fail_unit) {
      fail_next_start = false;
      units[spec.name] = failed(spec.name);
      throw core::ManagerError(core::kJobFailed, spec.name + ": start job failed");
    }
    units[spec.name] = running(spec.name);
  }
  void start(const std::string& unit) override {
    calls.push_back("start " + unit);
    if (unit == fail_unit) {
      units[unit] = failed(unit);
      throw core::ManagerError(core::kJobFailed, unit + ": start job failed");
    }
    units[unit] = running(unit);
  }
  void restart(const std::string& unit) override {
    calls.push_back("restart " + unit);
    units[unit] = running(unit);
  }
  void stop(const std::string& unit) override {
    calls.push_back("stop " + unit);
    units.erase(unit);
  }
  void reset_failed(const std::string& unit) override {
    calls.push_back("reset_failed " + unit);
    auto it = units.find(unit);
    if (it == units.end()) return;
    it->second.n_restarts = 0;  // systemd zeroes NRestarts of any loaded unit
    if (it->second.active_state == "failed") units.erase(it);
  }
  void kill(const std::string& unit, int signal) override {
    calls.push_back("kill " + unit + " " + std::to_string(signal));
  }
  std::vector<core::UnitState> query(const std::vector<std::string>& names,
                                     bool /*main_pid*/ = true) override {
    std::vector<core::UnitState> out;
    for (const auto& n : names) {
      auto it = units.find(n);
      core::UnitState s;
      s.name = n;
      out.push_back(it == units.end() ? s : it->second);
    }
    return out;
  }
  std::vector<std::string> units_matching(const std::string& pattern) override {
    // Enough of fnmatch for the patterns pmctl uses: "<prefix>*<suffix>".
    const auto star = pattern.find('*');
    const std::string head = pattern.substr(0, star);
    const std::string tail = star == std::string::npos ? "" : pattern.substr(star + 1);
    std::vector<std::string> out;
    for (const auto& [name, state] : units)
      if (name.size() >= head.size() + tail.size() && name.starts_with(head) &&
          name.ends_with(tail) && (star != std::string::npos || name == pattern))
        out.push_back(name);
    return out;
  }
  core::UnitCommand unit_command(const std::string& unit) override {
    core::UnitCommand out;
    const auto it = specs.find(unit);
    if (it == specs.end()) return out;
    for (const auto& [key, value] : it->second.properties) {
      if (key == "WorkingDirectory") out.working_directory = std::get<std::string>(value);
      if (key == "ExecStartEx")
        out.argv = std::get<std::vector<core::ExecCommand>>(value).at(0).argv;
    }
    return out;
  }
  bool wait_unloaded(const std::string& unit, std::chrono::milliseconds) override {
    return units.count(unit) == 0;
  }
  void reload_daemon() override { calls.push_back("reload_daemon"); }
  void enable_unit_files(const std::vector<std::string>& files) override {
    calls.push_back(joined("enable_unit_files", files));
    if (fail_enable) throw core::ManagerError(core::kAccessDenied, "enable refused");
    enabled.insert(files.begin(), files.end());
  }
  void disable_unit_files(const std::vector<std::string>& files) override {
    calls.push_back(joined("disable_unit_files", files));
    for (const auto& f : files) enabled.erase(f);
  }
  std::string unit_file_state(const std::string& file) override {
    if (enabled.count(file)) return "enabled";
    return unit_files.count(file) ? "disabled" : "";
  }
  std::string version() override { return "252-fake"; }
  std::string status_text(const std::string& service) override {
    auto it = status_texts.find(service);
    return it == status_texts.end() ? "" : it->second;
  }
  std::map<std::string, std::string> status_texts;

  static std::string joined(std::string call, const std::vector<std::string>& files) {
    for (const auto& f : files) call += " " + f;
    return call;
  }

  core::UnitState running(const std::string& name) {
    core::UnitState s;
    s.name = name;
    s.loaded = true;
    s.active_state = "active";
    s.sub_state = "running";
    s.result = "success";
    s.main_pid = next_pid++;
    return s;
  }
  static core::UnitState failed(const std::string& name) {
    core::UnitState s;
    s.name = name;
    s.loaded = true;
    s.active_state = "failed";
    s.sub_state = "failed";
    s.result = "exit-code";
    return s;
  }
};

}  // namespace pmctl::test
