#include "core/remote/deploy_config.hpp"

#include <set>

#include "core/ecosystem/ecosystem_file.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

using nlohmann::json;

/// Every problem of a section is a usage error (exit 2), named by its field.
class FieldErrors {
 public:
  FieldErrors(const std::string& file, const std::string& env) {
    prefix_ = "ecosystem file '";
    prefix_ += file;
    prefix_ += "': deploy.";
    prefix_ += env;
  }
  [[noreturn]] void fail(const std::string& field, const std::string& what,
                         const std::string& hint) const {
    std::string text = prefix_;
    if (!field.empty()) text += "." + field;
    text += " " + what;
    throw Error(text, hint, 2);
  }

 private:
  std::string prefix_;
};

std::string env_names(const json& deploy) {
  std::string names;
  for (const auto& [name, value] : deploy.items()) {
    if (!value.is_object()) continue;
    if (!names.empty()) names += ", ";
    names += name;
  }
  return names;
}

const json& section_of(const json& deploy, const std::string& env, const std::string& file) {
  if (!deploy.is_object() || deploy.empty())
    throw Error("ecosystem file '" + file + "' has no deploy section",
                "add deploy: {" + env + ": {user, host, ref, repo, path}} to it", 2);
  if (!deploy.contains(env) || !deploy.at(env).is_object()) {
    const std::string names = env_names(deploy);
    throw Error("ecosystem file '" + file + "' has no deploy environment '" + env + "'",
                names.empty() ? "add deploy." + env + " to it" : "it has: " + names, 2);
  }
  return deploy.at(env);
}

std::string text_field(const json& section, const char* name, const FieldErrors& errors) {
  if (!section.contains(name) || section.at(name).is_null()) return {};
  const json& value = section.at(name);
  if (!value.is_string()) errors.fail(name, "must be a string", "write it in quotes");
  return value.get<std::string>();
}

std::string required_text(const json& section, const char* name, const char* example,
                          const FieldErrors& errors) {
  std::string value = text_field(section, name, errors);
  if (value.empty()) errors.fail(name, "is missing", std::string("for example ") + example);
  return value;
}

/// A string or an array of strings, as PM2 takes host and ssh_options.
std::vector<std::string> text_list(const json& section, const char* name,
                                   const FieldErrors& errors) {
  if (!section.contains(name) || section.at(name).is_null()) return {};
  const json& value = section.at(name);
  if (value.is_string()) return {value.get<std::string>()};
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const json& item : value) {
      if (!item.is_string()) break;
      out.push_back(item.get<std::string>());
    }
    if (out.size() == value.size()) return out;
  }
  errors.fail(name, "must be a string or an array of strings", "host: ['web1', 'web2']");
}

std::string port_field(const json& section, const FieldErrors& errors) {
  if (!section.contains("port") || section.at("port").is_null()) return {};
  const json& value = section.at("port");
  std::string port = value.is_string() ? value.get<std::string>() : value.dump();
  bool digits = !port.empty() && port.size() <= 5 && (value.is_string() || value.is_number());
  for (char c : port) digits = digits && c >= '0' && c <= '9';
  if (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535)
    errors.fail("port", "must be a number from 1 to 65535", "port: 22");
  return port;
}

std::vector<RemoteHost> hosts_field(const json& section, const FieldErrors& errors) {
  const std::vector<std::string> specs = text_list(section, "host", errors);
  if (specs.empty() || (specs.size() == 1 && specs[0].empty()))
    errors.fail("host", "is missing", "host: 'server.example.org' or an array of them");
  const std::string user = text_field(section, "user", errors);
  const std::string port = port_field(section, errors);
  std::vector<RemoteHost> hosts;
  std::set<std::string> seen;
  for (const std::string& spec : specs) {
    RemoteHost host;
    try {
      host = parse_remote_host(spec);
    } catch (const Error& e) {
      errors.fail("host", std::string("is wrong: ") + e.what(), "host: '[user@]host[:port]'");
    }
    if (!seen.insert(spec).second) errors.fail("host", "lists '" + spec + "' twice", "once");
    if (host.user.empty()) host.user = user;
    if (host.port.empty()) host.port = port;
    hosts.push_back(host);
  }
  return hosts;
}

bool flag_field(const json& section, const char* name, const FieldErrors& errors) {
  if (!section.contains(name) || section.at(name).is_null()) return false;
  const json& value = section.at(name);
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text == "yes" || text == "true") return true;
    if (text == "no" || text == "false") return false;
  }
  errors.fail(name, "must be true or false", std::string(name) + ": true");
}

std::string path_field(const json& section, const FieldErrors& errors) {
  std::string path = required_text(section, "path", "'/srv/app'", errors);
  if (path[0] != '/')
    errors.fail("path", "'" + path + "' is not an absolute path", "path: '/srv/app'");
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path == "/") errors.fail("path", "must not be /", "a directory of its own: '/srv/app'");
  return path;
}

/// ref is `<remote>/<branch>` as PM2 writes it: the clone takes the branch, update checks out
/// the remote's branch.
void ref_fields(const json& section, DeployTarget& t, const FieldErrors& errors) {
  t.ref = required_text(section, "ref", "'origin/main'", errors);
  const auto slash = t.ref.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == t.ref.size())
    errors.fail("ref", "'" + t.ref + "' is not <remote>/<branch>", "ref: 'origin/main'");
  t.remote = t.ref.substr(0, slash);
  t.branch = t.ref.substr(slash + 1);
  for (char c : t.ref)
    if (static_cast<unsigned char>(c) <= ' ' || c == '\x7f')
      errors.fail("ref", "'" + t.ref + "' has a blank or control character", "ref: 'origin/main'");
  if (t.branch[0] == '-' || t.remote[0] == '-')
    errors.fail("ref", "'" + t.ref + "' looks like an option", "ref: 'origin/main'");
}

