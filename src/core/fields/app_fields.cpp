#include "core/fields/app_fields.hpp"

#include <filesystem>
#include <limits>

#include "core/base/envfile.hpp"
#include "core/base/interpreter.hpp"
#include "core/fields/app_fields_parts.hpp"
#include "core/fields/field_values.hpp"
#include "core/fields/parse.hpp"
#include "core/types/error.hpp"
#include "core/units/cron_calendar.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

// Appends rather than `"'" + s + "'"`, which trips GCC 12's false -Wrestrict warning.
std::string in_quotes(std::string_view s) {
  std::string out(1, '\'');
  out.append(s).push_back('\'');
  return out;
}

/// The app's name as written if it has one, else its place in the file.
std::string initial_label(const nlohmann::json& app, std::size_t index) {
  if (app.is_object()) {
    const auto name = app.find("name");
    if (name != app.end() && name->is_string() && !name->get_ref<const std::string&>().empty())
      return in_quotes(name->get<std::string>());
  }
  return "#" + std::to_string(index + 1);
}

std::string resolve_cwd(const RawApp& app, const FieldContext& ctx) {
  const auto cwd = read_string(app, "cwd");
  if (cwd && cwd->empty()) app.fail_type("cwd", "a directory");
  // An absolute cwd replaces the base directory; a relative one is taken from the file's.
  std::string dir = (fs::path(ctx.base_dir) / cwd.value_or("")).lexically_normal().string();
  if (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    app.fail("cwd", "directory '" + dir + "' does not exist",
             "create it, or give a path relative to " + ctx.base_dir);
  return dir;
}

Launch resolve_script(const RawApp& app, const FieldContext& ctx, const std::string& cwd) {
  const auto script = read_string(app, "script");
  if (!script)
    throw Error(app.where() + ": field 'script' is missing",
                "give the program to run, e.g. \"script\": \"app.js\"");
  const auto interpreter = read_string(app, "interpreter");
  if (interpreter && interpreter->starts_with("node@"))
    app.fail("interpreter", "nvm versions like '" + *interpreter + "' are not supported",
             "give the interpreter's absolute path, e.g. ~/.nvm/versions/node/v20.11.0/bin/node");
  try {
    return resolve_launch(*script, cwd, interpreter, ctx.path_env);
  } catch (const Error& e) {
    const bool about_interpreter = interpreter && std::string_view(e.what()).starts_with("interp");
    app.fail(about_interpreter ? "interpreter" : "script", e.what(), e.hint());
  }
}

std::string read_name(RawApp& app, const FieldContext& ctx, const Launch& launch) {
  std::string name = read_string(app, "name").value_or(launch.default_name);
  const bool append_env = read_bool(app, "append_env_to_name").value_or(false);
  if (append_env && ctx.env_name) name += "-" + *ctx.env_name;
  try {
    validate_app_name(name);
  } catch (const Error& e) {
    app.fail("name", e.what(), e.hint());
  }
  app.set_label(in_quotes(name));
  return name;
}

// PM2 runs a command string as `sh -c "<string>"` and ignores these fields for it.
void warn_ignored_by_command_string(RawApp& app) {
  for (const char* field : {"args", "interpreter", "interpreter_args"})
    if (app.has(field))
      app.warn("field '" + app.key(field) + "' has no effect on a command string, ignoring");
}

void read_launch(RawApp& app, const Launch& launch, AppDecl& decl) {
  decl.script = launch.script;
  decl.command_string = launch.command_string;
  decl.interpreter = launch.interpreter;
  decl.args = read_list(app, "args").value_or(std::vector<std::string>{});
  decl.interpreter_args = read_list(app, "interpreter_args").value_or(std::vector<std::string>{});
  if (launch.command_string) warn_ignored_by_command_string(app);
}

std::string read_namespace(const RawApp& app) {
  const auto ns = read_string(app, "namespace");
  if (!ns) return "default";
  try {
    validate_namespace(*ns);
  } catch (const Error& e) {
    app.fail("namespace", e.what(), e.hint());
  }
  return *ns;
}

std::vector<int> read_stop_exit_codes(const RawApp& app) {
  const nlohmann::json* value = app.find("stop_exit_codes");
  if (!value) return {};
  std::vector<std::string> items;
  if (value->is_number())
    items = {std::to_string(*read_count(app, "stop_exit_codes"))};
  else
    items = *read_list(app, "stop_exit_codes");
  try {
    return parse_exit_codes(items, app.key("stop_exit_codes"));
  } catch (const Error& e) {
    app.fail_type("stop_exit_codes", "exit codes from 0 to 255", e.hint());
  }
}

// Every field honoured, 0 included: PM2 loses max_restarts 0, min_uptime 0, kill_timeout 0 and
// restart_delay 0 to a falsy-value bug (reference §3.1); pmctl does what the file says.
RestartPolicy read_restart(const RawApp& app) {
  RestartPolicy p;
  p.autorestart = read_bool(app, "autorestart").value_or(p.autorestart);
  p.restart_delay_ms = read_duration_ms(app, "restart_delay").value_or(p.restart_delay_ms);
  p.exp_backoff_ms = read_duration_ms(app, "exp_backoff_restart_delay").value_or(p.exp_backoff_ms);
  p.min_uptime_ms = read_duration_ms(app, "min_uptime").value_or(p.min_uptime_ms);
  if (auto n = read_count(app, "max_restarts")) {
    if (*n > std::numeric_limits<std::uint32_t>::max())
      app.fail_type("max_restarts", "a non-negative number below 2^32");
    p.max_restarts = static_cast<std::uint32_t>(*n);
  }
  p.stop_exit_codes = read_stop_exit_codes(app);
  p.kill_timeout_ms = read_duration_ms(app, "kill_timeout").value_or(p.kill_timeout_ms);
  return p;
}

std::optional<Account> read_user(const RawApp& app, const FieldContext& ctx, AppDecl& decl) {
  const auto user = read_user_or_group(app, "uid");
  const auto group = read_user_or_group(app, "gid");
  if ((user || group) && !ctx.root)
    app.fail(user ? "uid" : "gid", "running an app as another user needs root",
             "run pmctl as root with the system manager, or remove uid and gid");
  std::optional<Account> account;
  if (user) {
    account = find_user(*user);
    if (!account) app.fail("uid", "no user '" + *user + "' on this system");
    decl.user = *user;
  }
  if (group) {
    if (!group_exists(*group)) app.fail("gid", "no group '" + *group + "' on this system");
    decl.group = *group;
  }
  return account;
}

std::optional<std::string> read_var_name(const RawApp& app, std::string_view field) {
  auto name = read_string(app, field);
  if (name && !valid_env_name(*name))
    app.fail_type(field, "an environment variable name (letters, digits, _)");
  return name;
}

/// PM2's cron_restart (alias cron): a pattern; 0, "0" and other JavaScript-falsy values are off.
std::string read_cron(const RawApp& app) {
  const nlohmann::json* value = app.find("cron_restart");
  if (!value || !js_truthy(*value) || (value->is_string() && value->get<std::string>() == "0"))
    return "";
  if (!value->is_string()) app.fail_type("cron_restart", "a cron pattern such as \"0 3 * * *\"");
  const std::string& pattern = value->get_ref<const std::string&>();
  try {
    cron_to_calendar(pattern);
  } catch (const Error& e) {
    app.fail("cron_restart", e.what(), e.hint());
  }
  return pattern;
}

void read_process_fields(const RawApp& app, ConvertedApp& out) {
  AppDecl& d = out.decl;
  d.max_memory_bytes = read_size_bytes(app, "max_memory_restart").value_or(0);
  d.autostart = read_bool(app, "autostart").value_or(true);
  d.treekill = read_bool(app, "treekill").value_or(true);
  d.vizion = read_bool(app, "vizion").value_or(true);
  d.wait_ready = read_bool(app, "wait_ready").value_or(false);
  d.listen_timeout_ms = read_duration_ms(app, "listen_timeout").value_or(d.listen_timeout_ms);
  d.shutdown_with_message = read_bool(app, "shutdown_with_message").value_or(false);
  // PM2 7 turns source maps on unless disable_source_map_support; an explicit
  // source_map_support: false means off too.
  d.source_maps = read_bool(app, "source_map_support").value_or(true) &&
                  !read_bool(app, "disable_source_map_support").value_or(false);
  d.instance_var = read_var_name(app, "instance_var").value_or(d.instance_var);
  d.increment_var = read_var_name(app, "increment_var").value_or("");
  d.cron_restart = read_cron(app);
  out.force = read_bool(app, "force").value_or(false);
}

}  // namespace

