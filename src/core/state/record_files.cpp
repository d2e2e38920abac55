#include "core/state/record_files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <string>

#include "core/base/files.hpp"
#include "core/model/app_json.hpp"

namespace pmctl::core {
namespace fs = std::filesystem;
namespace {

AppRecord without_env(AppRecord rec) {
  rec.decl.env.clear();
  return rec;
}

bool file_exists(const fs::path& path) { return access(path.c_str(), F_OK) == 0; }

/// "12.json" -> 12; -1 for any other name (temporary files of an atomic write, strays).
int id_of(const fs::path& file) {
  const std::string stem = file.stem().string();
  if (file.extension() != ".json" || stem.empty() || stem.size() > 9) return -1;
  if (!std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoi(stem);
}

}  // namespace

fs::path record_file(const fs::path& state_dir, int id) {
  return state_dir / "apps" / (std::to_string(id) + ".json");
}

void write_record_files(const fs::path& state_dir, const RegistryData& before,
                        const RegistryData& data) {
  bool made_dir = false;
  for (const auto& app : data.apps) {
    const AppRecord rec = without_env(app);
    const fs::path path = record_file(state_dir, app.id);
    const AppRecord* old = before.find(app.id);
    if (old && without_env(*old) == rec && file_exists(path)) continue;
    if (!made_dir) make_private_dir(path.parent_path());
    made_dir = true;
    write_file_atomically(path, nlohmann::json(rec).dump() + "\n", 0600);
  }
  for (const auto& old : before.apps) {
    if (data.find(old.id)) continue;
    remove_if_present(record_file(state_dir, old.id));
  }
}

std::vector<int> record_file_ids(const fs::path& state_dir) {
  std::vector<int> ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(state_dir / "apps", ec))
    if (const int id = id_of(entry.path()); id >= 0) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::optional<AppRecord> read_record_file(const fs::path& state_dir, int id) {
  const auto text = read_file_if_any(record_file(state_dir, id));
  if (!text) return std::nullopt;
  try {
    auto rec = nlohmann::json::parse(*text).get<AppRecord>();
    if (rec.id != id) return std::nullopt;
    return rec;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

RecordFiles read_record_files(const fs::path& state_dir) {
  RecordFiles out;
  for (int id : record_file_ids(state_dir)) {
    if (auto rec = read_record_file(state_dir, id))
      out.records.push_back(std::move(*rec));
    else
      out.unreadable.push_back(record_file(state_dir, id));
  }
  return out;
}

}  // namespace pmctl::core
