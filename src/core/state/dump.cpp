#include "core/state/dump.hpp"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/base/files.hpp"
#include "core/model/app_json.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

}  // namespace

fs::path dump_path(const fs::path& state_dir) { return state_dir / "dump.json"; }
fs::path dump_bak_path(const fs::path& state_dir) { return state_dir / "dump.json.bak"; }

fs::path saved_manifest_path(const fs::path& state_dir) { return state_dir / "saved" / "units"; }

std::vector<std::string> saved_unit_names(const fs::path& state_dir) {
  std::vector<std::string> names;
  std::ifstream in(saved_manifest_path(state_dir));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) names.push_back(line);
  return names;
}

std::string dump_text(const std::vector<BootApp>& apps) {
  json list = json::array();
  for (const auto& app : apps) {
    json j = app.record;
    j["env"] = app.record.decl.env;
    j["stopped"] = app.stopped;
    list.push_back(std::move(j));
  }
  return json{{"version", kDumpVersion}, {"apps", list}}.dump(2) + "\n";
}

std::vector<BootApp> parse_dump(const std::string& text) {
  try {
    const json j = json::parse(text);
    if (!j.is_object() || !j.contains("apps") || !j["apps"].is_array())
      throw Error("not a pmctl dump (no \"apps\" list)");
    if (int_field(j, "version", 0) != kDumpVersion)
      throw Error("a dump of another pmctl version (" + j.value("version", json(0)).dump() + ")");
    std::vector<BootApp> apps;
    for (const auto& item : j["apps"]) {
      BootApp app;
      app.record = item.get<AppRecord>();
      app.stopped = item.value("stopped", false);
      apps.push_back(std::move(app));
    }
    return apps;
  } catch (const json::exception& e) {
    throw Error(std::string("not a pmctl dump: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw Error(std::string("not a pmctl dump: ") + e.what());
  }
}

void write_dump(const fs::path& state_dir, const std::vector<BootApp>& apps) {
  const std::string text = dump_text(apps);
  if (!fs::exists(state_dir)) {
    fs::create_directories(state_dir);
    fs::permissions(state_dir, fs::perms::owner_all);  // the registry's own mode: 0700
  }
  if (const auto old = read_file_if_any(dump_path(state_dir)))
    write_file_atomically(dump_bak_path(state_dir), *old, 0600);
  write_file_atomically(dump_path(state_dir), text, 0600);
}

std::vector<BootApp> read_dump_quietly(const fs::path& state_dir) {
  const auto text = read_file_if_any(dump_path(state_dir));
  if (!text) return {};
  try {
    return parse_dump(*text);
  } catch (const Error&) {
    return {};
  }
}

std::optional<DumpRead> read_dump(const fs::path& state_dir) {
  DumpRead result;
  const fs::path main = dump_path(state_dir);
  if (const auto text = read_file_if_any(main)) {
    try {
      result.apps = parse_dump(*text);
      result.from = main;
      return result;
    } catch (const Error& e) {
      result.problem = main.string() + ": " + e.what();
      std::error_code ec;
      fs::remove(main, ec);  // PM2 deletes an unparsable dump and falls back to the backup
    }
  } else {
    result.problem = main.string() + " is missing or unreadable";
  }
  const fs::path bak = dump_bak_path(state_dir);
  const auto text = read_file_if_any(bak);
  if (!text) return std::nullopt;
  try {
    result.apps = parse_dump(*text);
  } catch (const Error&) {
    return std::nullopt;
  }
  result.from = bak;
  return result;
}

}  // namespace pmctl::core
