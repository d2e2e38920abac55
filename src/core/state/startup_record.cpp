#include "core/state/startup_record.hpp"

#include <nlohmann/json.hpp>

#include "core/base/files.hpp"

namespace pmctl::core {

namespace fs = std::filesystem;

fs::path startup_record_path(const fs::path& state_dir) { return state_dir / "startup.json"; }

StartupRecord read_startup_record(const fs::path& state_dir) {
  StartupRecord r;
  const auto text = read_file_if_any(startup_record_path(state_dir));
  if (!text) return r;
  const auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return r;
  // A field of another type counts as false, like a file that cannot be read (value() throws).
  const auto flag = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
  };
  r.target_created = flag("target_created");
  r.linger_enabled = flag("linger_enabled");
  return r;
}

void write_startup_record(const fs::path& state_dir, const StartupRecord& r) {
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  const nlohmann::json j{{"target_created", r.target_created},
                         {"linger_enabled", r.linger_enabled}};
  write_file_atomically(startup_record_path(state_dir), j.dump() + "\n", 0600);
}

}  // namespace pmctl::core
