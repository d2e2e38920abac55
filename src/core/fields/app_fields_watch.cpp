// PM2's watch, ignore_watch, watch_delay and watch_options (docs/ecosystem-fields.md, "watch").
#include "core/fields/app_fields_parts.hpp"
#include "core/fields/field_values.hpp"
#include "core/units/watch_units.hpp"

namespace pmctl::core {
namespace {

// chokidar takes many options; pmctl's inotify watcher has the one that changes what is watched.
constexpr std::string_view kWatchOptionsHint =
    "pmctl's watcher (inotify) takes followSymlinks only; remove the others";

std::vector<std::string> read_watch_paths(const RawApp& app, const nlohmann::json& value) {
  std::vector<std::string> paths;
  if (value.is_string()) {
    paths.push_back(value.get<std::string>());
  } else if (value.is_array()) {
    for (const auto& item : value) {
      if (!item.is_string() || item.get_ref<const std::string&>().empty())
        app.fail_type("watch", "true, a path or a list of paths");
      paths.push_back(item.get<std::string>());
    }
  } else if (!value.is_boolean() && !value.is_number()) {
    app.fail_type("watch", "true, a path or a list of paths");
  }
  return paths;
}

bool read_follow_symlinks(const RawApp& app) {
  const nlohmann::json* options = app.find("watch_options");
  if (!options) return true;
  if (!options->is_object()) app.fail_type("watch_options", "an object");
  bool follow = true;
  for (const auto& [key, value] : options->items()) {
    if (key != "followSymlinks")
      app.fail("watch_options", "'" + key + "' is a chokidar option pmctl does not have",
               std::string(kWatchOptionsHint));
    if (!value.is_boolean()) app.fail_type("watch_options", "{followSymlinks: true or false}");
    follow = value.get<bool>();
  }
  return follow;
}

}  // namespace

WatchSettings read_watch(const RawApp& app, const std::string& cwd) {
  WatchSettings w;
  w.ignore = read_list(app, "ignore_watch").value_or(std::vector<std::string>{});
  w.delay_ms = read_duration_ms(app, "watch_delay").value_or(0);
  w.follow_symlinks = read_follow_symlinks(app);
  const nlohmann::json* value = app.find("watch");
  if (!value || !js_truthy(*value)) return w;
  w.enabled = true;
  for (const auto& path : read_watch_paths(app, *value)) w.paths.push_back(watch_path(cwd, path));
  return w;
}

}  // namespace pmctl::core
