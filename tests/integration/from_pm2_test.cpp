// `pmctl resurrect --from-pm2`: a real dump.pm2 (tests/integration/pm2/dump.pm2, written by
// `pm2 save` of PM2 7.0.4 in /srv/app) started as systemd units, a second run, a damaged dump.
#include <gmock/gmock.h>

#include <fstream>
#include <map>

#include "cluster_fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;

constexpr int kPort = 17520;  // the cluster app's PORT in the sample
const std::string kDump = "/tmp/frompm2-dump.pm2";
const std::string kEnvFile = "/tmp/frompm2-envdump.env";

std::string apps_dir() { return PMCTL_TEST_APPS; }

/// The sample with its /srv/app (where PM2 ran the apps) made this checkout's apps directory.
std::string sample() {
  std::string text = read_file(apps_dir() + "/../pm2/dump.pm2");
  const std::string from = "/srv/app";
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
    text.replace(pos, from.size(), apps_dir());
    pos += apps_dir().size();
  }
  return text;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

/// NUL-separated NAME=value entries of the file env_dump.sh writes.
std::map<std::string, std::string> env_of(const std::string& file) {
  std::map<std::string, std::string> vars;
  const std::string text = read_file(file);
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\0', pos);
    if (end == std::string::npos) end = text.size();
    const std::string entry = text.substr(pos, end - pos);
    if (const auto eq = entry.find('='); eq != std::string::npos)
      vars[entry.substr(0, eq)] = entry.substr(eq + 1);
    pos = end + 1;
  }
  return vars;
}

class FromPm2Test : public ClusterFixture {
 protected:
  void SetUp() override {
    ClusterFixture::SetUp();
    sh("rm -f " + kEnvFile);
    write(kDump, sample());
  }
  void TearDown() override {
    ClusterFixture::TearDown();
    sh("rm -f " + kDump + " " + kEnvFile);
  }
  Result resurrect(const std::string& file) { return pmctl({"resurrect", "--from-pm2", file}); }
  /// pm_id by name for every jlist row ("api" twice: its two instances).
  std::multimap<std::string, int> ids() {
    std::multimap<std::string, int> out;
    for (const auto& row : jlist()) out.emplace(row["name"].get<std::string>(), row["pm_id"]);
    return out;
  }
};

TEST_F(FromPm2Test, StartsTheAppsOfARealPm2DumpAsSystemdUnits) {
  const Result r = resurrect(kDump);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Restored 'frompm2-web' (started)"));
  EXPECT_THAT(r.out, HasSubstr("Restored 'frompm2-stopped' (registered, not started"));

  const auto web = app("frompm2-web")["pm2_env"];
  EXPECT_EQ(web["status"], "online");
  EXPECT_EQ(web["exec_mode"], "fork_mode");
  EXPECT_EQ(web["pm_cwd"], apps_dir());
  EXPECT_EQ(web["env"]["NODE_ENV"], "production");
  EXPECT_FALSE(web["env"].contains("PM2_HOME"));
  EXPECT_EQ(web["env"]["HOME"], "/root");
  EXPECT_EQ(sh("systemctl is-active " + quoted(unit_of("frompm2-web"))).out, "active\n");

  const auto api = rows("frompm2-api");
  ASSERT_EQ(api.size(), 2u);
  for (const auto& row : api) {
    EXPECT_EQ(row["pm2_env"]["status"], "online");
    EXPECT_EQ(row["pm2_env"]["exec_mode"], "cluster_mode");
    EXPECT_EQ(row["pm2_env"]["instances"], 2);
    EXPECT_EQ(row["pm2_env"]["public_port"], kPort);
  }
  EXPECT_TRUE(eventually([&] { return answering(kPort).size() == 2; }));
  // "-" in a name is escaped in unit names (\x2d).
  EXPECT_EQ(sh("systemctl is-active 'pmctl-frompm2\\x2dapi-lb.socket'").out, "active\n");

  EXPECT_EQ(status_of("frompm2-printer"), "online");
  EXPECT_THAT(app("frompm2-printer")["pm2_env"]["exec_interpreter"].get<std::string>(),
              ::testing::EndsWith("python3"));

  const auto stopped = app("frompm2-stopped")["pm2_env"];
  EXPECT_EQ(stopped["status"], "stopped");
  EXPECT_EQ(stopped["namespace"], "frompm2-ns");
}

TEST_F(FromPm2Test, ABashScriptGetsTheEnvironmentPm2GaveItWithoutPm2sOwnVariables) {
  ASSERT_EQ(resurrect(kDump).exit_code, 0);
  EXPECT_EQ(status_of("frompm2-envdump"), "online");
  ASSERT_TRUE(eventually([] { return !read_file(kEnvFile).empty(); }));
  const auto env = env_of(kEnvFile);
  EXPECT_EQ(env.count("GREETING") ? env.at("GREETING") : "", "from-pm2");
  EXPECT_EQ(env.count("PWD") ? env.at("PWD") : "", apps_dir());
  EXPECT_EQ(env.count("name") ? env.at("name") : "", "frompm2-envdump");  // pmctl's, as PM2's
  for (const char* gone : {"PM2_HOME", "PM2_USAGE", "unique_id", "frompm2-envdump"})
    EXPECT_EQ(env.count(gone), 0u) << gone;
  EXPECT_THAT(sh("systemctl show -p ExecStart --value " + quoted(unit_of("frompm2-envdump"))).out,
              HasSubstr("env_dump.sh"));
}

TEST_F(FromPm2Test, ASecondRunSkipsTheAppsAlreadyRegistered) {
  ASSERT_EQ(resurrect(kDump).exit_code, 0);
  const auto before = ids();
  ASSERT_EQ(before.size(), 6u);
  const Result again = resurrect(kDump);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  for (const char* name : {"frompm2-web", "frompm2-api", "frompm2-stopped"})
    EXPECT_THAT(again.out, HasSubstr(std::string("Skipped '") + name + "'"));
  EXPECT_THAT(again.out, ::testing::Not(HasSubstr("Restored")));
  EXPECT_EQ(ids(), before);
  EXPECT_EQ(status_of("frompm2-web"), "online");
}

TEST_F(FromPm2Test, ADamagedDumpChangesNothing) {
  const std::string bad_script = sample().replace(sample().find("printer.py"), 10, "missing.py");
  for (const std::string& text : {std::string("[{"), std::string("{\"apps\": []}"), bad_script}) {
    write(kDump, text);
    const Result r = resurrect(kDump);
    EXPECT_EQ(r.exit_code, 1) << text.substr(0, 40);
    EXPECT_THAT(r.err, HasSubstr("pmctl: error: ")) << r.err;
    EXPECT_THAT(r.err, HasSubstr(kDump)) << r.err;
    EXPECT_TRUE(jlist().empty()) << jlist().dump();
    EXPECT_EQ(sh("systemctl list-units --all --no-legend 'pmctl-*' | wc -l").out, "0\n");
  }
  const Result missing = resurrect("/tmp/frompm2-no-such.pm2");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("/tmp/frompm2-no-such.pm2"));
}

}  // namespace
}  // namespace pmctl::test
