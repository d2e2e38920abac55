// Transient units that outlive a daemon-reload. systemd 252 writes a transient unit's settings
// to /run/systemd/transient and reads them back on `systemctl daemon-reload` (which package
// upgrades run): but it writes the commands as `ExecStartEx=` lines, which its own parser does
// not know, and escapes `$` and `;` in a way it does not read back. The unit then comes back as
// "bad-setting", without commands: running apps keep running, but pmctl no longer sees them and
// systemd can no longer restart them. So after creating a unit pmctl writes its commands again,
// in unit-file syntax, as a runtime drop-in beside it, which a daemon-reload reads too; it
// removes the drop-in before each new start and when the app is deleted.
#include <filesystem>
#include <vector>

#include "core/base/files.hpp"
#include "core/lifecycle/lifecycle.hpp"
#include "core/units/unit_file.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDropinName = "pmctl-exec.conf";

std::string header(const std::string& unit) {
  return "Written by pmctl for the transient unit " + unit + ": its commands, so that a daemon-reload\n"
         "keeps them (systemd 252 cannot read back its own transient ExecStartEx= lines). pmctl removes it.";
}

}  // namespace

void Lifecycle::clear_exec_dropin(const std::string& unit) {
  if (tools().unit_dir.empty()) return;
  std::error_code ec;
  fs::remove_all(fs::path(tools().unit_dir) / (unit + ".d"), ec);
}

void Lifecycle::start_transient(const UnitSpec& spec) {
  std::vector<const UnitSpec*> units{&spec};
  for (const auto& aux : spec.aux) units.push_back(&aux);
  // A drop-in left from an earlier run would add its commands to the new unit's.
  for (const UnitSpec* u : units) clear_exec_dropin(u->name);
  manager_.start_transient(spec);
  if (tools().unit_dir.empty()) return;  // a user manager without $XDG_RUNTIME_DIR: nowhere to put it
  // Best effort: the unit runs either way; without the drop-in only a daemon-reload would hurt it.
  for (const UnitSpec* u : units) {
    try {
      const std::string text = render_exec_dropin(*u, header(u->name));
      if (text.empty()) continue;
      const fs::path dir = fs::path(tools().unit_dir) / (u->name + ".d");
      fs::create_directories(dir);
      write_file_atomically(dir / kDropinName, text, 0644);
    } catch (const std::exception&) {
    }
  }
}

}  // namespace pmctl::core
