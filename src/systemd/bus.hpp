#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/types/scope.hpp"
#include "core/types/unit_spec.hpp"

namespace pmctl::sd {

// Where the manager lives on the bus (destination, object path, interface).
inline constexpr const char* kSystemdService = "org.freedesktop.systemd1";
inline constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
inline constexpr const char* kManagerInterface = "org.freedesktop.systemd1.Manager";
inline constexpr const char* kUnitPathPrefix = "/org/freedesktop/systemd1/unit";
inline constexpr const char* kPropertiesInterface = "org.freedesktop.DBus.Properties";

struct BusDeleter {
  void operator()(sd_bus* bus) const { sd_bus_flush_close_unref(bus); }
};
struct MessageDeleter {
  void operator()(sd_bus_message* message) const { sd_bus_message_unref(message); }
};
struct SlotDeleter {
  void operator()(sd_bus_slot* slot) const { sd_bus_slot_unref(slot); }
};
struct JournalDeleter {
  void operator()(sd_journal* journal) const { sd_journal_close(journal); }
};

using BusPtr = std::unique_ptr<sd_bus, BusDeleter>;
using MessagePtr = std::unique_ptr<sd_bus_message, MessageDeleter>;
using SlotPtr = std::unique_ptr<sd_bus_slot, SlotDeleter>;
using JournalPtr = std::unique_ptr<sd_journal, JournalDeleter>;

/// An sd_bus_error that frees itself.
class BusError {
 public:
  BusError() = default;
  ~BusError() { sd_bus_error_free(&error_); }
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;

  sd_bus_error* get() { return &error_; }
  const sd_bus_error& operator*() const { return error_; }
  bool is_set() const { return sd_bus_error_is_set(&error_) != 0; }
  bool has_name(const char* name) const { return sd_bus_error_has_name(&error_, name) != 0; }

 private:
  sd_bus_error error_ = SD_BUS_ERROR_NULL;
};

/// Throws core::ManagerError(name, "name: message") when `error` is set, else, when r < 0,
/// a ManagerError with an empty name and "<what>: <strerror(-r)>".
void throw_if_failed(int r, const sd_bus_error& error, std::string_view what = "D-Bus call");
/// Throws a ManagerError from errno when r < 0; returns r otherwise.
int check(int r, std::string_view what);

/// An open connection to a service manager.
struct Connection {
  BusPtr bus;
  /// True on a private socket: no broker, signals arrive unasked and carry no sender.
  bool direct = false;
  /// The address that was connected to, for messages.
  std::string address;
};

/// Connects to the manager of `scope`: its private socket first, then the bus broker. On a
/// broker connection also calls Manager.Subscribe. Throws core::ManagerError(kConnectFailed)
/// naming the sockets that were tried.
Connection connect(core::Scope scope);
/// The path of the manager's private socket: /run/systemd/private, or
/// $XDG_RUNTIME_DIR/systemd/private for a user manager.
std::string private_socket(core::Scope scope);
/// Connects through the bus broker only (what non-root callers of the system manager get).
Connection connect_broker(core::Scope scope);

/// The sender to match signals of the manager with: nullptr on a direct connection.
inline const char* signal_sender(const Connection& c) {
  return c.direct ? nullptr : kSystemdService;
}

/// Appends one `(sv)` entry with the exact D-Bus type of the property's value.
void append_property(sd_bus_message* m, const core::Property& property);
/// StartTransientUnit's last argument, `a(sa(sv))`: units created along with the main one.
void append_aux_units(sd_bus_message* m, const std::vector<core::UnitSpec>& aux);
/// Appends an `a(sv)` array of all `properties`.
void append_properties(sd_bus_message* m, const std::vector<core::Property>& properties);

/// The object path of `unit` ("/org/freedesktop/systemd1/unit/<escaped>").
std::string unit_path(const std::string& unit);

}  // namespace pmctl::sd
