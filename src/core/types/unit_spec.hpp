#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace pmctl::core {

/// One `ExecStartEx`-style command: `a(sasas)` on D-Bus.
struct ExecCommand {
  std::string path;                ///< Absolute path of the executable.
  std::vector<std::string> argv;   ///< Including argv[0].
  std::vector<std::string> flags;  ///< e.g. "ignore-failure", "no-env-expand".
  bool operator==(const ExecCommand&) const = default;
};

/// `(aiai)`: exit codes and signal numbers.
struct ExitStatusSet {
  std::vector<std::int32_t> codes;
  std::vector<std::int32_t> signals;
  bool operator==(const ExitStatusSet&) const = default;
};

/// `(sb)` entry of `EnvironmentFiles`: path and ignore-if-missing.
struct EnvironmentFile {
  std::string path;
  bool ignore_missing = false;
  bool operator==(const EnvironmentFile&) const = default;
};

/// `aay`, as used by `LogExtraFields` (each element the bytes `FIELD=VALUE`).
struct ByteArrays {
  std::vector<std::string> items;
  bool operator==(const ByteArrays&) const = default;
};

/// `(ss)` entry of a socket's `Listen`: the type without its prefix ("Stream", "Datagram",
/// "SequentialPacket", "FIFO", ...) and the address ("0.0.0.0:8080", "/run/app.sock").
struct ListenAddress {
  std::string type;
  std::string address;
  bool operator==(const ListenAddress&) const = default;
};

/// `(bas)`: an allow-list (true) or deny-list (false) of names, as RestrictAddressFamilies and
/// SystemCallFilter take them.
struct NameList {
  bool allow = true;
  std::vector<std::string> names;
  bool operator==(const NameList&) const = default;
};

/// The D-Bus signature of each alternative: b, i, u, t, s, as, a(sasas), (aiai), a(sb), aay,
/// a(ss), (bas), au (a scope's `PIDs`).
using PropertyValue =
    std::variant<bool, std::int32_t, std::uint32_t, std::uint64_t, std::string,
                 std::vector<std::string>, std::vector<ExecCommand>, ExitStatusSet,
                 std::vector<EnvironmentFile>, ByteArrays, std::vector<ListenAddress>, NameList,
                 std::vector<std::uint32_t>>;

struct Property {
  std::string name;  ///< The D-Bus property name (e.g. "RestartUSec", not "RestartSec").
  PropertyValue value;
  bool operator==(const Property&) const = default;
};

/// A transient unit to create: its full name and its properties, in order. Plain data: the
/// systemd layer turns it into a `StartTransientUnit` call.
struct UnitSpec {
  std::string name;
  std::vector<Property> properties;
  /// Units created (loaded, not started) in the same StartTransientUnit call: a transient
  /// socket can only feed the service of its own name, which has to come along here.
  std::vector<UnitSpec> aux;

  /// The value of property `name`, or nullptr.
  const PropertyValue* find(const std::string& name) const {
    for (const auto& p : properties)
      if (p.name == name) return &p.value;
    return nullptr;
  }
};

}  // namespace pmctl::core
