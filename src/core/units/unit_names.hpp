#pragma once

#include <string>
#include <string_view>

namespace pmctl::core {

/// Every unit pmctl creates starts with this prefix; all app slices sit in `pmctl.slice`.
inline constexpr std::string_view kUnitPrefix = "pmctl";
inline constexpr std::size_t kMaxAppNameLength = 100;

/// Escapes `s` the way `systemd-escape` does (keeps [A-Za-z0-9:_.], `-` and every other byte
/// become `\xNN`, a leading `.` is escaped too), so it can be one dash-separated component.
std::string escape_unit_component(std::string_view s);

/// Throws core::Error if `name` cannot be an app name: empty, longer than kMaxAppNameLength, a
/// character outside [A-Za-z0-9_.@:+-], a leading `-` or `.`, `..`, or the reserved word `all`.
void validate_app_name(std::string_view name);

/// Which of an instance's unit names is meant (AppRecord::slot): the transient one, the
/// transient one a cluster reload alternates with, or the unit file `pmctl save` wrote.
inline constexpr int kSlotA = 0;
inline constexpr int kSlotB = 1;
inline constexpr int kSlotSaved = 2;

/// `pmctl-<escaped name>-<id>.service`; slot 1 (a cluster instance's reload replacement):
/// `pmctl-<escaped name>-<id>-b.service`; slot 2 (the unit file of `pmctl save`):
/// `pmctl-<escaped name>-<id>-s.service`.
std::string service_unit_name(std::string_view app_name, int id, int slot = 0);
/// `pmctl-<escaped name>.slice` (a child of `pmctl.slice`)
std::string app_slice_name(std::string_view app_name);

}  // namespace pmctl::core
