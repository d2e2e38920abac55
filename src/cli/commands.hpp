#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "cli/context.hpp"

namespace pmctl::cli {

// One registration function per command family, one file each (cmd_*.cpp). Each adds its
// subcommands with an options struct and a callback that calls a run function.
void register_start(CLI::App& app, Context& ctx);
/// `pmctl logs <target>` with no tail: follows the apps' output until interrupted (start's
/// --attach and --no-daemon); returns once a signal ended a wait and `interrupted` says so.
/// With `timestamps`, each line has its time before it (`logs --timestamp`).
void follow_app_logs(Context& ctx, const std::string& target,
                     const std::function<bool()>& interrupted = {}, bool timestamps = false);
/// PM2's pm2-dev: `decl` (watch on, no autorestart) starts, its output is followed with
/// timestamps until Ctrl-C or SIGTERM, or until the app exits by itself; either way the app is
/// deleted, and pmctl exits with the app's exit code when it exited by itself (cmd_dev.cpp).
void run_dev(const core::AppDecl& decl, Context& ctx);
/// SIGINT and SIGTERM call `handler`, without SA_RESTART: a journal wait returns EINTR, so a
/// follow loop asks its `interrupted` at once (start --no-daemon, dev).
void catch_stop_signals(void (*handler)(int));
void register_lifecycle(CLI::App& app, Context& ctx);
/// Warns about what `decl` asks for and this host will not fully do: a watch path that does not
/// exist, a max_memory_restart without a kernel cap (no memory controller: pmctl-memguard alone
/// enforces it).
void warn_before_start(const core::AppDecl& decl, Context& ctx);
void register_list(CLI::App& app, Context& ctx);
void register_logs(CLI::App& app, Context& ctx);
void register_monit(CLI::App& app, Context& ctx);
void register_metrics(CLI::App& app, Context& ctx);
void register_web(CLI::App& app, Context& ctx);
void register_env(CLI::App& app, Context& ctx);
void register_init(CLI::App& app, Context& ctx);
void register_scale(CLI::App& app, Context& ctx);
void register_boot(CLI::App& app, Context& ctx);
void register_repair(CLI::App& app, Context& ctx);
void register_ops(CLI::App& app, Context& ctx);
void register_ids(CLI::App& app, Context& ctx);
void register_report(CLI::App& app, Context& ctx);
/// `pmctl deploy`: PM2's deploy over ssh (cmd_deploy.cpp, core/remote/deploy.hpp).
void register_deploy(CLI::App& app, Context& ctx);
/// The hidden `__complete` (cmd_complete.cpp): the words the shell completions offer.
/// `register_commands` adds the family of a command word to an app (every command for a word
/// that is none), as `main` does: what `__complete commands` and `options` list.
void register_complete(CLI::App& app, Context& ctx,
                       void (*register_commands)(CLI::App&, Context&, const std::string& word));

}  // namespace pmctl::cli
