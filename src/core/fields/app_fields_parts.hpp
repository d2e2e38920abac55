#pragma once

// The pieces of app_from_json, one file each; see app_fields.hpp for the whole.

#include <map>
#include <optional>
#include <string>

#include "core/base/accounts.hpp"
#include "core/cluster/cluster.hpp"
#include "core/fields/app_fields.hpp"
#include "core/fields/raw_app.hpp"
#include "core/model/app.hpp"

namespace pmctl::core {

/// Throws for a field set to something pmctl does not do (PM2 Plus, ...).
/// app_fields_checks.cpp
void reject_unsupported(const RawApp& app);
/// Type-checks the fields that pmctl accepts but that change nothing under systemd, and warns
/// about PM2's internal ones. app_fields_checks.cpp
void check_inert_fields(RawApp& app);
/// PM2's exec_mode and instances (a number, "max" and 0 = `cpu_count`, -k = cpu_count - k) into
/// decl.cluster; returns pmctl's instance_endpoint, lb_policy and lb as written, for
/// finish_cluster. app_fields_checks.cpp
ClusterText read_cluster(const RawApp& app, unsigned cpu_count, AppDecl& decl);
/// Cluster mode's public port (from PORT, which `port` sets), `text`'s settings, and the checks
/// that need the whole declaration. app_fields_checks.cpp
void finish_cluster(const RawApp& app, const ClusterText& text, AppDecl& decl);

/// out_file, error_file, log_file, pid_file, merge_logs, ... app_fields_logs.cpp
LogSettings read_logs(const RawApp& app, const std::string& cwd, const std::string& name,
                      const std::string& log_dir);

/// watch (true, a path or paths, relative to `cwd`), ignore_watch, watch_delay and
/// watch_options.followSymlinks. app_fields_watch.cpp
WatchSettings read_watch(const RawApp& app, const std::string& cwd);

/// The app's complete environment: caller's (after filter_env) < the run-as user's HOME, USER,
/// LOGNAME < deploy env < env < env_<name> < port. app_fields_env.cpp
std::map<std::string, std::string> read_environment(RawApp& app, const FieldContext& ctx,
                                                    const std::string& cwd,
                                                    const std::optional<Account>& user);

}  // namespace pmctl::core