bool is_env_name(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::vector<std::pair<std::string, std::string>> env_field(const json& section,
                                                           const FieldErrors& errors) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!section.contains("env") || section.at("env").is_null()) return out;
  const json& values = section.at("env");
  if (!values.is_object())
    errors.fail("env", "must be an object of NAME: value", "env: {NODE_ENV: 'production'}");
  for (const auto& [name, value] : values.items()) {
    std::string upper = name;
    for (char& c : upper)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!is_env_name(upper))
      errors.fail("env", "'" + name + "' is no variable name", "letters, digits and _");
    out.emplace_back(upper, env_value_text(value));
  }
  return out;
}

std::string fetch_field(const json& section, const FieldErrors& errors) {
  const std::string fetch = text_field(section, "fetch", errors);
  if (!fetch.empty() && fetch != "fast" && fetch != "full")
    errors.fail("fetch", "'" + fetch + "' is neither 'fast' nor 'full'",
                "fetch: 'fast' clones only the last 5 commits");
  return fetch;
}

}  // namespace

DeployTarget deploy_target(const json& deploy, const std::string& env, const std::string& file) {
  const json& section = section_of(deploy, env, file);
  const FieldErrors errors(file, env);
  DeployTarget t;
  t.env = env;
  t.file = file;
  t.hosts = hosts_field(section, errors);
  t.repo = required_text(section, "repo", "'git@github.com:me/app.git'", errors);
  t.path = path_field(section, errors);
  ref_fields(section, t, errors);
  t.ssh_options = text_list(section, "ssh_options", errors);
  t.key = text_field(section, "key", errors);
  t.forward_agent = flag_field(section, "forward-agent", errors);
  t.shallow = fetch_field(section, errors) == "fast";
  t.pre_setup = text_field(section, "pre-setup", errors);
  t.post_setup = text_field(section, "post-setup", errors);
  t.pre_deploy_local = text_field(section, "pre-deploy-local", errors);
  t.pre_deploy = text_field(section, "pre-deploy", errors);
  t.post_deploy = text_field(section, "post-deploy", errors);
  t.env_vars = env_field(section, errors);
  return t;
}

std::vector<std::string> deploy_ssh_extra(const DeployTarget& target, const std::string& home) {
  std::vector<std::string> extra;
  for (const std::string& option : target.ssh_options) extra.insert(extra.end(), {"-o", option});
  if (!target.key.empty()) {
    std::string key = target.key;
    if (key == "~" || key.rfind("~/", 0) == 0) key = home + key.substr(1);
    extra.insert(extra.end(), {"-i", key});
  }
  if (target.forward_agent) extra.emplace_back("-A");
  return extra;
}

namespace {

int revert_count(const std::string& word) {
  bool digits = !word.empty() && word.size() <= 6;
  for (char c : word) digits = digits && c >= '0' && c <= '9';
  const int n = digits ? std::stoi(word) : 0;
  if (n < 1)
    throw Error("revert takes a positive number of deploys, not '" + word + "'",
                "'revert 1' goes back to the deploy before the current one", 2);
  return n;
}

DeployAction action_of(const std::string& word) {
  static const std::vector<std::pair<std::string, DeployAction>> kWords = {
      {"setup", DeployAction::kSetup},       {"update", DeployAction::kUpdate},
      {"revert", DeployAction::kRevert},     {"curr", DeployAction::kCurrent},
      {"current", DeployAction::kCurrent},   {"prev", DeployAction::kPrevious},
      {"previous", DeployAction::kPrevious}, {"list", DeployAction::kList},
      {"exec", DeployAction::kExec},         {"run", DeployAction::kExec}};
  for (const auto& [name, action] : kWords)
    if (name == word) return action;
  throw Error("unknown deploy command '" + word + "'",
              "setup, update, revert [n], curr, prev, list or exec \"<command>\"", 2);
}

}  // namespace

DeployCommand parse_deploy_command(const std::vector<std::string>& words) {
  DeployCommand c;
  if (words.empty()) return c;
  c.action = action_of(words[0]);
  const std::size_t most = c.action == DeployAction::kRevert ? 2 : 1;
  if (c.action == DeployAction::kExec) {
    if (words.size() < 2 || words[1].empty())
      throw Error("exec needs a command", "pmctl deploy <env> exec \"npm test\"", 2);
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (i > 1) c.exec += ' ';
      c.exec += words[i];
    }
    return c;
  }
  if (words.size() > most)
    throw Error("'" + words[0] + "' takes no argument '" + words[most] + "'",
                "pmctl deploy [file] <env> [setup|update|revert [n]|curr|prev|list|exec <cmd>]", 2);
  if (c.action == DeployAction::kRevert && words.size() == 2)
    c.revert_count = revert_count(words[1]);
  return c;
}

bool deploy_action_changes(DeployAction action) {
  return action == DeployAction::kSetup || action == DeployAction::kUpdate ||
         action == DeployAction::kRevert;
}

}  // namespace pmctl::core
