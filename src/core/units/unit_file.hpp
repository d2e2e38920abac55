#pragma once

#include <string>

#include "core/types/unit_spec.hpp"

namespace pmctl::core {

/// The text of a unit file equivalent to the transient unit `spec`: `header_comment` as `# `
/// lines (none if empty), then [Unit], the type's section ([Service], [Socket], [Slice]; a
/// .target has none) and [Install], each holding its properties in the order given. Only
/// `spec` itself is rendered, not `spec.aux`: the caller writes each aux unit to its own file.
/// Throws Error for a property it does not know, one in the wrong unit type, or a value a unit
/// file cannot express (a newline in a description, a non-empty capability mask, ...): a setting
/// is never dropped.
std::string render_unit_file(const UnitSpec& spec, const std::string& header_comment);

/// A drop-in holding only the commands of `spec` (its Exec*Ex properties), each list emptied
/// first: what systemd 252 loses when it reloads a transient unit (it writes `ExecStartEx=` lines
/// into /run/systemd/transient that its own parser does not know, and escapes `$` and `;` in a
/// way it does not read back). "" when `spec` has no command.
std::string render_exec_dropin(const UnitSpec& spec, const std::string& header_comment);

}  // namespace pmctl::core