ConvertedApp app_from_json(const nlohmann::json& app, const FieldContext& ctx, std::size_t index) {
  RawApp raw(app, ctx.file, initial_label(app, index));
  reject_unsupported(raw);
  check_inert_fields(raw);
  ConvertedApp out;
  AppDecl& d = out.decl;
  const ClusterText cluster_text = read_cluster(raw, ctx.cpu_count, d);
  out.instances = d.cluster.instances;
  d.cwd = resolve_cwd(raw, ctx);
  const Launch launch = resolve_script(raw, ctx, d.cwd);
  d.name = read_name(raw, ctx, launch);
  d.ns = read_namespace(raw);
  read_launch(raw, launch, d);
  d.restart = read_restart(raw);
  const auto account = read_user(raw, ctx, d);
  read_process_fields(raw, out);
  d.env = read_environment(raw, ctx, d.cwd, account);
  finish_cluster(raw, cluster_text, d);
  d.logs = read_logs(raw, d.cwd, d.name, ctx.log_dir);
  d.watch = read_watch(raw, d.cwd);
  out.warnings = raw.take_warnings();
  return out;
}

std::vector<ConvertedApp> apps_from_json(const std::vector<nlohmann::json>& apps,
                                         const FieldContext& ctx) {
  std::vector<ConvertedApp> out;
  std::map<std::string, std::size_t> first_of_name;
  for (std::size_t i = 0; i < apps.size(); ++i) {
    out.push_back(app_from_json(apps[i], ctx, i));
    const std::string& name = out.back().decl.name;
    const auto [seen, fresh] = first_of_name.emplace(name, i);
    if (!fresh)
      throw Error(ctx.file + ": app " + in_quotes(name) + ": field 'name': apps #" +
                      std::to_string(seen->second + 1) + " and #" + std::to_string(i + 1) +
                      " are both named " + in_quotes(name),
                  "give each app of the file its own name");
  }
  return out;
}

}  // namespace pmctl::core
