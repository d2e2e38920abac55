// pmctl init|ecosystem: writes a commented ecosystem.config.js to start from.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/types/error.hpp"

namespace pmctl::cli {
namespace {

constexpr std::string_view kSample =
    R"(// An ecosystem file for pmctl (and PM2). Start everything in it with
//   pmctl start ecosystem.config.js                 (or plain `pmctl start` in this directory)
//   pmctl start ecosystem.config.js --env production
// Each app becomes a systemd service: `pmctl show <name>` names its unit, and `journalctl -u`
// that unit shows its output. Every field and what pmctl does with it: docs/ecosystem-fields.md.
module.exports = {
  apps: [
    {
      name: 'app',            // shown by `pmctl ls`; default: the script's name
      script: 'app.js',       // a script (interpreter chosen by extension), a binary, or a "command string"
      // args: ['--port', '3000'],
      // cwd: '/srv/app',      // relative paths in this app resolve against it
      // interpreter: 'node',  // or 'none' to run the script itself
      env: {                  // always set
        NODE_ENV: 'development',
      },
      env_production: {       // set on top of env with --env production
        NODE_ENV: 'production',
      },
      // autorestart: true,
      // max_restarts: 16,     // unstable restarts (shorter than min_uptime) before 'errored'; 0 is honoured
      // min_uptime: 1000,     // ms
      // restart_delay: 0,     // ms
      // kill_timeout: 1600,   // ms between SIGINT and SIGKILL
      // max_memory_restart: '300M',
      // out_file: './logs/out.log',   // default: the journal only
      // error_file: './logs/err.log',
    },
  ],
};
)";

struct InitOptions {
  std::string mode;
  bool force = false;
};

void write_sample(const std::filesystem::path& path, bool force) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
  const int fd = open(path.c_str(), flags, 0644);
  if (fd < 0 && errno == EEXIST)
    throw core::Error("'" + path.string() + "' already exists", "pass --force to overwrite it");
  if (fd < 0) throw core::Error("cannot create '" + path.string() + "': " + std::strerror(errno));
  const ssize_t n = write(fd, kSample.data(), kSample.size());
  const int err = errno;
  close(fd);
  if (n != static_cast<ssize_t>(kSample.size()))
    throw core::Error("cannot write '" + path.string() + "': " + std::strerror(err));
}

void run_init(const InitOptions& o, Context& ctx) {
  if (!o.mode.empty() && o.mode != "simple")
    throw core::Error("unknown template '" + o.mode + "'",
                      "use 'pmctl init' or 'pmctl init simple'", 2);
  const std::filesystem::path path = std::filesystem::path(ctx.cwd()) / "ecosystem.config.js";
  write_sample(path, o.force);
  say("File " + path.string() + " generated");
}

}  // namespace

void register_init(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<InitOptions>();
  CLI::App* init = app.add_subcommand("init", "Write a commented ecosystem.config.js here");
  init->alias("ecosystem");
  init->add_option("mode", opts->mode, "Template: simple (the only one; PM2 compatibility)");
  init->add_flag("-f,--force", opts->force, "Overwrite an existing ecosystem.config.js");
  init->callback([&ctx, opts] { run_init(*opts, ctx); });
}

}  // namespace pmctl::cli
