#include "core/units/log_mapping.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/state/log_files.hpp"

namespace pmctl::core {
namespace {

using Strings = std::vector<std::string>;

TEST(LogMappingSuffix, InsertsTheIdBeforeTheExtensionOfTheLastComponent) {
  const struct {
    const char* path;
    const char* expected;
  } cases[] = {
      {"/var/log/out.log", "/var/log/out-3.log"},
      {"/var/log/out", "/var/log/out-3"},
      {"/var/log/app.tar.gz", "/var/log/app.tar-3.gz"},
      {"/var/log.d/out", "/var/log.d/out-3"},
      {"/var/log/.hidden", "/var/log/.hidden-3"},
      {"/var/log/.hidden.log", "/var/log/.hidden-3.log"},
      {"/run/app.pid", "/run/app-3.pid"},
  };
  for (const auto& c : cases) EXPECT_EQ(with_id_suffix(c.path, 3), c.expected) << c.path;
}

TEST(LogMappingTargets, AppliesPm2sNamesToEachFile) {
  const struct {
    const char* label;
    LogSettings logs;
    LogTargets expected;
  } cases[] = {
      {"nothing declared", {}, {}},
      {"merged (fork mode default): names as declared, pid file still suffixed",
       {.out_file = "/l/out.log",
        .error_file = "/l/err.log",
        .log_file = "/l/all.log",
        .pid_file = "/run/api.pid"},
       {"/l/out.log", "/l/err.log", "/l/all.log", "/run/api-3.pid", false}},
      {"not merged: every file suffixed",
       {.out_file = "/l/out.log",
        .error_file = "/l/err.log",
        .log_file = "/l/all.log",
        .merge_logs = false,
        .pid_file = "/run/api.pid"},
       {"/l/out-3.log", "/l/err-3.log", "/l/all-3.log", "/run/api-3.pid", false}},
      {"/dev/null and NULL mean no file",
       {.out_file = "/dev/null", .error_file = "NULL", .merge_logs = false},
       {"", "", "", "", false}},
      {"disable_logs drops every file, keeps the pid file",
       {.out_file = "/l/out.log",
        .log_file = "/l/all.log",
        .disabled = true,
        .pid_file = "/run/a.pid"},
       {"", "", "", "/run/a-3.pid", true}},
  };
  for (const auto& c : cases) EXPECT_EQ(log_targets(c.logs, 3), c.expected) << c.label;
}

AppDecl app_with(LogSettings logs) {
  AppDecl app;
  app.name = "api";
  app.script = "/srv/api/server.js";
  app.interpreter = "/usr/bin/node";
  app.cwd = "/srv/api";
  app.logs = std::move(logs);
  return app;
}

InstanceContext ctx() {
  InstanceContext c;
  c.id = 3;
  c.systemd_cat = "/usr/bin/systemd-cat";
  c.logwriter = "/usr/libexec/pmctl-logwriter";
  return c;
}

const Strings kApp = {"/usr/bin/node", "/srv/api/server.js"};
const Strings kCat = {"/usr/bin/systemd-cat",  "-t", "api", "--level-prefix=false",
                      "--stderr-priority=err", "--"};

Strings concat(Strings a, const Strings& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<Property> output(const LogSettings& logs) {
  std::vector<Property> props;
  add_output(props, app_with(logs), ctx(), kApp);
  return props;
}

ExecCommand start_of(const std::vector<Property>& props) {
  return std::get<std::vector<ExecCommand>>(props.at(0).value).at(0);
}

TEST(LogMappingExec, RunsTheAppUnderSystemdCatAloneWithoutFiles) {
  const auto props = output({.date_format = "HH:mm", .json = true});  // formats only apply to files
  ASSERT_EQ(props.size(), 3u);
  EXPECT_EQ(props[0].name, "ExecStartEx");
  EXPECT_EQ(start_of(props),
            (ExecCommand{"/usr/bin/systemd-cat", concat(kCat, kApp), {"no-env-expand"}}));
}

TEST(LogMappingExec, PutsTheLogWriterBetweenSystemdCatAndTheApp) {
  const struct {
    const char* label;
    LogSettings logs;
    Strings writer_args;
  } cases[] = {
      {"out file", {.out_file = "/l/out.log"}, {"--out", "/l/out.log"}},
      {"err file, out discarded",
       {.out_file = "/dev/null", .error_file = "/l/e.log"},
       {"--err", "/l/e.log"}},
      {"combined, not merged",
       {.log_file = "/l/all.log", .merge_logs = false},
       {"--log", "/l/all-3.log"}},
      {"date format",
       {.out_file = "/o", .date_format = "YYYY-MM-DDTHH:mm:ss"},
       {"--out", "/o", "--date-format", "YYYY-MM-DDTHH:mm:ss"}},
      {"json",
       {.error_file = "/e", .json = true},
       {"--err", "/e", "--log-type", "json", "--name", "api", "--id", "3"}},
  };
  for (const auto& c : cases) {
    Strings argv = concat(kCat, {"/usr/libexec/pmctl-logwriter"});
    argv = concat(concat(concat(argv, c.writer_args), {"--"}), kApp);
    EXPECT_EQ(start_of(output(c.logs)),
              (ExecCommand{"/usr/bin/systemd-cat", argv, {"no-env-expand"}}))
        << c.label;
  }
}

TEST(LogMappingExec, DisableLogsRunsTheAppDirectlyWithOutputToNull) {
  const auto props = output({.out_file = "/l/out.log", .disabled = true});
  const std::vector<Property> expected = {
      {"ExecStartEx", std::vector<ExecCommand>{{"/usr/bin/node", kApp, {"no-env-expand"}}}},
      {"LogRateLimitIntervalUSec", std::uint64_t{1'000'000}},
      {"LogRateLimitBurst", std::uint32_t{10'000'000}},
      {"StandardOutput", std::string("null")},
      {"StandardError", std::string("null")},
  };
  EXPECT_EQ(props, expected);
}

// journald's default (10000 lines in 30 s, times its free-space factor) dropped 81 % of a
// 200,000-line burst; 0 would not turn it off on systemd 252 (it means journald.conf's default).
TEST(LogMappingRateLimit, EveryWayOfLoggingSetsOneSecondAndTenMillionLines) {
  const LogSettings cases[] = {
      {}, {.out_file = "/l/out.log"}, {.log_file = "/l/all.log", .json = true}, {.disabled = true}};
  for (const auto& logs : cases) {
    const auto props = output(logs);
    const auto has = [&](const Property& p) {
      return std::find(props.begin(), props.end(), p) != props.end();
    };
    EXPECT_TRUE(has({"LogRateLimitIntervalUSec", std::uint64_t{1'000'000}})) << logs.out_file;
    EXPECT_TRUE(has({"LogRateLimitBurst", std::uint32_t{10'000'000}})) << logs.out_file;
  }
  // journald multiplies the burst by at most (64 - 16) / 4 in 32 bits: no overflow on any disk.
  EXPECT_LT(std::uint64_t{kJournalRateBurst} * 48, std::uint64_t{1} << 32);
}

// journal: false: PM2's way, the app writes into a pipe and the writer alone batches its lines
// into the files, copying nothing to the journal (docs/file-logs.md).
TEST(LogMappingNoJournal, RunsTheAppUnderTheWriterAloneCopyingNothing) {
  const struct {
    const char* label;
    LogSettings logs;
    Strings writer_args;
  } cases[] = {
      {"both files",
       {.out_file = "/l/o.log", .error_file = "/l/e.log"},
       {"--out", "/l/o.log", "--err", "/l/e.log"}},
      {"combined and dated, not merged",
       {.out_file = "/l/o.log", .log_file = "/l/all.log", .merge_logs = false, .date_format = "HH"},
       {"--out", "/l/o-3.log", "--log", "/l/all-3.log", "--date-format", "HH"}},
  };
  for (auto c : cases) {
    c.logs.journal = false;
    const auto props = output(c.logs);
    Strings argv = concat({"/usr/libexec/pmctl-logwriter"}, c.writer_args);
    argv = concat(concat(argv, {"--journal", "no", "--"}), kApp);
    EXPECT_EQ(start_of(props),
              (ExecCommand{"/usr/libexec/pmctl-logwriter", argv, {"no-env-expand"}}))
        << c.label;
    for (const auto& p : props) EXPECT_NE(p.name, "StandardOutput") << c.label;
  }
}

TEST(LogMappingNoJournal, GivesUndeclaredStreamsPm2sDefaultFiles) {
  const LogSettings only_out =
      without_journal({.out_file = "/l/o.log"}, "/var/lib/pmctl/logs", "my api");
  EXPECT_FALSE(only_out.journal);
  EXPECT_EQ(only_out.out_file, "/l/o.log");
  EXPECT_EQ(only_out.error_file, "/var/lib/pmctl/logs/my-api-error.log");
  const LogSettings none = without_journal({.log_file = "/l/all.log"}, "/s/logs", "api");
  EXPECT_EQ(none.out_file, "/s/logs/api-out.log");
  EXPECT_EQ(none.error_file, "/s/logs/api-error.log");
  EXPECT_EQ(none.log_file, "/l/all.log");
  EXPECT_TRUE(without_journal({.disabled = true}, "/s/logs", "api").disabled);
}

TEST(LogMappingPidFile, WritesThePidAfterStartAndRemovesItAfterStop) {
  const auto props = output({.pid_file = "/run/api.pid"});
  ASSERT_EQ(props.size(), 5u);  // ExecStartEx, the two rate-limit settings, then these
  EXPECT_EQ(props[3].name, "ExecStartPostEx");
  EXPECT_EQ(props[4].name, "ExecStopPostEx");
  for (const auto& p : {props[3], props[4]}) {
    const auto cmd = std::get<std::vector<ExecCommand>>(p.value).at(0);
    EXPECT_EQ(cmd.path, "/bin/sh");
    EXPECT_EQ(cmd.argv.back(), "/run/api-3.pid");
    // A pid file that cannot be written must not fail the app; systemd must not expand $MAINPID.
    EXPECT_EQ(cmd.flags, (Strings{"ignore-failure", "no-env-expand"}));
  }
}

/// Runs the pid-file commands with /bin/sh, as systemd would.
class LogMappingPidScript : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("pmctl-pid-test-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  int run(const Property& p, const std::string& env) {
    const auto cmd = std::get<std::vector<ExecCommand>>(p.value).at(0);
    std::string line = env + " " + cmd.argv[0];
    for (std::size_t i = 1; i < cmd.argv.size(); ++i) line += " '" + cmd.argv[i] + "'";
    return std::system(line.c_str());
  }
  std::filesystem::path dir_;
};

TEST_F(LogMappingPidScript, WritesMainPidWithoutNewlineCreatingTheDirectoryThenRemovesIt) {
  const auto props = output({.pid_file = (dir_ / "sub" / "api.pid").string()});
  const auto file = dir_ / "sub" / "api-3.pid";
  ASSERT_EQ(run(props[3], "MAINPID=4242"), 0);
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "4242");
  ASSERT_EQ(run(props[4], "MAINPID="), 0);
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_F(LogMappingPidScript, WritesNothingWhenTheMainPidIsUnknown) {
  const auto props = output({.pid_file = (dir_ / "api.pid").string()});
  ASSERT_EQ(run(props[3], "MAINPID="), 0);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "api-3.pid"));
}

TEST(LogMappingDefaults, PutsTheDefaultCombinedLogInTheStateDirWithPm2sSanitizedName) {
  EXPECT_EQ(default_combined_log("/var/lib/pmctl", "my api@2:x"),
            "/var/lib/pmctl/logs/my-api-2-x.log");
  EXPECT_EQ(default_combined_log("/s", "a.b-c_d"), "/s/logs/a.b-c-d.log");
}

TEST(LogFilesTruncate, EmptiesExistingFilesAndSkipsMissingOnes) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("pmctl-trunc-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto out = (dir / "out.log").string();
  std::ofstream(out) << "old line\n";
  const LogTargets t{.out = out, .err = (dir / "missing.log").string()};
  EXPECT_EQ(truncate_log_files(t), (Strings{out}));
  EXPECT_EQ(std::filesystem::file_size(out), 0u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pmctl::core
