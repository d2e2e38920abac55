// connect_manager(): reads over pmctl's own connection to the manager's private socket,
// changes over sd-bus, which is connected (and libsystemd loaded) only when a command first
// changes something. `ls`, `jlist` and `show` therefore never load libsystemd (on a big-endian
// host they do: see wire::kWireClientAvailable).
#include <memory>
#include <utility>

#include "systemd/bus.hpp"
#include "systemd/sd_manager.hpp"
#include "systemd/sd_manager_impl.hpp"
#include "systemd/wire_query.hpp"

namespace pmctl::sd {
namespace {

class WireFirstManager final : public core::Manager {
 public:
  WireFirstManager(core::Scope scope, wire::Client client)
      : scope_(scope), wire_(std::move(client)) {}

  void start_transient(const core::UnitSpec& spec) override { sd().start_transient(spec); }
  void start(const std::string& unit) override { sd().start(unit); }
  void restart(const std::string& unit) override { sd().restart(unit); }
  void stop(const std::string& unit) override { sd().stop(unit); }
  void reset_failed(const std::string& unit) override { sd().reset_failed(unit); }
  void kill(const std::string& unit, int signal) override { sd().kill(unit, signal); }
  std::vector<std::string> units_matching(const std::string& pattern) override {
    return sd().units_matching(pattern);
  }
  core::UnitCommand unit_command(const std::string& unit) override {
    return sd().unit_command(unit);
  }
  bool wait_unloaded(const std::string& unit, std::chrono::milliseconds timeout) override {
    return sd().wait_unloaded(unit, timeout);
  }
  void reload_daemon() override { sd().reload_daemon(); }
  void enable_unit_files(const std::vector<std::string>& files) override {
    sd().enable_unit_files(files);
  }
  void disable_unit_files(const std::vector<std::string>& files) override {
    sd().disable_unit_files(files);
  }
  std::string unit_file_state(const std::string& file) override {
    return sd().unit_file_state(file);
  }
  std::string version() override { return sd().version(); }
  std::string status_text(const std::string& service) override { return sd().status_text(service); }

  /// Over the private socket; should that connection fail (it is not expected to), the same
  /// question goes to sd-bus, which says what went wrong in its own terms.
  std::vector<core::UnitState> query(const std::vector<std::string>& units,
                                     bool main_pid) override {
    if (wire_) {
      try {
        return wire::query(*wire_, units, main_pid);
      } catch (const wire::WireError&) {
        wire_.reset();
      }
    }
    return sd().query(units, main_pid);
  }

 private:
  core::Manager& sd() {
    if (!sd_) sd_ = make_manager(connect(scope_));
    return *sd_;
  }

  core::Scope scope_;
  std::optional<wire::Client> wire_;
  std::unique_ptr<core::Manager> sd_;
};

}  // namespace

std::unique_ptr<core::Manager> connect_manager(core::Scope scope) {
  if (wire::kWireClientAvailable) {
    if (auto client = wire::Client::connect(private_socket(scope)))
      return std::make_unique<WireFirstManager>(scope, std::move(*client));
  }
  return make_manager(connect(scope));
}

}  // namespace pmctl::sd
