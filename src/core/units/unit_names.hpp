#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/model/app_record.hpp"
#include "core/model/names.hpp"

namespace pmctl::core {

/// Every unit pmctl creates starts with this prefix; all app slices sit in `pmctl.slice`.
inline constexpr std::string_view kUnitPrefix = "pmctl";
inline constexpr std::size_t kMaxAppNameLength = kMaxNameLength;

/// Escapes `s` the way `systemd-escape` does (keeps [A-Za-z0-9:_.], `-` and every other byte
/// become `\xNN`, a leading `.` is escaped too), so it can be one dash-separated component.
std::string escape_unit_component(std::string_view s);

/// Throws core::Error if `name` cannot be an app name: what name_problem (model/names.hpp)
/// refuses (digits alone among them), or too long once escaped for a unit name.
void validate_app_name(std::string_view name);

/// What an instance's unit name ends with before `.service`, by slot: "" (A), "-b" (B), "-s"
/// (Saved). They cannot be mistaken for another app's id: ids are digits.
std::string_view slot_suffix(Slot slot);

/// `pmctl-<escaped name>-<id><slot_suffix(slot)>.service`.
std::string service_unit_name(std::string_view app_name, int id, Slot slot = Slot::A);
/// The unit that runs the instance now (its slot: A, B, or Saved).
std::string unit_of(const AppRecord& rec);
/// What an instance's unit name says: the app's name, its id and its slot.
struct ServiceUnitName {
  std::string app_name;  ///< unescaped
  int id = 0;
  Slot slot = Slot::A;
};
/// The inverse of service_unit_name: nullopt for any other unit (a balancer's, a slice, a
/// unit not pmctl's).
std::optional<ServiceUnitName> parse_service_unit_name(std::string_view unit);
/// The glob that matches every instance unit (and the balancers' services): "pmctl-*.service".
inline constexpr std::string_view kServiceUnitPattern = "pmctl-*.service";

/// `pmctl-<escaped name>.slice` (a child of `pmctl.slice`)
std::string app_slice_name(std::string_view app_name);

}  // namespace pmctl::core
