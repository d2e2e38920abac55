#include "systemd/sd_manager.hpp"

#include <time.h>

#include <cstdlib>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <utility>

#include "systemd/bus.hpp"
#include "systemd/sd_manager_impl.hpp"
#include "systemd/unit_fields.hpp"

namespace pmctl::sd {
namespace {

using namespace std::chrono_literals;

/// How long one job (start, stop, restart) may take before we give up waiting for it. systemd's
/// own default start/stop timeouts are 90 s; a job that outlives them is stuck.
constexpr std::chrono::microseconds kJobTimeout = 90s;
/// How long the replies of one batched query may take.
constexpr std::chrono::microseconds kQueryTimeout = 25s;
/// What sd-bus calls ENOENT from a method (GetUnitFileState of a file that does not exist).
constexpr const char* kFileNotFound = "org.freedesktop.DBus.Error.FileNotFound";

std::uint64_t monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

/// Dispatches one queued message, or waits for more until `deadline_usec` (CLOCK_MONOTONIC).
/// Returns false once the deadline has passed (even while unrelated signals keep arriving).
bool process_or_wait(sd_bus* bus, std::uint64_t deadline_usec) {
  const std::uint64_t now = monotonic_usec();
  if (now >= deadline_usec) return false;
  if (check(sd_bus_process(bus, nullptr), "processing the bus") > 0) return true;
  check(sd_bus_wait(bus, deadline_usec - now), "waiting on the bus");
  return true;
}

/// One outstanding Properties.Get.
struct PendingGet {
  core::UnitState* state;
  const FieldInfo* info;
  int* outstanding;
  SlotPtr slot;
};

// Stores one Get reply in its UnitState. Errors (a property the unit type lacks) leave the
// default. Never throws: this runs inside sd_bus_process.
int on_get_reply(sd_bus_message* reply, void* userdata, sd_bus_error* /*error*/) {
  auto* get = static_cast<PendingGet*>(userdata);
  --*get->outstanding;
  if (sd_bus_message_is_method_error(reply, nullptr)) return 0;
  if (sd_bus_message_enter_container(reply, 'v', get->info->signature) < 0) return 0;
  core::UnitState& s = *get->state;
  if (get->info->signature[0] == 's') {
    const char* text = nullptr;
    if (sd_bus_message_read(reply, "s", &text) >= 0) store(s, get->info->field, text);
  } else if (get->info->signature[0] == 't') {
    std::uint64_t value = 0;
    if (sd_bus_message_read(reply, "t", &value) >= 0) store(s, get->info->field, value);
  } else {
    std::uint32_t value = 0;  // "u" and "i" are both 32 bits on the wire
    if (sd_bus_message_read(reply, get->info->signature, &value) >= 0)
      store(s, get->info->field, value);
  }
  return 0;
}

// Records every JobRemoved (job path -> result) until the waiter collects it. Never throws.
int on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error* /*error*/) {
  auto* finished = static_cast<std::unordered_map<std::string, std::string>*>(userdata);
  std::uint32_t id = 0;
  const char *job = nullptr, *unit = nullptr, *result = nullptr;
  if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0) return 0;
  try {
    (*finished)[job] = result;
  } catch (...) {
    // Out of memory: the waiter times out and reports it.
  }
  return 0;
}

class SdManager final : public core::Manager {
 public:
  explicit SdManager(Connection connection) : c_(std::move(connection)) {
    // Installed once, before any job is queued, so that no JobRemoved can be missed.
    sd_bus_slot* slot = nullptr;
    check(sd_bus_match_signal(c_.bus.get(), &slot, signal_sender(c_), kManagerPath,
                              kManagerInterface, "JobRemoved", on_job_removed, &finished_jobs_),
          "adding a match for JobRemoved");
    job_removed_slot_.reset(slot);
  }

  void start_transient(const core::UnitSpec& spec) override {
    sd_bus_message* raw = nullptr;
    check(sd_bus_message_new_method_call(c_.bus.get(), &raw, kSystemdService, kManagerPath,
                                         kManagerInterface, "StartTransientUnit"),
          "building StartTransientUnit");
    MessagePtr m(raw);
    check(sd_bus_message_append(raw, "ss", spec.name.c_str(), "fail"),
          "building StartTransientUnit");
    append_properties(raw, spec.properties);
    append_aux_units(raw, spec.aux);
    run_job(spec.name, "start", [&](BusError* error, sd_bus_message** reply) {
      return sd_bus_call(c_.bus.get(), raw, 0, error->get(), reply);
    });
  }

  void start(const std::string& unit) override { unit_job("StartUnit", unit, "start"); }
  void restart(const std::string& unit) override { unit_job("RestartUnit", unit, "restart"); }

