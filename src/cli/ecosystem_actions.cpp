// Ecosystem files on the command line: start|restart|reload|stop|delete <file>, --only, --env.
#include "cli/ecosystem_actions.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <set>

#include "cli/app_env.hpp"
#include "cli/commands.hpp"
#include "cli/list_view.hpp"
#include "cli/output.hpp"
#include "core/ecosystem/ecosystem_file.hpp"
#include "core/ecosystem/node_eval.hpp"
#include "core/fields/app_fields.hpp"
#include "core/state/registry.hpp"
#include "core/types/error.hpp"

extern char** environ;

namespace pmctl::cli {
namespace {

namespace fs = std::filesystem;

/// The manager a .config.js file is evaluated under (in a scope unit of its own), or nullptr
/// where it cannot be reached: then pmctl ends what the file started by itself.
core::Manager* manager_if_reachable(Context& ctx) {
  try {
    return &ctx.manager();
  } catch (const std::exception&) {
    return nullptr;
  }
}

core::EcosystemDoc load(const std::string& file, Context& ctx) {
  if (file != "-")
    return core::load_ecosystem_file(file, [&ctx](const std::string& path) {
      return core::evaluate_js_config(path, {}, manager_if_reachable(ctx));
    });
  std::string text;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
    text.append(buf, n);
    if (text.size() > core::kMaxEcosystemFileSize)
      throw core::Error("the ecosystem on stdin is larger than " +
                        std::to_string(core::kMaxEcosystemFileSize >> 20) + " MiB");
  }
  return core::load_ecosystem_stdin(text);
}

std::string log_dir(Context& ctx) { return (ctx.registry().dir() / "logs").string(); }

core::FieldContext field_context(const core::EcosystemDoc& doc, const FileOptions& o,
                                 Context& ctx) {
  core::FieldContext fc;
  fc.file = doc.path == "-" ? "stdin" : doc.path;
  fc.base_dir = doc.path == "-" ? ctx.cwd()
                                : fs::absolute(doc.path).lexically_normal().parent_path().string();
  fc.caller_env = inherited_env(environ, {}, fc.base_dir);
  const char* path = std::getenv("PATH");
  fc.path_env = path ? path : "/usr/local/bin:/usr/bin:/bin";
  if (!o.env_name.empty()) {
    fc.env_name = o.env_name;
    fc.deploy_env = core::deploy_env(doc, o.env_name);
  }
  fc.root = ctx.scope() == core::Scope::System && geteuid() == 0;
  fc.log_dir = log_dir(ctx);
  return fc;
}

/// --only "a,b" or "a b": each name must be an app of the file.
std::vector<core::ConvertedApp> only(std::vector<core::ConvertedApp> apps, const std::string& list,
                                     const std::string& file) {
  if (list.empty()) return apps;
  std::set<std::string> wanted;
  std::string word;
  for (char c : list + ",") {
    if (c != ',' && c != ' ')
      word += c;
    else if (!word.empty())
      wanted.insert(std::exchange(word, ""));
  }
  std::vector<core::ConvertedApp> out;
  for (auto& app : apps)
    if (wanted.erase(app.decl.name)) out.push_back(std::move(app));
  if (!wanted.empty())
    throw core::Error("--only names '" + *wanted.begin() + "', which " + file + " does not declare",
                      "pass names of apps in the file, separated by commas");
  return out;
}

/// The app's PWD is its working directory, unless the file sets one.
void fix_pwd(core::AppDecl& decl, const std::string& base_dir) {
  if (auto it = decl.env.find("PWD"); it != decl.env.end() && it->second == base_dir)
    it->second = decl.cwd;
}

std::vector<core::ConvertedApp> declared_apps(const std::string& file, const FileOptions& o,
                                              Context& ctx) {
  const core::EcosystemDoc doc = load(file, ctx);
  const core::FieldContext fc = field_context(doc, o, ctx);
  auto apps = only(core::apps_from_json(doc.apps, fc), o.only, fc.file);
  for (auto& app : apps) {
    for (const auto& w : app.warnings) warn(w);
    fix_pwd(app.decl, fc.base_dir);
  }
  return apps;
}

std::vector<int> registered_ids(const std::vector<core::ConvertedApp>& apps,
                                const std::string& file, Context& ctx) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  std::vector<int> ids;
  for (const auto& app : apps) {
    const auto named = data.ids_named(app.decl.name);
    ids.insert(ids.end(), named.begin(), named.end());
  }
  if (ids.empty())
    throw core::Error("no app of " + file + " is registered",
                      "start them with 'pmctl start " + file + "'");
  return ids;
}

}  // namespace

bool names_ecosystem(const std::string& target) {
  return target == "-" || core::is_ecosystem_file(target);
}

void run_file_action(FileAction action, const std::string& file, const FileOptions& o,
                     Context& ctx) {
  const auto apps = declared_apps(file, o, ctx);
  const std::string shown = file == "-" ? "stdin" : file;
  if (action == FileAction::Start || action == FileAction::Reload) {
    for (const auto& app : apps) warn_before_start(app.decl, ctx);
    const core::Applied applied =
        ctx.lifecycle().apply(apps, o.force, action == FileAction::Reload);
    for (const auto& w : applied.warnings) warn(w);
    say("Applied " + shown + " (" + std::to_string(apps.size()) + " app(s))");
    for (const auto& [name, what] : applied.apps) say("  " + core::printable(name) + ": " + what);
  } else {
    for (int id : registered_ids(apps, shown, ctx)) {
      if (action == FileAction::Stop)
        ctx.lifecycle().stop(id);
      else
        ctx.lifecycle().remove(id);
    }
  }
  print_process_table(ctx);
}

}  // namespace pmctl::cli
