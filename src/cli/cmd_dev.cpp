// pmctl dev: PM2's pm2-dev. The app starts with watch on and no automatic restart, pmctl stays in
// the foreground with its output (timestamped), and the app goes when pmctl does: on Ctrl-C or
// SIGTERM, or when the app exits by itself, whose exit code pmctl then passes on.
#include <chrono>
#include <csignal>
#include <optional>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/units/watch_units.hpp"

namespace pmctl::cli {
namespace {

using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_signal = 0;
void on_signal(int signal) { g_signal = signal; }

/// The app's exit code (128 + signal when a signal ended it), or nullopt while it runs or is
/// being restarted.
std::optional<int> exit_of(Context& ctx, int id) {
  const auto v = ctx.lifecycle().views({id}).at(0);
  if (core::is_up(v.status) || v.status == core::Status::Stopping) return std::nullopt;
  if (v.state.exec_main_code == 1) return v.state.exec_main_status;  // CLD_EXITED
  if (v.state.exec_main_code == 2 || v.state.exec_main_code == 3)    // CLD_KILLED, CLD_DUMPED
    return 128 + v.state.exec_main_status;
  return 0;  // exited cleanly: systemd let the unit go with its status
}

/// Watches the app while its output is followed: it has ended by itself once it is down, and
/// still down once this command holds the command lock (a watcher's restart holds it from the
/// stop to the start) and a quarter of a second later (its last lines reach the journal).
class EndWatch {
 public:
  EndWatch(Context& ctx, int id) : ctx_(ctx), id_(id) {}

  bool ended() {
    if (g_signal != 0) return true;
    if (Clock::now() < next_check_) return false;
    next_check_ = Clock::now() + std::chrono::milliseconds(250);
    if (!exit_of(ctx_, id_)) {
      seen_down_ = false;
      return false;
    }
    if (!seen_down_) {
      seen_down_ = true;
      return false;
    }
    ctx_.begin_transaction("pmctl dev (the app ended?)");
    code_ = exit_of(ctx_, id_);
    ctx_.end_transaction();
    seen_down_ = code_.has_value();
    return seen_down_;
  }
  std::optional<int> code() const { return code_; }

 private:
  Context& ctx_;
  int id_;
  Clock::time_point next_check_ = Clock::now();
  bool seen_down_ = false;
  std::optional<int> code_;
};

}  // namespace

void catch_stop_signals(void (*handler)(int)) {
  struct sigaction sa = {};
  sa.sa_handler = handler;  // no SA_RESTART: the journal wait returns EINTR
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void run_dev(const core::AppDecl& decl, Context& ctx) {
  std::string watched;
  for (const auto& path : core::watched_paths(decl))
    watched += (watched.empty() ? "" : ", ") + path;
  say("Starting " + decl.script + " in dev mode: watching " + watched +
      "; Ctrl-C stops and deletes it");
  const int id = ctx.lifecycle().start_new(decl, false);
  ctx.end_transaction();  // following holds no lock: the watcher's restarts need it
  catch_stop_signals(on_signal);
  EndWatch watch(ctx, id);
  follow_app_logs(
      ctx, decl.name, [&] { return watch.ended(); }, true);
  ctx.begin_transaction("pmctl dev (deleting its app)");
  ctx.lifecycle().remove(id);
  if (g_signal != 0) {
    say("'" + decl.name + "' stopped and deleted: pmctl dev was interrupted");
    return;
  }
  ctx.exit_status = watch.code().value_or(0);
  say("'" + decl.name + "' exited with code " + std::to_string(ctx.exit_status) +
      " and was deleted");
}

}  // namespace pmctl::cli
