// pmctl-logwriter: runs an app with its stdout and stderr on pipes and writes its lines to the
// log files the app declares (PM2's out_file, error_file, log_file, with log_date_format or
// log_type json), while copying every byte unchanged to its own stdout and stderr, which
// systemd-cat has connected to journald. The app keeps the process systemd started (the unit's
// main PID); the writer runs in a grandchild that systemd reaps, so the app never sees a child
// it did not start. pmctl's unit mapping builds the command line:
//
//   pmctl-logwriter [--out F] [--err F] [--log F] [--date-format FMT]
//                   [--log-type json --name NAME --id ID] [--journal no] -- APP ARGS...
//
// `--journal no` (an app's `journal: false`): nothing is copied, the files are the only store.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/state/log_files.hpp"
#include "core/text/log_line.hpp"
#include "logwriter/log_file.hpp"
#include "logwriter/pump.hpp"

namespace {

using pmctl::logwriter::LogFile;
using pmctl::logwriter::Stream;

struct Options {
  std::string out, err, log;
  pmctl::core::LineStyle style;
  bool copy = true;         ///< Copy every byte to stdout/stderr (the journal streams).
  std::vector<char*> argv;  ///< The app's, NULL-terminated.
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "pmctl-logwriter: %s\nusage: pmctl-logwriter [--out F] [--err F] [--log F] "
               "[--date-format FMT] [--log-type json --name NAME --id ID] [--journal no] -- APP "
               "ARGS...\n",
               why);
  std::exit(2);
}

void set_option(Options& o, std::string_view name, const char* value) {
  if (name == "--out")
    o.out = value;
  else if (name == "--err")
    o.err = value;
  else if (name == "--log")
    o.log = value;
  else if (name == "--date-format")
    o.style.date_format = value;
  else if (name == "--log-type")
    o.style.json = std::string_view(value) == "json";
  else if (name == "--name")
    o.style.app_name = value;
  else if (name == "--id")
    o.style.id = std::atoi(value);
  else if (name == "--journal")
    o.copy = std::string_view(value) != "no";
  else
    usage("unknown option");
}

Options parse(int argc, char** argv) {
  Options o;
  int i = 1;
  for (; i < argc && std::string_view(argv[i]) != "--"; i += 2) {
    if (i + 1 >= argc) usage("option without a value");
    set_option(o, argv[i], argv[i + 1]);
  }
  if (i + 1 >= argc) usage("no program after '--'");
  o.argv.assign(argv + i + 1, argv + argc);
  o.argv.push_back(nullptr);
  return o;
}

/// The files by path (out and log may be one file), each opened once.
struct Files {
  std::vector<std::unique_ptr<LogFile>> owned;
  std::vector<LogFile*> all;

  LogFile* get(const std::string& path) {
    if (path.empty()) return nullptr;
    for (LogFile* f : all)
      if (f->path() == path) return f;
    owned.push_back(std::make_unique<LogFile>(path));
    all.push_back(owned.back().get());
    return all.back();
  }
};

void add(Stream& s, LogFile* f) {
  if (!f) return;
  for (LogFile* g : s.files)
    if (g == f) return;
  s.files.push_back(f);
}

[[noreturn]] void die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "pmctl-logwriter: %s%s: %s\n", what, detail.c_str(), std::strerror(errno));
  std::exit(1);
}

/// Signals that would end the writer before it is ready (a stop, or reloadLogs) are ignored
/// until the app's exec, which gets the defaults back (systemd starts services with defaults).
void set_dispositions(void (*handler)(int)) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR2}) std::signal(sig, handler);
}

/// Forks the writer as a grandchild; the calling process returns and becomes the app.
void spawn_writer(Stream& out, Stream& err, const std::vector<LogFile*>& files,
                  const pmctl::core::LineStyle& style, const int write_ends[2]) {
  const pid_t child = fork();
  if (child < 0) die("fork", "");
  if (child == 0) {
    if (fork() != 0) _exit(0);  // the grandchild is reparented to the service manager
    close(write_ends[0]);
    close(write_ends[1]);
    prctl(PR_SET_NAME, pmctl::core::kLogWriterComm);
    _exit(pmctl::logwriter::pump(out, err, files, style));
  }
  waitpid(child, nullptr, 0);
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  Files files;
  Stream out, err;
  out.copy_fd = o.copy ? STDOUT_FILENO : -1;
  err.copy_fd = o.copy ? STDERR_FILENO : -1;
  err.is_err = true;
  add(out, files.get(o.out));
  add(err, files.get(o.err));
  add(out, files.get(o.log));
  add(err, files.get(o.log));
  // PM2 refuses to start an app whose log file cannot be opened; so does the writer.
  for (LogFile* f : files.all)
    if (!f->open()) die("cannot open ", "'" + f->path() + "'");
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) die("pipe", "");
  out.fd = out_pipe[0];
  err.fd = err_pipe[0];
  set_dispositions(SIG_IGN);
  const int write_ends[2] = {out_pipe[1], err_pipe[1]};
  spawn_writer(out, err, files.all, o.style, write_ends);
  if (dup2(out_pipe[1], STDOUT_FILENO) < 0 || dup2(err_pipe[1], STDERR_FILENO) < 0) die("dup2", "");
  set_dispositions(SIG_DFL);
  execvp(o.argv[0], o.argv.data());
  // stderr is the pipe now: the writer puts this line in the files and in the journal.
  std::fprintf(stderr, "pmctl-logwriter: cannot run '%s': %s\n", o.argv[0], std::strerror(errno));
  return 127;
}
