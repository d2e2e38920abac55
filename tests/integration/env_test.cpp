// The app's environment: the caller's (as PM2), --setenv, --filter-env, PM2's injected
// variables, and values that reach the app byte for byte through a private environment file.
#include <gmock/gmock.h>
#include <sys/stat.h>

#include <map>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

std::map<std::string, std::string> env_file_vars(const std::string& path) {
  std::map<std::string, std::string> vars;
  const std::string text = read_file(path);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find('\0', pos);
    const std::string entry = text.substr(pos, end - pos);
    const std::size_t eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return vars;
}

class EnvTest : public PmctlTest {
 protected:
  std::map<std::string, std::string> start_and_read(const std::vector<std::string>& extra,
                                                    const std::vector<std::string>& env = {}) {
    const std::string out = "/tmp/" + unique_name("env") + ".txt";
    std::vector<std::string> args{"start", app_path("env_dump.sh"), "--name",
                                  unique_name("envapp")};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("--");
    args.push_back(out);
    const Result r = pmctl(args, env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(eventually([&] { return !read_file(out).empty(); }));
    return env_file_vars(out);
  }
};

TEST_F(EnvTest, TheCallersEnvironmentIsPassedOnLikePm2) {
  const auto vars = start_and_read({}, {"NODE_ENV=production"});
  EXPECT_EQ(vars.at("NODE_ENV"), "production");
}

TEST_F(EnvTest, Pm2sInjectedVariablesAreSet) {
  const auto vars = start_and_read({"--namespace", "ns1"});
  EXPECT_EQ(vars.at("pm_id"), "0");
  EXPECT_EQ(vars.at("NODE_APP_INSTANCE"), "0");
  EXPECT_EQ(vars.at("namespace"), "ns1");
  EXPECT_THAT(vars.at("name"), ::testing::StartsWith("envapp-"));
}

TEST_F(EnvTest, SetenvValuesArriveByteForByte) {
  const std::string tricky = " it's \"quoted\" $HOME ${PATH} \\back\\slash # not a comment\nline2 ";
  const auto vars = start_and_read({"--setenv", "TRICKY=" + tricky, "--setenv", "EMPTY="});
  EXPECT_EQ(vars.at("TRICKY"), tricky);
  EXPECT_EQ(vars.at("EMPTY"), "");
}

TEST_F(EnvTest, FilterEnvDropsInheritedVariablesByNamePart) {
  const auto vars = start_and_read({"--filter-env", "SECRET"}, {"MY_SECRET_TOKEN=x", "KEEP_ME=y"});
  EXPECT_EQ(vars.count("MY_SECRET_TOKEN"), 0u);
  EXPECT_EQ(vars.at("KEEP_ME"), "y");
}

TEST_F(EnvTest, ValuesStayOutOfTheUnitsPublicProperties) {
  start_and_read({"--setenv", "API_KEY=hunter2"});
  const auto a = jlist().at(0);
  const std::string unit = a["pm2_env"]["unit"];
  EXPECT_EQ(unit_property(unit, "Environment"), "");
  EXPECT_EQ(sh("systemctl show '" + unit + "' | grep -c hunter2").out, "0\n");
  const std::string file = unit_property(unit, "EnvironmentFiles");
  const std::string path = file.substr(0, file.find(' '));
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0) << file;
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace pmctl::test
