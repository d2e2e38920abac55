#include "core/ecosystem/ecosystem_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/ecosystem/json5.hpp"
#include "core/ecosystem/node_eval.hpp"
#include "core/ecosystem/yaml_json.hpp"
#include "core/types/error.hpp"
#include "core/types/unique_fd.hpp"

namespace pmctl::core {
namespace {

using nlohmann::json;

constexpr std::string_view kShapeHint =
    "an ecosystem file holds {apps: [{name, script, …}, …]}, a list of apps, or one app";

std::string quoted(const std::string& path) { return path == "-" ? "stdin" : "'" + path + "'"; }

[[noreturn]] void fail_read(const std::string& path) {
  const int err = errno;
  if (err == ENOENT)
    throw Error("ecosystem file '" + path + "' not found",
                "check the path and the current directory");
  throw Error("cannot read ecosystem file '" + path + "': " + std::strerror(err));
}

void check_size(std::size_t size, const std::string& path) {
  if (size <= kMaxEcosystemFileSize) return;
  throw Error("ecosystem file " + quoted(path) + " is larger than " +
                  std::to_string(kMaxEcosystemFileSize >> 20) + " MiB",
              "an ecosystem file only declares apps; check that this is the right file");
}

std::string read_limited(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail_read(path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail_read(path);
  if (S_ISDIR(st.st_mode)) throw Error("ecosystem file '" + path + "' is a directory");
  if (S_ISREG(st.st_mode)) check_size(static_cast<std::size_t>(st.st_size), path);
  // Read one byte past the limit: a pipe or a file that grew has no trustworthy size.
  std::string text(kMaxEcosystemFileSize + 1, '\0');
  std::size_t used = 0;
  while (used < text.size()) {
    const ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_read(path);
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  check_size(used, path);
  text.resize(used);
  return text;
}

std::string_view file_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

json parse_js_output(const std::string& text, const std::string& path) {
  try {
    return json::parse(text);
  } catch (const json::parse_error&) {
    throw Error("cannot read '" + path + "': node printed something that is not JSON",
                "the file must export plain data (objects, arrays, strings, numbers)");
  }
}

std::string a_type(const json& value) {
  if (value.is_null()) return "null";
  if (value.is_array()) return "a list";
  if (value.is_object()) return "an object";
  return std::string("a ") + value.type_name();
}

[[noreturn]] void fail_shape(const std::string& path, const std::string& what) {
  throw Error("ecosystem file " + quoted(path) + ": " + what, std::string(kShapeHint));
}

// The apps list out of the top level, by PM2's precedence: apps, then pm2, then the whole value.
json apps_value(const json& root, const std::string& path) {
  if (!root.is_object()) return root;
  for (const char* key : {"apps", "pm2"}) {
    if (!root.contains(key)) continue;
    const json& apps = root.at(key);
    if (!apps.is_array() && !apps.is_object())
      fail_shape(path, std::string("'") + key + "' must be a list of apps, not " + a_type(apps));
    return apps;
  }
  return root;
}

}  // namespace

std::optional<EcosystemFormat> ecosystem_format(std::string_view path) {
  const std::string_view name = file_name(path);
  auto has = [name](std::string_view part) { return name.find(part) != std::string_view::npos; };
  if (has(".json")) return EcosystemFormat::kJson;
  if (has(".yml") || has(".yaml")) return EcosystemFormat::kYaml;
  if (has(".config.js") || has(".config.cjs") || has(".config.mjs"))
    return EcosystemFormat::kJavaScript;
  return std::nullopt;
}

bool is_ecosystem_file(std::string_view path) { return ecosystem_format(path).has_value(); }

EcosystemDoc load_ecosystem_file(const std::string& path) {
  return load_ecosystem_file(path, [](const std::string& p) { return evaluate_js_config(p); });
}

EcosystemDoc load_ecosystem_file(const std::string& path, const JsEvaluator& evaluate_js) {
  const auto format = ecosystem_format(path);
  if (!format)
    throw Error("'" + path + "' is not an ecosystem file",
                "name it *.json, *.yml, *.yaml or *.config.js (.cjs, .mjs)");
  const std::string text = read_limited(path);
  switch (*format) {
    case EcosystemFormat::kJson:
      return ecosystem_from_json(parse_json5(text, path), path);
    case EcosystemFormat::kYaml:
      return ecosystem_from_json(parse_yaml(text, path), path);
    case EcosystemFormat::kJavaScript:
      break;
  }
  return ecosystem_from_json(parse_js_output(evaluate_js(path), path), path);
}

EcosystemDoc load_ecosystem_stdin(std::string_view text) {
  check_size(text.size(), "-");
  return ecosystem_from_json(parse_json5(text, "stdin"), "-");
}

EcosystemDoc ecosystem_from_json(const json& root, const std::string& path) {
  if (!root.is_object() && !root.is_array())
    fail_shape(path, "the top level is " + a_type(root) + ", not an object or a list");
  const json apps = apps_value(root, path);
  EcosystemDoc doc{path, {}, nullptr};
  if (apps.is_object() && !apps.empty()) doc.apps.push_back(apps);
  for (std::size_t i = 0; apps.is_array() && i < apps.size(); ++i) {
    if (!apps[i].is_object())
      fail_shape(path,
                 "app " + std::to_string(i + 1) + " is " + a_type(apps[i]) + ", not an object");
    doc.apps.push_back(apps[i]);
  }
  if (doc.apps.empty()) fail_shape(path, "declares no apps");
  if (root.is_object() && root.contains("deploy")) doc.deploy = root.at("deploy");
  return doc;
}

std::map<std::string, std::string> deploy_env(const EcosystemDoc& doc,
                                              const std::string& env_name) {
  std::map<std::string, std::string> env;
  if (!doc.deploy.is_object() || !doc.deploy.contains(env_name)) return env;
  const json& target = doc.deploy.at(env_name);
  if (!target.is_object() || !target.contains("env")) return env;
  const json& values = target.at("env");
  if (!values.is_object())
    throw Error("ecosystem file " + quoted(doc.path) + ": deploy." + env_name +
                    ".env must be an object of NAME: value",
                "write it as env: {NODE_ENV: 'production'}");
  for (const auto& [name, value] : values.items()) env[name] = env_value_text(value);
  return env;
}

std::string env_value_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace pmctl::core
