// pmctl monit in a real terminal: tmux runs it in a detached 80x24 window, send-keys presses the
// keys, capture-pane reads what is on the screen (with -e, its colours too).
#include <gmock/gmock.h>
#include <sys/stat.h>

#include <regex>
#include <sstream>

#include "core/base/utf8.hpp"
#include "fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

/// A tmux server of its own (-L), one session running one shell command.
class Tmux {
 public:
  Tmux() : socket_(unique_name("pmctl-monit")) {}
  ~Tmux() { sh(tmux() + " kill-server 2>/dev/null"); }

  void start(const std::string& command, int cols = 80, int rows = 24) {
    const Result r = sh(tmux() + " new-session -d -s m -x " + std::to_string(cols) + " -y " +
                        std::to_string(rows) + " '" + command + "'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string capture(bool escapes = false) {
    return sh(tmux() + " capture-pane -p " + (escapes ? "-e " : "") + "-t m").out;
  }
  void keys(const std::string& keys) { sh(tmux() + " send-keys -t m " + keys); }
  void resize(int cols, int rows) {
    sh(tmux() + " resize-window -t m -x " + std::to_string(cols) + " -y " + std::to_string(rows));
  }
  /// Waits until the screen shows `text`.
  bool shows(const std::string& text,
             std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return eventually([&] { return capture().find(text) != std::string::npos; }, timeout);
  }

 private:
  std::string tmux() const { return "tmux -L " + socket_; }
  std::string socket_;
};

std::vector<std::string> lines_of(const std::string& screen) {
  std::vector<std::string> out;
  std::istringstream in(screen);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// The screen line that contains `text`, "" if none.
std::string line_with(const std::string& screen, const std::string& text) {
  for (const auto& line : lines_of(screen))
    if (line.find(text) != std::string::npos) return line;
  return "";
}

/// The highest N of the "printer: out N" lines on the screen, 0 if none.
int last_printed(const std::string& screen) {
  int last = 0;
  const std::regex out_line(R"(printer: out (\d+))");
  for (std::sregex_iterator it(screen.begin(), screen.end(), out_line), end; it != end; ++it)
    last = std::max(last, std::stoi((*it)[1]));
  return last;
}

/// SGR colour codes (foreground, background, 256 and true colour) in what capture-pane -e gave.
bool has_colour(const std::string& screen) {
  const std::regex sgr("\x1b\\[([0-9;]*)m");
  for (std::sregex_iterator it(screen.begin(), screen.end(), sgr), end; it != end; ++it) {
    std::istringstream codes((*it)[1]);
    for (std::string code; std::getline(codes, code, ';');) {
      if (code.empty()) continue;
      const int c = std::stoi(code);
      if ((c >= 30 && c <= 38) || (c >= 40 && c <= 48) || (c >= 90 && c <= 107)) return true;
    }
  }
  return false;
}

class MonitTest : public PmctlTest {
 protected:
  void SetUp() override {
    PmctlTest::SetUp();
    char dir[] = "/tmp/pmctl-monit-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    sh("rm -rf '" + dir_ + "'");
    PmctlTest::TearDown();
  }

  /// pmctl monit in the window with `env`, then its exit status and the terminal's settings
  /// before and after, and a pause that keeps the window open to be read.
  std::string monit_command(const std::string& env = "", const std::string& flags = "") {
    return "stty -g >" + dir_ + "/before; env LANG=C.UTF-8 " + env + " " PMCTL_BINARY " monit " +
           flags + "; echo exit=$?; stty -g >" + dir_ + "/after; sleep 600";
  }

  std::string dir_;
};

TEST_F(MonitTest, ShowsTheAppsFollowsTheSelectionRedrawsOnResizeAndQuitsCleanly) {
  const std::string a = unique_name("monit-a");
  const std::string b = unique_name("monit-b");
  ASSERT_EQ(pmctl({"start", app_path("greet.sh"), "--name", a}, {"GREETING=alpha"}).exit_code, 0);
  ASSERT_EQ(pmctl({"start", app_path("printer.py"), "--name", b}, {"PYTHONUNBUFFERED=1"}).exit_code,
            0);
  wait_for_line(b, "printer: out 1");

  Tmux tmux;
  tmux.start(monit_command());
  ASSERT_TRUE(tmux.shows("details: " + a)) << tmux.capture();
  std::string screen = tmux.capture();
  EXPECT_THAT(line_with(screen, a), HasSubstr("online")) << screen;
  EXPECT_THAT(line_with(screen, b), HasSubstr("online")) << screen;
  EXPECT_THAT(line_with(screen, b + " "), Not(HasSubstr(">"))) << screen;
  EXPECT_THAT(line_with(screen, "status"), HasSubstr("memory")) << screen;
  ASSERT_TRUE(tmux.shows("greeting=alpha")) << tmux.capture();  // a's log line
  // Every line within 80 columns; the separator spans them all.
  for (const auto& line : lines_of(screen)) EXPECT_LE(core::display_width(line), 80u) << line;
  EXPECT_EQ(lines_of(screen).size(), 24u);
  EXPECT_EQ(core::display_width(line_with(screen, "──────")), 80u) << screen;

  // Down: b is selected, its details and its live lines replace a's.
  tmux.keys("Down");
  ASSERT_TRUE(tmux.shows("details: " + b)) << tmux.capture();
  ASSERT_TRUE(tmux.shows("logs: " + b)) << tmux.capture();
  ASSERT_TRUE(eventually([&] { return last_printed(tmux.capture()) > 0; })) << tmux.capture();
  screen = tmux.capture();
  EXPECT_THAT(line_with(screen, b + " "), HasSubstr(">")) << screen;
  EXPECT_THAT(screen, Not(HasSubstr("greeting=alpha"))) << screen;
  const int seen = last_printed(screen);
  EXPECT_TRUE(eventually([&] { return last_printed(tmux.capture()) > seen + 2; }))
      << "no new log line after " << seen << ":\n"
      << tmux.capture();
  const std::string pid = std::to_string(app(b)["pid"].get<int>());
  EXPECT_THAT(line_with(tmux.capture(), "pid "), HasSubstr(pid)) << tmux.capture();

  // k moves back up, j down again.
  tmux.keys("k");
  ASSERT_TRUE(tmux.shows("details: " + a)) << tmux.capture();
  tmux.keys("j");
  ASSERT_TRUE(tmux.shows("details: " + b)) << tmux.capture();

  // A resize redraws to the new size at once.
  tmux.resize(100, 30);
  ASSERT_TRUE(eventually([&] {
    const auto lines = lines_of(tmux.capture());
    return lines.size() == 30 && core::display_width(line_with(tmux.capture(), "──────")) == 100;
  })) << tmux.capture();
  EXPECT_THAT(tmux.capture(), HasSubstr("details: " + b));

  // q: exit 0, the shell's screen back, the terminal's settings as they were.
  tmux.keys("q");
  ASSERT_TRUE(tmux.shows("exit=0")) << tmux.capture();
  EXPECT_THAT(tmux.capture(), Not(HasSubstr("pmctl monit")));
  ASSERT_TRUE(eventually([&] { return !read_file(dir_ + "/after").empty(); }));
  EXPECT_EQ(read_file(dir_ + "/after"), read_file(dir_ + "/before"));
  // It changed nothing.
  EXPECT_EQ(status_of(a), "online");
  EXPECT_EQ(status_of(b), "online");
}

TEST_F(MonitTest, CtrlCQuitsWithTheTerminalRestored) {
  const std::string a = unique_name("monit-c");
  ASSERT_EQ(pmctl({"start", app_path("greet.sh"), "--name", a}).exit_code, 0);
  Tmux tmux;
  tmux.start(monit_command());
  ASSERT_TRUE(tmux.shows(a)) << tmux.capture();
  tmux.keys("C-c");
  ASSERT_TRUE(tmux.shows("exit=0")) << tmux.capture();
  ASSERT_TRUE(eventually([&] { return !read_file(dir_ + "/after").empty(); }));
  EXPECT_EQ(read_file(dir_ + "/after"), read_file(dir_ + "/before"));
}

TEST_F(MonitTest, NoColorAndTheFlagLeaveOutEveryColour) {
  const std::string a = unique_name("monit-n");
  ASSERT_EQ(pmctl({"start", app_path("greet.sh"), "--name", a}).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return status_of(a) == "online"; }));
  // With colours, "online" is green: the check below can see a colour.
  {
    Tmux tmux;
    tmux.start(monit_command());
    ASSERT_TRUE(tmux.shows("details: " + a)) << tmux.capture();
    EXPECT_TRUE(has_colour(tmux.capture(true))) << tmux.capture(true);
    tmux.keys("q");
    ASSERT_TRUE(tmux.shows("exit=0"));
  }
  for (const auto& [env, flag] :
       std::vector<std::pair<std::string, std::string>>{{"NO_COLOR=1", ""}, {"", "--no-color"}}) {
    Tmux tmux;
    tmux.start(monit_command(env, flag));
    ASSERT_TRUE(tmux.shows("details: " + a)) << tmux.capture();
    const std::string screen = tmux.capture(true);
    EXPECT_FALSE(has_colour(screen)) << env << flag << ":\n" << screen;
    EXPECT_THAT(line_with(tmux.capture(), a), HasSubstr("online"));
    tmux.keys("q");
    ASSERT_TRUE(tmux.shows("exit=0"));
  }
}

TEST_F(MonitTest, WithoutATerminalIsOneErrorLine) {
  const Result r = pmctl({"monit"});  // stdin is /dev/null, stdout a pipe
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("pmctl: error: monit needs a terminal"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(pmctl({"dash", "--user", "--system"}).exit_code, 2);
}

}  // namespace
}  // namespace pmctl::test
