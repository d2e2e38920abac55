// The environment of an ecosystem app, by PM2's rules (reference §3.2 env, filter_env, port).
#include <algorithm>
#include <string_view>
#include <vector>

#include "core/base/envfile.hpp"
#include "core/fields/app_fields_parts.hpp"
#include "core/fields/field_values.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

using Env = std::map<std::string, std::string>;

/// filter_env: true -> nothing inherited; a string or strings -> names containing any of them
/// are not inherited. An empty string filters nothing.
Env inherited(const RawApp& app, const Env& caller) {
  const nlohmann::json* filter = app.find("filter_env");
  if (!filter) return caller;
  if (filter->is_boolean()) return filter->get<bool>() ? Env{} : caller;
  std::vector<std::string> parts;
  if (filter->is_string())
    parts = {filter->get<std::string>()};
  else if (filter->is_array())
    parts = *read_list(app, "filter_env");
  else
    app.fail_type("filter_env", "true, false, a string or an array of strings");
  Env out;
  for (const auto& entry : caller) {
    const auto matches = [&](const std::string& part) {
      return !part.empty() && entry.first.find(part) != std::string::npos;
    };
    if (std::none_of(parts.begin(), parts.end(), matches)) out.insert(entry);
  }
  return out;
}

/// Merges an `env`-style object from the file, checking each entry as systemd will.
void merge_section(RawApp& app, Env& env, const nlohmann::json& section, const std::string& key) {
  if (!section.is_object())
    throw Error(app.where() + ": field '" + key + "' must be an object, got " + json_text(section),
                "write it as { \"NAME\": \"value\" }");
  for (const auto& [name, value] : section.items()) {
    const std::string text = env_text(value);
    if (!valid_env_name(name)) {
      app.warn(key + ": '" + name + "' is not a valid environment variable name, ignoring");
    } else if (!valid_env_value(text)) {
      app.warn(key + ": the value of '" + name + "' is not valid UTF-8 or contains NUL, ignoring");
    } else {
      env[name] = text;
    }
  }
}

/// Under uid, the app gets that user's HOME, USER and LOGNAME (PM2 sets HOME; systemd's User=
/// would set all three, but the environment file would override them with the caller's).
void set_user(Env& env, const std::optional<Account>& user) {
  if (!user) return;
  env["HOME"] = user->home;
  env["USER"] = user->name;
  env["LOGNAME"] = user->name;
}

void merge_named_env(RawApp& app, Env& env, const std::optional<std::string>& env_name) {
  if (!env_name) return;
  const nlohmann::json* section = app.env_section(*env_name);
  if (!section) {
    app.warn("--env '" + *env_name + "' given but the app has no env_" + *env_name + ", ignoring");
    return;
  }
  merge_section(app, env, *section, "env_" + *env_name);
}

}  // namespace

Env read_environment(RawApp& app, const FieldContext& ctx, const std::string& cwd,
                     const std::optional<Account>& user) {
  Env env = inherited(app, ctx.caller_env);
  env["PWD"] = cwd;
  set_user(env, user);
  for (const auto& [name, value] : ctx.deploy_env) env[name] = value;
  if (const nlohmann::json* section = app.find("env"))
    merge_section(app, env, *section, app.key("env"));
  merge_named_env(app, env, ctx.env_name);
  // PM2 applies `port` last (Common.prepareAppConf), over env and env_<name>. Unlike PM2, 0 is
  // honoured too.
  if (auto port = read_count(app, "port")) {
    if (*port > 65535) app.fail_type("port", "a port number from 0 to 65535");
    env["PORT"] = std::to_string(*port);
  }
  return env;
}

}  // namespace pmctl::core
