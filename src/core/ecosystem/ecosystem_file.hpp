#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pmctl::core {

enum class EcosystemFormat { kJson, kYaml, kJavaScript };

/// Larger ecosystem files (and stdin text) are refused before parsing.
inline constexpr std::size_t kMaxEcosystemFileSize = 4 << 20;

/// PM2's rule (Common.isConfigFile), applied to the file name: it contains `.json`, `.yml`,
/// `.yaml`, `.config.js`, `.config.cjs` or `.config.mjs`, tried in that order.
std::optional<EcosystemFormat> ecosystem_format(std::string_view path);
bool is_ecosystem_file(std::string_view path);

/// An ecosystem file read into raw app objects; turning them into declarations is the caller's.
struct EcosystemDoc {
  std::string path;                  ///< as given; "-" for stdin
  std::vector<nlohmann::json> apps;  ///< each one a JSON object, in file order
  nlohmann::json deploy;             ///< the top-level `deploy` object, or null
};

/// Runs a JavaScript ecosystem file and returns the JSON of what it exports.
using JsEvaluator = std::function<std::string(const std::string& path)>;

/// Reads the ecosystem file at `path` (at most kMaxEcosystemFileSize), parses it by its name
/// (JSON5-ish, YAML, or JavaScript through `evaluate_js`, by default evaluate_js_config) and
/// checks its shape. Throws core::Error naming the file.
EcosystemDoc load_ecosystem_file(const std::string& path);
EcosystemDoc load_ecosystem_file(const std::string& path, const JsEvaluator& evaluate_js);

/// The same for `pmctl start -`: `text` is what the caller read from stdin, read as JSON5-ish.
EcosystemDoc load_ecosystem_stdin(std::string_view text);

/// Checks the top-level shape: {apps: […]}, {pm2: […]}, a bare array of apps, or one app
/// object. `apps` may also be a single object, as PM2 allows. Throws core::Error for no apps,
/// an app that is not an object, or any other shape.
EcosystemDoc ecosystem_from_json(const nlohmann::json& root, const std::string& path);

/// `deploy.<env_name>.env` of the file, values turned to text as PM2 does (env_value_text);
/// empty when the file has no such section. The caller merges it with the lowest priority.
std::map<std::string, std::string> deploy_env(const EcosystemDoc& doc, const std::string& env_name);

/// An environment value as PM2 passes it on: strings as they are, numbers and booleans as
/// JavaScript prints them, objects, arrays and null as JSON text.
std::string env_value_text(const nlohmann::json& value);

}  // namespace pmctl::core
