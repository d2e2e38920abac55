#include "systemd/bus.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <variant>

#include "core/types/manager.hpp"

namespace pmctl::sd {

void throw_if_failed(int r, const sd_bus_error& error, std::string_view what) {
  if (sd_bus_error_is_set(&error)) {
    std::string message = error.name;
    if (error.message != nullptr && *error.message != '\0')
      message += std::string(": ") + error.message;
    throw core::ManagerError(error.name, message);
  }
  check(r, what);
}

int check(int r, std::string_view what) {
  if (r < 0) throw core::ManagerError("", std::string(what) + ": " + std::strerror(-r));
  return r;
}

namespace {

/// Opens `address` directly. A manager's private socket takes no Hello (bus_client false), as
/// systemctl does for root; a broker needs one (bus_client true).
int open_address(const std::string& address, bool bus_client, BusPtr* out) {
  sd_bus* raw = nullptr;
  int r = sd_bus_new(&raw);
  if (r < 0) return r;
  BusPtr bus(raw);
  if ((r = sd_bus_set_address(raw, address.c_str())) < 0) return r;
  if ((r = sd_bus_set_bus_client(raw, bus_client)) < 0) return r;
  // pmctl never passes file descriptors; not negotiating them saves a round trip at connect.
  if ((r = sd_bus_negotiate_fds(raw, false)) < 0) return r;
  if ((r = sd_bus_start(raw)) < 0) return r;
  *out = std::move(bus);
  return 0;
}

std::string runtime_dir() {
  if (const char* dir = std::getenv("XDG_RUNTIME_DIR"); dir != nullptr && *dir != '\0') return dir;
  return "/run/user/" + std::to_string(getuid());
}

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// Subscribe makes the manager emit signals to us through the broker. It is also the first round
// trip on a broker connection, so it is where an unreachable or refusing broker shows up.
int subscribe(sd_bus* bus, BusError* error) {
  return sd_bus_call_method(bus, kSystemdService, kManagerPath, kManagerInterface, "Subscribe",
                            error->get(), nullptr, "");
}

std::string private_address(core::Scope scope) { return "unix:path=" + private_socket(scope); }

std::string broker_address(core::Scope scope) {
  if (scope == core::Scope::System)
    return env_or("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/run/dbus/system_bus_socket");
  return env_or("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + runtime_dir() + "/bus");
}

/// Opens the broker of `scope` and subscribes; on failure returns r < 0 and maybe sets `error`.
int open_broker(core::Scope scope, Connection* c, BusError* error) {
  sd_bus* raw = nullptr;
  int r;
  if (scope == core::Scope::System) {
    r = sd_bus_open_system(&raw);
    c->bus.reset(raw);
  } else if (std::getenv("XDG_RUNTIME_DIR") != nullptr ||
             std::getenv("DBUS_SESSION_BUS_ADDRESS") != nullptr) {
    r = sd_bus_open_user(&raw);
    c->bus.reset(raw);
  } else {
    // sd_bus_open_user() refuses without $XDG_RUNTIME_DIR (sudo/su shells); use the usual place.
    r = open_address(broker_address(scope), true, &c->bus);
  }
  if (r >= 0) r = subscribe(c->bus.get(), error);
  if (r < 0) return r;
  c->direct = false;
  c->address = broker_address(scope);
  return 0;
}

const char* scope_name(core::Scope scope) {
  return scope == core::Scope::System ? "system" : "user";
}

std::string failure_text(int r, const BusError& error) {
  if (error.is_set() && (*error).message != nullptr) return (*error).message;
  return std::strerror(-r);
}

}  // namespace

std::string private_socket(core::Scope scope) {
  if (scope == core::Scope::System) return "/run/systemd/private";
  return runtime_dir() + "/systemd/private";
}

Connection connect(core::Scope scope) {
  Connection c;
  const std::string direct_address = private_address(scope);
  const int direct_r = open_address(direct_address, false, &c.bus);
  if (direct_r >= 0) {
    c.direct = true;
    c.address = direct_address;
    return c;
  }
  BusError error;
  const int r = open_broker(scope, &c, &error);
  if (r >= 0) return c;
  throw core::ManagerError(core::kConnectFailed,
                           std::string(scope_name(scope)) + " manager: tried " + direct_address +
                               " (" + std::strerror(-direct_r) + "), then " +
                               broker_address(scope) + " (" + failure_text(r, error) + ")");
}

Connection connect_broker(core::Scope scope) {
  Connection c;
  BusError error;
  const int r = open_broker(scope, &c, &error);
  if (r >= 0) return c;
  throw core::ManagerError(core::kConnectFailed, std::string(scope_name(scope)) +
                                                     " manager: tried " + broker_address(scope) +
                                                     " (" + failure_text(r, error) + ")");
}

std::string unit_path(const std::string& unit) {
  char* path = nullptr;
  check(sd_bus_path_encode(kUnitPathPrefix, unit.c_str(), &path), "encoding a unit path");
  std::string result(path);
  std::free(path);
  return result;
}

namespace {

// One function per PropertyValue alternative: each appends the value with its exact D-Bus type,
// inside the variant that the caller opened with the matching signature.

void append_value(sd_bus_message* m, bool value) {
  check(sd_bus_message_append(m, "b", static_cast<int>(value)), "appending b");
}

void append_value(sd_bus_message* m, std::int32_t value) {
  check(sd_bus_message_append(m, "i", value), "appending i");
}

void append_value(sd_bus_message* m, std::uint32_t value) {
  check(sd_bus_message_append(m, "u", value), "appending u");
}

void append_value(sd_bus_message* m, std::uint64_t value) {
  check(sd_bus_message_append(m, "t", value), "appending t");
}

void append_value(sd_bus_message* m, const std::string& value) {
  check(sd_bus_message_append(m, "s", value.c_str()), "appending s");
}

void append_strings(sd_bus_message* m, const std::vector<std::string>& values) {
  check(sd_bus_message_open_container(m, 'a', "s"), "appending as");
  for (const auto& v : values) check(sd_bus_message_append(m, "s", v.c_str()), "appending as");
  check(sd_bus_message_close_container(m), "appending as");
}

void append_value(sd_bus_message* m, const std::vector<std::string>& values) {
  append_strings(m, values);
}

void append_value(sd_bus_message* m, const std::vector<core::ExecCommand>& commands) {
  check(sd_bus_message_open_container(m, 'a', "(sasas)"), "appending a(sasas)");
  for (const auto& command : commands) {
    check(sd_bus_message_open_container(m, 'r', "sasas"), "appending a(sasas)");
    check(sd_bus_message_append(m, "s", command.path.c_str()), "appending a(sasas)");
    append_strings(m, command.argv);
    append_strings(m, command.flags);
    check(sd_bus_message_close_container(m), "appending a(sasas)");
  }
  check(sd_bus_message_close_container(m), "appending a(sasas)");
}

void append_value(sd_bus_message* m, const core::ExitStatusSet& set) {
  check(sd_bus_message_open_container(m, 'r', "aiai"), "appending (aiai)");
  check(sd_bus_message_append_array(m, 'i', set.codes.data(), set.codes.size() * sizeof(int32_t)),
        "appending (aiai)");
  check(
      sd_bus_message_append_array(m, 'i', set.signals.data(), set.signals.size() * sizeof(int32_t)),
      "appending (aiai)");
  check(sd_bus_message_close_container(m), "appending (aiai)");
}

void append_value(sd_bus_message* m, const std::vector<core::EnvironmentFile>& files) {
  check(sd_bus_message_open_container(m, 'a', "(sb)"), "appending a(sb)");
  for (const auto& f : files)
    check(sd_bus_message_append(m, "(sb)", f.path.c_str(), static_cast<int>(f.ignore_missing)),
          "appending a(sb)");
  check(sd_bus_message_close_container(m), "appending a(sb)");
}

void append_value(sd_bus_message* m, const core::ByteArrays& arrays) {
  check(sd_bus_message_open_container(m, 'a', "ay"), "appending aay");
  for (const auto& item : arrays.items)
    check(sd_bus_message_append_array(m, 'y', item.data(), item.size()), "appending aay");
  check(sd_bus_message_close_container(m), "appending aay");
}

void append_value(sd_bus_message* m, const std::vector<core::ListenAddress>& addresses) {
  check(sd_bus_message_open_container(m, 'a', "(ss)"), "appending a(ss)");
  for (const auto& a : addresses)
    check(sd_bus_message_append(m, "(ss)", a.type.c_str(), a.address.c_str()), "appending a(ss)");
  check(sd_bus_message_close_container(m), "appending a(ss)");
}

void append_value(sd_bus_message* m, const core::NameList& list) {
  check(sd_bus_message_open_container(m, 'r', "bas"), "appending (bas)");
  check(sd_bus_message_append(m, "b", static_cast<int>(list.allow)), "appending (bas)");
  append_strings(m, list.names);
  check(sd_bus_message_close_container(m), "appending (bas)");
}

void append_value(sd_bus_message* m, const std::vector<std::uint32_t>& values) {
  check(sd_bus_message_append_array(m, 'u', values.data(), values.size() * sizeof(std::uint32_t)),
        "appending au");
}

template <typename T>
constexpr const char* signature_of() {
  if constexpr (std::is_same_v<T, bool>)
    return "b";
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return "i";
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return "u";
  else if constexpr (std::is_same_v<T, std::uint64_t>)
    return "t";
  else if constexpr (std::is_same_v<T, std::string>)
    return "s";
  else if constexpr (std::is_same_v<T, std::vector<std::string>>)
    return "as";
  else if constexpr (std::is_same_v<T, std::vector<core::ExecCommand>>)
    return "a(sasas)";
  else if constexpr (std::is_same_v<T, core::ExitStatusSet>)
    return "(aiai)";
  else if constexpr (std::is_same_v<T, std::vector<core::EnvironmentFile>>)
    return "a(sb)";
  else if constexpr (std::is_same_v<T, core::ByteArrays>)
    return "aay";
  else if constexpr (std::is_same_v<T, std::vector<core::ListenAddress>>)
    return "a(ss)";
  else if constexpr (std::is_same_v<T, core::NameList>)
    return "(bas)";
  else if constexpr (std::is_same_v<T, std::vector<std::uint32_t>>)
    return "au";
  else
    static_assert(sizeof(T) == 0, "PropertyValue alternative without a D-Bus signature");
}

}  // namespace

void append_property(sd_bus_message* m, const core::Property& property) {
  const std::string what = "appending property '" + property.name + "'";
  check(sd_bus_message_open_container(m, 'r', "sv"), what);
  check(sd_bus_message_append(m, "s", property.name.c_str()), what);
  std::visit(
      [&](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        check(sd_bus_message_open_container(m, 'v', signature_of<T>()), what);
        append_value(m, value);
        check(sd_bus_message_close_container(m), what);
      },
      property.value);
  check(sd_bus_message_close_container(m), what);
}

void append_properties(sd_bus_message* m, const std::vector<core::Property>& properties) {
  check(sd_bus_message_open_container(m, 'a', "(sv)"), "appending a(sv)");
  for (const auto& p : properties) append_property(m, p);
  check(sd_bus_message_close_container(m), "appending a(sv)");
}

void append_aux_units(sd_bus_message* m, const std::vector<core::UnitSpec>& aux) {
  check(sd_bus_message_open_container(m, 'a', "(sa(sv))"), "appending aux units");
  for (const auto& unit : aux) {
    check(sd_bus_message_open_container(m, 'r', "sa(sv)"), "appending aux unit " + unit.name);
    check(sd_bus_message_append(m, "s", unit.name.c_str()), "appending aux unit " + unit.name);
    append_properties(m, unit.properties);
    check(sd_bus_message_close_container(m), "appending aux unit " + unit.name);
  }
  check(sd_bus_message_close_container(m), "appending aux units");
}

}  // namespace pmctl::sd
