// pmctl-watch: PM2's --watch for one app. It runs as the app's companion unit
// (pmctl-<name>-watch.service, in the app's slice), watches the app's directories with inotify,
// and on a change that is not ignored (watch/ignore.hpp) restarts the app (a pool or a cluster
// reloads) by running pmctl itself, the same transaction as a manual restart. The command line
// is in watch/options.hpp.
//
// One burst of changes is one restart (watch/coalesce.hpp). Changes that come while pmctl runs
// are kept and cause exactly one more run after it ends, so a save during a restart is not lost;
// PM2 drops them (its watcher ignores events while the app is restarting).
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/base/spawn.hpp"
#include "watch/coalesce.hpp"
#include "watch/ignore.hpp"
#include "watch/options.hpp"
#include "watch/tree.hpp"

namespace {

using pmctl::watch::Batch;
using pmctl::watch::Clock;
using pmctl::watch::Options;
using std::chrono::milliseconds;

std::string join(const std::vector<std::string>& words, const char* separator) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : separator) + w;
  return s;
}

/// SIGTERM, SIGINT and SIGCHLD, blocked and read from a descriptor polled with inotify's.
int signal_fd() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGCHLD}) sigaddset(&set, s);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return -1;
  return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

class Watcher {
 public:
  Watcher(const Options& o, pmctl::watch::Tree& tree, int signals)
      : o_(o), tree_(tree), signals_(signals) {}

  /// Until SIGTERM or SIGINT (0), or poll() fails (1).
  int run() {
    for (;;) {
      pollfd fds[2] = {{tree_.fd(), POLLIN, 0}, {signals_, POLLIN, 0}};
      if (poll(fds, 2, timeout_ms()) < 0 && errno != EINTR) {
        std::fprintf(stderr, "pmctl-watch: poll: %s\n", std::strerror(errno));
        return 1;
      }
      if ((fds[1].revents & POLLIN) && !read_signals()) return 0;
      if (fds[0].revents & POLLIN) {
        const auto changes = tree_.read_events();
        pending_.add(Clock::now(), changes.first_path, changes.events);
        for (const auto& note : tree_.take_notes()) std::printf("%s\n", note.c_str());
      }
      if (child_ == 0 && !pending_.empty() && Clock::now() >= fire_time()) act();
    }
  }

 private:
  Clock::time_point fire_time() const { return fire_at(pending_, milliseconds(o_.delay_ms)); }

  /// Sleeps in poll() without end when there is nothing to do.
  int timeout_ms() const {
    if (child_ != 0 || pending_.empty()) return -1;
    const auto left = std::chrono::ceil<milliseconds>(fire_time() - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
  }

  /// False on SIGTERM or SIGINT; reaps the action on SIGCHLD.
  bool read_signals() {
    signalfd_siginfo info{};
    while (read(signals_, &info, sizeof info) == sizeof info)
      if (info.ssi_signo != SIGCHLD) return false;
    int status = 0;
    if (child_ != 0 && waitpid(child_, &status, WNOHANG) == child_) {
      child_ = 0;
      const int code = pmctl::core::exit_status(status);
      if (code != 0) std::fprintf(stderr, "'%s' failed (exit %d)\n", command_.c_str(), code);
    }
    return true;
  }

  void act() {
    const auto argv = pmctl::core::pmctl_action_argv(o_.pmctl, o_.user, o_.action, o_.name);
    command_ = join(argv, " ");
    const std::string more =
        pending_.events > 1 ? " (+" + std::to_string(pending_.events - 1) + " more)" : "";
    std::printf("change in %s%s: %s\n", pending_.first_path.c_str(), more.c_str(),
                command_.c_str());
    pending_ = Batch{};
    child_ = pmctl::core::spawn_command(argv);
    if (child_ < 0) {
      std::fprintf(stderr, "could not run '%s'\n", command_.c_str());
      child_ = 0;
    }
  }

  const Options& o_;
  pmctl::watch::Tree& tree_;
  int signals_;
  Batch pending_;
  pid_t child_ = 0;  ///< the pmctl running, 0 when none
  std::string command_;
};

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // one line at a time into the journal
  std::string why;
  const auto options = pmctl::watch::parse_options({argv + 1, argv + argc}, why);
  if (!options) {
    std::fprintf(stderr, "pmctl-watch: %s\n%s\n", why.c_str(), pmctl::watch::kUsage);
    return 2;
  }
  const int signals = signal_fd();
  if (signals < 0) {
    std::fprintf(stderr, "pmctl-watch: signalfd: %s\n", std::strerror(errno));
    return 1;
  }
  const pmctl::watch::Ignore ignore(options->ignores);
  pmctl::watch::Tree tree(ignore, options->follow_symlinks);
  if (!tree.ok()) {
    std::fprintf(stderr, "pmctl-watch: inotify_init1: %s%s\n", std::strerror(errno),
                 errno == EMFILE ? " (fs.inotify.max_user_instances)" : "");
    return 1;
  }
  const auto start = Clock::now();
  for (const auto& path : options->paths) tree.add_root(path);
  for (const auto& note : tree.take_notes()) std::printf("%s\n", note.c_str());
  if (tree.directories() == 0) {
    std::fprintf(stderr, "pmctl-watch: nothing to watch\n");
    return 1;
  }
  const auto setup = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
  std::printf("watching %zu directories under %s (ignoring %s), delay %llu ms; set up in %lld ms\n",
              tree.directories(), join(tree.roots(), ", ").c_str(), ignore.describe().c_str(),
              static_cast<unsigned long long>(options->delay_ms), static_cast<long long>(setup));
  return Watcher(*options, tree, signals).run();
}
