// The fields pmctl refuses for now, and those it accepts without anything to do.
#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "core/cluster/cluster.hpp"
#include "core/cluster/cluster_probes.hpp"
#include "core/fields/app_fields_parts.hpp"
#include "core/fields/field_values.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

struct Unsupported {
  std::string_view field;
  std::string_view problem;
  std::string_view hint;
};

constexpr std::string_view kPlus = "PM2 Plus monitoring is not part of pmctl";
constexpr std::string_view kPlusHint =
    "remove the field; 'pmctl monit' and journalctl show the app";

// Refused when JavaScript-truthy, as PM2 switches them on; off or absent is fine.
const std::vector<Unsupported>& unsupported() {
  static const std::vector<Unsupported> table = {
      {"trace", kPlus, kPlusHint},
      {"v8", kPlus, kPlusHint},
      {"event_loop_inspector", kPlus, kPlusHint},
      {"deep_monitoring", kPlus, kPlusHint},
      {"io", kPlus, kPlusHint},
  };
  return table;
}

enum class Kind { Bool, Duration, String, List, Internal };

struct Inert {
  std::string_view field;
  Kind kind;
};

// Accepted because they change nothing here: systemd waits for a stopping app itself, pmctl never
// injects an agent, and pmctl ls shows the unit's own user.
const std::vector<Inert>& inert() {
  static const std::vector<Inert> table = {
      {"kill_retry_time", Kind::Duration}, {"post_update", Kind::List},
      {"execute_command", Kind::Bool},     {"username", Kind::String},
      {"windowsHide", Kind::Bool},         {"pmx", Kind::Bool},
      {"automation", Kind::Bool},          {"disable_trace", Kind::Bool},
      {"install_url", Kind::Internal},     {"name_prefix", Kind::Internal},
      {"write", Kind::Internal},
  };
  return table;
}

void check_inert(RawApp& app, const Inert& field) {
  switch (field.kind) {
    case Kind::Bool:
      read_bool(app, field.field);
      break;
    case Kind::Duration:
      read_duration_ms(app, field.field);
      break;
    case Kind::String:
      read_string(app, field.field);
      break;
    case Kind::List:
      read_list(app, field.field);
      break;
    case Kind::Internal:
      app.warn("field '" + app.key(field.field) + "' is internal to PM2, ignoring");
      break;
  }
}

/// PM2's switches are JavaScript-truthy.
bool is_on(std::string_view /*field*/, const nlohmann::json& value) { return js_truthy(value); }

/// "fork", "cluster" (PM2 also accepts the "_mode" forms), or nothing.
std::optional<std::string> read_exec_mode(const RawApp& app) {
  const auto mode = read_string(app, "exec_mode");
  if (!mode) return std::nullopt;
  if (*mode == "fork" || *mode == "fork_mode") return "fork";
  if (*mode == "cluster" || *mode == "cluster_mode") return "cluster";
  app.fail_type("exec_mode", "\"fork\" or \"cluster\"");
}

/// PM2's instances as written: a whole number (negative too) or "max"; absent = "1".
std::string instances_text(const RawApp& app) {
  const nlohmann::json* value = app.find("instances");
  if (!value) return "1";
  if (value->is_number_integer()) return std::to_string(value->get<long long>());
  if (value->is_number_unsigned()) return std::to_string(value->get<unsigned long long>());
  if (value->is_string()) return value->get<std::string>();
  app.fail_type("instances", "a number or \"max\"");
}

}  // namespace

void reject_unsupported(const RawApp& app) {
  for (const auto& u : unsupported()) {
    const nlohmann::json* value = app.find(u.field);
    if (value && is_on(u.field, *value))
      app.fail(u.field, std::string(u.problem) + ", got " + json_text(*value), std::string(u.hint));
  }
}

void check_inert_fields(RawApp& app) {
  for (const auto& field : inert())
    if (app.has(field.field)) check_inert(app, field);
}

ClusterText read_cluster(const RawApp& app, unsigned cpu_count, AppDecl& decl) {
  const auto mode = read_exec_mode(app);
  const std::string text = instances_text(app);
  int count = 1;
  try {
    count = resolve_instances(text, cpu_count > 0 ? cpu_count : online_cpus(), "instances");
  } catch (const Error& e) {
    if (text == "max" || !app.find("instances")->is_string())
      app.fail("instances", e.what(), e.hint());
    app.fail_type("instances", "a number or \"max\"", e.hint());
  }
  // exec_mode fork with several instances: PM2 runs them side by side, a pool.
  const bool fork = mode && *mode == "fork";
  decl.cluster.enabled = fork ? count != 1 : mode ? true : asks_for_cluster(text);
  decl.cluster.fork = fork && decl.cluster.enabled;
  decl.cluster.instances = count;
  // Their types now, their words in finish_cluster after the public port: the order the errors
  // have always come in (and by then the app's label is its name).
  return {read_string(app, "instance_endpoint"), read_string(app, "lb_policy"),
          read_string(app, "lb")};
}

void finish_cluster(const RawApp& app, const ClusterText& text, AppDecl& decl) {
  if (!decl.cluster.enabled || decl.cluster.fork) {
    // Fork mode never uses them and has never refused them: a known word is kept, as the
    // registry has always kept it; an unknown one has no value to become.
    ClusterSettings& c = decl.cluster;
    if (const auto e = endpoints_from_string(text.endpoints.value_or(""))) c.endpoints = *e;
    if (const auto p = policy_from_string(text.policy.value_or(""))) c.policy = *p;
    if (const auto lb = lb_mode_from_string(text.lb.value_or(""))) c.lb = *lb;
  } else {
    try {
      decl.cluster.public_port = has_public_port(decl) ? public_port_of(decl) : 0;
    } catch (const Error& e) {
      app.fail("port", e.what(), e.hint());
    }
  }
  if (!decl.cluster.enabled) return;
  try {
    if (!decl.cluster.fork) {
      if (!decl.cluster.balanced()) check_pool_text(text, decl.name);
      apply_cluster_text(text, decl.cluster);
    }
    validate_cluster(decl);
  } catch (const Error& e) {
    throw Error(app.where() + ": " + e.what(), e.hint());
  }
}

}  // namespace pmctl::core