  void stop(const std::string& unit) override {
    try {
      unit_job("StopUnit", unit, "stop");
    } catch (const core::ManagerError& e) {
      if (e.name() != core::kNoSuchUnit) throw;
    }
  }

  void reset_failed(const std::string& unit) override {
    BusError error;
    int r = sd_bus_call_method(c_.bus.get(), kSystemdService, kManagerPath, kManagerInterface,
                               "ResetFailedUnit", error.get(), nullptr, "s", unit.c_str());
    if (error.has_name(core::kNoSuchUnit)) return;
    throw_if_failed(r, *error, "ResetFailedUnit");
  }

  void kill(const std::string& unit, int signal) override {
    BusError error;
    int r = sd_bus_call_method(c_.bus.get(), kSystemdService, kManagerPath, kManagerInterface,
                               "KillUnit", error.get(), nullptr, "ssi", unit.c_str(), "main",
                               static_cast<std::int32_t>(signal));
    throw_if_failed(r, *error, "KillUnit");
  }

  std::vector<core::UnitState> query(const std::vector<std::string>& units,
                                     bool main_pid) override {
    std::vector<core::UnitState> states(units.size());
    if (units.empty()) return states;
    std::unordered_map<std::string, std::vector<std::size_t>> index;
    for (std::size_t i = 0; i < units.size(); ++i) {
      states[i].name = units[i];
      index[units[i]].push_back(i);
    }
    for (const UnitRow& row : list_units("ListUnitsByNames", {units})) {
      auto it = index.find(row.id);
      if (it == index.end()) continue;  // An alias: we only asked by primary names.
      // Not-found stubs are what ListUnitsByNames makes of names systemd does not know.
      for (std::size_t i : it->second) apply(row, states[i]);
    }
    read_properties(states, main_pid);
    return states;
  }

  void reload_daemon() override {
    BusError error;
    // The reply comes once the reload is over (systemd answers it from the reloaded state).
    int r = sd_bus_call_method(c_.bus.get(), kSystemdService, kManagerPath, kManagerInterface,
                               "Reload", error.get(), nullptr, "");
    throw_if_failed(r, *error, "Reload");
  }

  void enable_unit_files(const std::vector<std::string>& files) override {
    // The reply (carries_install_info, changes a(sss)) is not needed: the symlinks are the result.
    unit_file_call("EnableUnitFiles", files, [](sd_bus_message* m) {
      check(sd_bus_message_append(m, "bb", 0, 1), "building EnableUnitFiles");  // runtime, force
    });
  }

  void disable_unit_files(const std::vector<std::string>& files) override {
    unit_file_call("DisableUnitFiles", files, [](sd_bus_message* m) {
      check(sd_bus_message_append(m, "b", 0), "building DisableUnitFiles");  // runtime
    });
  }

  std::string unit_file_state(const std::string& file) override {
    BusError error;
    sd_bus_message* raw_reply = nullptr;
    int r = sd_bus_call_method(c_.bus.get(), kSystemdService, kManagerPath, kManagerInterface,
                               "GetUnitFileState", error.get(), &raw_reply, "s", file.c_str());
    MessagePtr reply(raw_reply);
    // systemd answers a missing file with ENOENT, which sd-bus names FileNotFound.
    if (error.has_name(core::kNoSuchUnit) || error.has_name(kFileNotFound)) return "";
    throw_if_failed(r, *error, "GetUnitFileState");
    const char* state = nullptr;
    check(sd_bus_message_read(raw_reply, "s", &state), "reading GetUnitFileState");
    return state;
  }

  std::string version() override {
    BusError error;
    char* text = nullptr;
    int r = sd_bus_get_property_string(c_.bus.get(), kSystemdService, kManagerPath,
                                       kManagerInterface, "Version", error.get(), &text);
    throw_if_failed(r, *error, "reading the manager's Version");
    std::string out = text ? text : "";
    std::free(text);
    return out;
  }

  std::string status_text(const std::string& service) override {
    BusError error;
    char* text = nullptr;
    // A unit that is not loaded has an object too (systemd loads a stub): its text is empty.
    int r = sd_bus_get_property_string(c_.bus.get(), kSystemdService, unit_path(service).c_str(),
                                       "org.freedesktop.systemd1.Service", "StatusText",
                                       error.get(), &text);
    if (error.has_name(core::kNoSuchUnit)) return "";
    throw_if_failed(r, *error, "reading StatusText of " + service);
    std::string out = text ? text : "";
    std::free(text);
    return out;
  }

  std::vector<std::string> units_matching(const std::string& pattern) override {
    std::vector<std::string> names;
    // ListUnitsByPatterns(states, patterns): no states = every state.
    for (const UnitRow& row : list_units("ListUnitsByPatterns", {{}, {pattern}}))
      if (row.load == "loaded") names.push_back(row.id);
    return names;
  }

  core::UnitCommand unit_command(const std::string& unit) override {
    core::UnitCommand out;
    const std::string path = unit_path(unit);
    BusError error;
    char* dir = nullptr;
    int r = sd_bus_get_property_string(c_.bus.get(), kSystemdService, path.c_str(),
                                       "org.freedesktop.systemd1.Service", "WorkingDirectory",
                                       error.get(), &dir);
    throw_if_failed(r, *error, "reading WorkingDirectory");
    out.working_directory = dir;
    std::free(dir);
    out.argv = first_exec_start(path);
    return out;
  }

  bool wait_unloaded(const std::string& unit, std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (!is_loaded(unit)) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      // Poll rather than wait for UnitRemoved: GC runs soon after the unit goes inactive.
      timespec ts{0, 10 * 1000 * 1000};
      nanosleep(&ts, nullptr);
    }
  }

 private:
  /// Calls `call` (which sends the method and returns a job path in its reply), then waits for
  /// that job's JobRemoved. Any result other than "done" throws core::kJobFailed.
  template <typename Call>
  void run_job(const std::string& unit, const char* verb, Call call) {
    finished_jobs_.clear();
    BusError error;
    sd_bus_message* raw_reply = nullptr;
    int r = call(&error, &raw_reply);
    MessagePtr reply(raw_reply);
    throw_if_failed(r, *error, verb);
    const char* job_path = nullptr;
    check(sd_bus_message_read(raw_reply, "o", &job_path), "reading the job path");
    const std::string job = job_path;

    const std::uint64_t deadline = monotonic_usec() + kJobTimeout.count();
    for (;;) {
      if (auto it = finished_jobs_.find(job); it != finished_jobs_.end()) {
        const std::string result = it->second;
        finished_jobs_.clear();
        if (result == "done") return;
        throw core::ManagerError(core::kJobFailed, unit + ": " + verb + " job " + result);
      }
      if (!process_or_wait(c_.bus.get(), deadline))
        throw core::ManagerError(core::kJobFailed,
                                 unit + ": " + verb + " job did not finish within " +
                                     std::to_string(kJobTimeout.count() / 1000000) + " s");
    }
  }

  /// A unit-file method whose first argument is the `as` of files; `append_rest` adds the others.
  template <typename AppendRest>
  void unit_file_call(const char* method, const std::vector<std::string>& files,
                      AppendRest append_rest) {
    sd_bus_message* raw = nullptr;
    check(sd_bus_message_new_method_call(c_.bus.get(), &raw, kSystemdService, kManagerPath,
                                         kManagerInterface, method),
          method);
    MessagePtr m(raw);
    append_strings(raw, files);
    append_rest(raw);
    BusError error;
    sd_bus_message* raw_reply = nullptr;
    int r = sd_bus_call(c_.bus.get(), raw, 0, error.get(), &raw_reply);
    MessagePtr reply(raw_reply);
    throw_if_failed(r, *error, method);
  }

  void unit_job(const char* method, const std::string& unit, const char* verb) {
    run_job(unit, verb, [&](BusError* error, sd_bus_message** reply) {
      return sd_bus_call_method(c_.bus.get(), kSystemdService, kManagerPath, kManagerInterface,
                                method, error->get(), reply, "ss", unit.c_str(), "replace");
    });
  }

  /// Fills the properties `query` reads per loaded unit. Every Get is sent before any reply is
  /// awaited, so the whole batch costs one round trip of latency instead of one per property.
  void read_properties(std::vector<core::UnitState>& states, bool main_pid) {
    std::deque<PendingGet> gets;
    int outstanding = 0;
    for (auto& state : states) {
      if (!state.loaded) continue;
      const std::string path = unit_path(state.name);
      const std::string interface = type_interface(state.name);
      for (const auto& info : kFields) {
        if (!needed(info, state, main_pid)) continue;
        PendingGet& get = gets.emplace_back(PendingGet{&state, &info, &outstanding, nullptr});
        sd_bus_slot* slot = nullptr;
        check(sd_bus_call_method_async(c_.bus.get(), &slot, kSystemdService, path.c_str(),
                                       kPropertiesInterface, "Get", on_get_reply, &get, "ss",
                                       interface.c_str(), info.name),
              "queueing Properties.Get");
        get.slot.reset(slot);
        ++outstanding;
      }
    }
    const std::uint64_t deadline = monotonic_usec() + kQueryTimeout.count();
    while (outstanding > 0) {
      if (!process_or_wait(c_.bus.get(), deadline))
        throw core::ManagerError("org.freedesktop.DBus.Error.NoReply",
                                 "timed out reading unit properties from " + c_.address);
    }
  }

  struct UnitRow {
    std::string id, load, active, sub;
  };

  static void apply(const UnitRow& row, core::UnitState& state) {
    state.loaded = row.load == "loaded";
    if (!state.loaded) return;
    state.active_state = row.active;
    state.sub_state = row.sub;
  }

  /// A ListUnits* call with `lists` as the method's `as` arguments in order: one round trip.
  std::vector<UnitRow> list_units(const char* method,
                                  const std::vector<std::vector<std::string>>& lists) {
    sd_bus_message* raw = nullptr;
    check(sd_bus_message_new_method_call(c_.bus.get(), &raw, kSystemdService, kManagerPath,
                                         kManagerInterface, method),
          method);
    MessagePtr m(raw);
    for (const auto& list : lists) append_strings(raw, list);

    BusError error;
    sd_bus_message* raw_reply = nullptr;
    int r = sd_bus_call(c_.bus.get(), raw, 0, error.get(), &raw_reply);
    MessagePtr reply(raw_reply);
    throw_if_failed(r, *error, method);

    std::vector<UnitRow> rows;
    check(sd_bus_message_enter_container(raw_reply, 'a', "(ssssssouso)"), method);
    for (;;) {
      const char *id, *description, *load, *active, *sub, *following, *path, *job_type, *job_path;
      std::uint32_t job_id;
      r = check(sd_bus_message_read(raw_reply, "(ssssssouso)", &id, &description, &load, &active,
                                    &sub, &following, &path, &job_id, &job_type, &job_path),
                method);
      if (r == 0) break;
      rows.push_back({id, load, active, sub});
    }
    return rows;
  }

  /// The argv of the first ExecStart entry, a(sasbttttuii): path, argv, ignore, then times
  /// and the last exit (not read).
  std::vector<std::string> first_exec_start(const std::string& path) {
    BusError error;
    sd_bus_message* raw_reply = nullptr;
    int r = sd_bus_call_method(c_.bus.get(), kSystemdService, path.c_str(), kPropertiesInterface,
                               "Get", error.get(), &raw_reply, "ss",
                               "org.freedesktop.systemd1.Service", "ExecStart");
    MessagePtr reply(raw_reply);
    throw_if_failed(r, *error, "reading ExecStart");
    std::vector<std::string> argv;
    const char* what = "reading ExecStart";
    check(sd_bus_message_enter_container(raw_reply, 'v', "a(sasbttttuii)"), what);
    if (check(sd_bus_message_enter_container(raw_reply, 'a', "(sasbttttuii)"), what) == 0)
      return argv;
    if (check(sd_bus_message_enter_container(raw_reply, 'r', "sasbttttuii"), what) == 0)
      return argv;
    const char* program = nullptr;
    check(sd_bus_message_read(raw_reply, "s", &program), what);
    check(sd_bus_message_enter_container(raw_reply, 'a', "s"), what);
    for (;;) {
      const char* arg = nullptr;
      if (check(sd_bus_message_read(raw_reply, "s", &arg), what) == 0) break;
      argv.push_back(arg);
    }
    return argv;
  }

  static void append_strings(sd_bus_message* m, const std::vector<std::string>& items) {
    check(sd_bus_message_open_container(m, 'a', "s"), "building a string list");
    for (const auto& item : items)
      check(sd_bus_message_append(m, "s", item.c_str()), "building a string list");
    check(sd_bus_message_close_container(m), "building a string list");
  }

  /// Loaded with a LoadState other than "not-found" (a not-found stub can be re-created).
  bool is_loaded(const std::string& unit) {
    BusError error;
    sd_bus_message* raw_reply = nullptr;
    int r = sd_bus_call_method(c_.bus.get(), kSystemdService, kManagerPath, kManagerInterface,
                               "GetUnit", error.get(), &raw_reply, "s", unit.c_str());
    MessagePtr reply(raw_reply);
    if (error.has_name(core::kNoSuchUnit)) return false;
    throw_if_failed(r, *error, "GetUnit");
    const char* path = nullptr;
    check(sd_bus_message_read(raw_reply, "o", &path), "reading GetUnit");

    BusError get_error;
    char* load_state = nullptr;
    r = sd_bus_get_property_string(c_.bus.get(), kSystemdService, path,
                                   "org.freedesktop.systemd1.Unit", "LoadState", get_error.get(),
                                   &load_state);
    if (get_error.has_name(core::kNoSuchUnit)) return false;
    throw_if_failed(r, *get_error, "reading LoadState");
    bool loaded = std::strcmp(load_state, "not-found") != 0;
    std::free(load_state);
    return loaded;
  }

  Connection c_;
  std::unordered_map<std::string, std::string> finished_jobs_;
  SlotPtr job_removed_slot_;
};

}  // namespace

std::unique_ptr<core::Manager> make_manager(Connection connection) {
  return std::make_unique<SdManager>(std::move(connection));
}

}  // namespace pmctl::sd
