#include "core/state/registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/base/envfile.hpp"
#include "core/types/error.hpp"
#include "core/units/mapping.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

AppRecord sample_record(int id) {
  AppRecord r;
  r.id = id;
  r.decl.name = "api";
  r.decl.ns = "prod";
  r.decl.script = "/srv/api/server.js";
  r.decl.command_string = true;
  r.decl.args = {"--port", "3000", "it's \"quoted\""};
  r.decl.interpreter = "/usr/bin/node";
  r.decl.interpreter_args = {"--inspect"};
  r.decl.cwd = "/srv/api";
  r.decl.env = {{"NODE_ENV", "production"}, {"MULTI", "a\nb"}};
  r.decl.restart = {false, 250, 100, 7, 2000, {12, 42}, 3000};
  r.decl.logs = {"/var/log/api-out.log",
                 "/var/log/api-err.log",
                 "/var/log/api.log",
                 false,
                 "YYYY-MM-DD HH:mm Z",
                 true,
                 false,
                 false,  // journal
                 "/run/api.pid"};
  r.decl.user = "www-data";
  r.decl.group = "adm";
  r.decl.max_memory_bytes = 200u << 20;
  r.decl.autostart = false;
  r.decl.treekill = false;
  r.decl.vizion = false;
  r.decl.instance_var = "INSTANCE_ID";
  r.decl.wait_ready = true;
  r.decl.listen_timeout_ms = 5000;
  r.decl.shutdown_with_message = true;
  r.decl.source_maps = false;
  r.restarts = 5;
  r.created_at_ms = 1'700'000'000'123;
  r.log_watermark_usec = 1'700'000'000'123'456;
  r.boot_id = "0d0c7a3c-7f1e-4a51-9b57-3a1f8c9c2b11";
  return r;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary) << content;
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  if (stat(p.c_str(), &st) < 0) return 0;
  return st.st_mode & 07777;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pmctl-registry-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ / "state";
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path registry_json() const { return dir_ / "registry.json"; }

  fs::path root_;
  fs::path dir_;
};

TEST_F(RegistryTest, LoadsAMissingRegistryAsEmptyWithoutCreatingAnything) {
  const RegistryData data = Registry(dir_).load();
  EXPECT_TRUE(data.apps.empty());
  EXPECT_EQ(data.next_id, 0);
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(RegistryTest, RoundTripsEveryField) {
  Registry registry(dir_);
  const AppRecord record = sample_record(0);
  registry.update([&](RegistryData& d) {
    d.allocate_id();
    d.apps.push_back(record);
  });
  const RegistryData loaded = registry.load();
  EXPECT_EQ(loaded.next_id, 1);
  ASSERT_EQ(loaded.apps.size(), 1u);
  EXPECT_EQ(loaded.apps[0], record);
}

TEST_F(RegistryTest, WritesTheDocumentedJsonLayout) {
  Registry(dir_).update([](RegistryData& d) {
    d.next_id = 1;
    d.apps.push_back(sample_record(0));
  });
  const auto j = nlohmann::json::parse(read_file(registry_json()));
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["next_id"], 1);
  const auto& app = j["apps"][0];
  EXPECT_EQ(app["id"], 0);
  EXPECT_EQ(app["name"], "api");
  EXPECT_EQ(app["namespace"], "prod");
  EXPECT_EQ(app["command_string"], true);
  // The environment lives in its own private file, so `ls` need not parse it.
  EXPECT_FALSE(app.contains("env"));
  const auto env = nlohmann::json::parse(read_file(dir_ / "env" / "0.json"));
  EXPECT_EQ(env["NODE_ENV"], "production");
  EXPECT_EQ(app["restart"]["stop_exit_codes"], nlohmann::json({12, 42}));
  EXPECT_EQ(app["restart"]["kill_timeout_ms"], 3000);
  EXPECT_EQ(app["log_watermark_usec"], 1'700'000'000'123'456u);
  EXPECT_EQ(app["boot_id"], "0d0c7a3c-7f1e-4a51-9b57-3a1f8c9c2b11");
}

TEST_F(RegistryTest, WritesOnlyTheFieldsThatDifferFromTheDefaults) {
  AppRecord plain;
  plain.decl.name = "web";
  plain.decl.script = "/srv/web/app.js";
  plain.decl.cwd = "/srv/web";
  plain.created_at_ms = 5;
  Registry registry(dir_);
  registry.update([&](RegistryData& d) { d.apps.push_back(plain); });
  const auto j = nlohmann::json::parse(read_file(registry_json()));
  EXPECT_EQ(
      j["apps"][0],
      nlohmann::json::parse(
          R"({"id":0,"name":"web","script":"/srv/web/app.js","cwd":"/srv/web","created_at_ms":5})"));
  EXPECT_EQ(registry.load().apps.at(0), plain);
}

TEST_F(RegistryTest, LoadsEnvironmentsOnlyWhenAskedAndWritesOnlyChangedOnes) {
  Registry reg(dir_);
  reg.update([](RegistryData& d) {
    d.apps.push_back(sample_record(0));
    d.apps.push_back(sample_record(1));
  });
  EXPECT_TRUE(reg.load(Registry::Environments::Skip).apps.at(0).decl.env.empty());
  EXPECT_EQ(reg.load().apps.at(0).decl.env.at("NODE_ENV"), "production");
  const auto before = fs::last_write_time(dir_ / "env" / "1.json");
  reg.update([](RegistryData& d) { d.find(0)->decl.env["EXTRA"] = "1"; });
  EXPECT_EQ(fs::last_write_time(dir_ / "env" / "1.json"), before);
  EXPECT_EQ(reg.load().find(0)->decl.env.at("EXTRA"), "1");
  EXPECT_EQ(fs::status(dir_ / "env" / "0.json").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  reg.update([](RegistryData& d) { d.remove(0); });
  EXPECT_FALSE(fs::exists(dir_ / "env" / "0.json"));
}

// A damaged env/<id>.json locks nobody out: that app loads with env_unreadable (its file is
// left as it is until a command gives it a new environment), the others as they were.
TEST_F(RegistryTest, ADamagedEnvironmentFileMarksItsAppAndKeepsTheOthersWorking) {
  Registry reg(dir_);
  std::vector<std::string> told;
  Registry::Live live;
  live.on_damaged_env = [&](const AppRecord& app, const std::string& problem) {
    told.push_back(std::to_string(app.id) + ": " + problem);
  };
  reg.set_live(live);
  reg.update([](RegistryData& d) {
    d.apps.push_back(sample_record(0));
    d.apps.push_back(sample_record(1));
  });
  write_file(dir_ / "env" / "0.json", "{\"NODE_ENV\": ");
  const RegistryData data = reg.load();
  EXPECT_TRUE(data.find(0)->env_unreadable);
  EXPECT_TRUE(data.find(0)->decl.env.empty());
  EXPECT_FALSE(data.find(1)->env_unreadable);
  EXPECT_EQ(data.find(1)->decl.env.at("NODE_ENV"), "production");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_THAT(told[0], ::testing::StartsWith("0: environment file '"));
  EXPECT_THAT(told[0], ::testing::HasSubstr("is damaged"));
  // A change to the other app, and one to the damaged app that leaves its environment alone,
  // write nothing over the damaged file.
  reg.update([](RegistryData& d) {
    d.find(1)->restarts = 9;
    d.find(0)->restarts = 3;
  });
  EXPECT_EQ(read_file(dir_ / "env" / "0.json"), "{\"NODE_ENV\": ");
  EXPECT_EQ(reg.load().find(0)->restarts, 3);
  // A new environment replaces it.
  reg.update([](RegistryData& d) { d.find(0)->decl.env = {{"NEW", "1"}}; });
  EXPECT_FALSE(reg.load().find(0)->env_unreadable);
  EXPECT_EQ(reg.load().find(0)->decl.env.at("NEW"), "1");
}

TEST_F(RegistryTest, GivesMissingFieldsTheirDefaults) {
  fs::create_directories(dir_);
  write_file(registry_json(),
             R"({"apps":[{"id":4,"name":"old","script":"/a.js","restart":{"max_restarts":3}}]})");
  const RegistryData data = Registry(dir_).load();
  ASSERT_EQ(data.apps.size(), 1u);
  AppRecord expected;
  expected.id = 4;
  expected.decl.name = "old";
  expected.decl.script = "/a.js";
  expected.decl.restart.max_restarts = 3;
  EXPECT_EQ(data.apps[0], expected);
  EXPECT_EQ(data.apps[0].decl.ns, "default");
  EXPECT_EQ(data.apps[0].decl.restart.kill_timeout_ms, 1600u);
}

TEST_F(RegistryTest, IgnoresUnknownFields) {
  fs::create_directories(dir_);
  write_file(registry_json(), R"({"version":1,"future":true,"apps":[{"id":1,"telepathy":["x"]}]})");
  EXPECT_EQ(Registry(dir_).load().apps.at(0).id, 1);
}

// The cluster settings are kept as their words, the slot as its number, as pmctl always has.
TEST_F(RegistryTest, WritesClusterSettingsAsWordsAndTheSlotAsANumber) {
  AppRecord rec = sample_record(0);
  rec.decl.cluster = {.enabled = true,
                      .instances = 2,
                      .public_port = 3000,
                      .endpoints = Endpoints::Unix,
                      .policy = Policy::LeastConnections};
  rec.endpoint = "unix:/run/pmctl/apps/api/0-b.sock";
  rec.slot = Slot::B;
  Registry registry(dir_);
  registry.update([&](RegistryData& d) { d.apps.push_back(rec); });
  const auto j = nlohmann::json::parse(read_file(registry_json()));
  EXPECT_EQ(
      j["apps"][0]["cluster"].dump(),
      R"({"enabled":true,"endpoints":"unix","instances":2,"lb":"proxy","policy":"leastconn","public_port":3000})");
  EXPECT_EQ(j["apps"][0]["slot"], 1);
  EXPECT_EQ(registry.load().apps.at(0), rec);
  for (const Slot slot : {Slot::A, Slot::B, Slot::Saved}) {
    registry.update([&](RegistryData& d) { d.apps.at(0).slot = slot; });
    EXPECT_EQ(registry.load().apps.at(0).slot, slot);
  }
  registry.update([&](RegistryData& d) {
    d.apps.at(0).decl.cluster = {
        .enabled = true, .instances = 2, .public_port = 3000, .lb = LbMode::Shared};
  });
  const auto shared = nlohmann::json::parse(read_file(registry_json()))["apps"][0];
  EXPECT_EQ(shared["cluster"]["lb"], "shared");
  EXPECT_EQ(shared["cluster"]["endpoints"], "tcp");
  EXPECT_EQ(shared["cluster"]["policy"], "rr");
  EXPECT_EQ(shared["slot"], 2);
}

// Older pmctl stored a fork app's cluster fields unchecked (fork mode never uses them): an
// unknown word there loads as the default instead of making the registry unreadable.
TEST_F(RegistryTest, LoadsAForkAppsUnknownClusterWordsAsTheDefaults) {
  fs::create_directories(dir_);
  write_file(registry_json(), R"({"apps":[
    {"id":0,"cluster":{"enabled":false,"instances":1,"public_port":0,"endpoints":"udp","policy":"random","lb":"reuseport"}},
    {"id":1,"cluster":{"enabled":false,"instances":1,"public_port":0,"endpoints":"unix","policy":"rr","lb":"shared"}}]})");
  const RegistryData data = Registry(dir_).load();
  EXPECT_EQ(data.apps.at(0).decl.cluster, ClusterSettings{});
  EXPECT_EQ(data.apps.at(1).decl.cluster.endpoints, Endpoints::Unix);
  EXPECT_EQ(data.apps.at(1).decl.cluster.lb, LbMode::Shared);
}

struct CorruptCase {
  const char* label;
  std::string content;
};

TEST_F(RegistryTest, RefusesACorruptFileNamingItAndLeavesItUntouched) {
  const std::vector<CorruptCase> cases = {
      {"not JSON", "{\"apps\": [ {\"id\": 1,"},
      {"empty file", ""},
      {"an array", "[]"},
      {"wrong field type", R"({"apps":[{"id":"one"}]})"},
      {"app not an object", R"({"apps":[42]})"},
      {"newer version", R"({"version":2,"apps":[]})"},
      {"unknown slot", R"({"apps":[{"id":1,"slot":3}]})"},
      {"unknown word of a cluster app",
       R"({"apps":[{"id":1,"cluster":{"enabled":true,"policy":"random"}}]})"},
  };
  fs::create_directories(dir_);
  Registry registry(dir_);
  for (const auto& c : cases) {
    write_file(registry_json(), c.content);
    try {
      registry.load();
      ADD_FAILURE() << c.label << ": load did not throw";
    } catch (const Error& e) {
      EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr(registry_json().string()))
          << c.label << ": " << e.what();
      EXPECT_FALSE(e.hint().empty()) << c.label;
    }
    EXPECT_THROW(registry.update([](RegistryData& d) { d.allocate_id(); }), Error) << c.label;
    EXPECT_EQ(read_file(registry_json()), c.content) << c.label;
  }
}

// A float or a number beyond its field's type was converted unchecked (a float beyond an int is
// undefined behaviour; found with the registry fuzz target under UBSan).
TEST_F(RegistryTest, RefusesANumberBeyondItsFieldsTypeAsCorrupt) {
  fs::create_directories(dir_);
  Registry registry(dir_);
  for (const char* content : {R"({"version":1e300,"apps":[]})", R"({"next_id":1e300,"apps":[]})",
                              R"({"apps":[{"id":1e300}]})", R"({"apps":[{"id":4294967296}]})",
                              R"({"apps":[{"id":1.5}]})", R"({"apps":[{"id":1,"restarts":-1}]})",
                              R"({"apps":[{"id":1,"restart":{"stop_exit_codes":[0,1e300]}}]})"}) {
    write_file(registry_json(), content);
    EXPECT_THROW(registry.load(), Error) << content;
  }
  write_file(registry_json(), R"({"apps":[{"id":7,"created_at_ms":18446744073709551615}]})");
  EXPECT_EQ(registry.load().apps.at(0).created_at_ms, 18446744073709551615u);
}

TEST_F(RegistryTest, WritesNothingWhenTheChangeThrows) {
  Registry registry(dir_);
  registry.update([](RegistryData& d) { d.apps.push_back(sample_record(d.allocate_id())); });
  const std::string before = read_file(registry_json());
  EXPECT_THROW(registry.update([](RegistryData& d) {
    d.apps.push_back(sample_record(d.allocate_id()));
    throw std::runtime_error("validation failed");
  }),
               std::runtime_error);
  EXPECT_EQ(read_file(registry_json()), before);
  EXPECT_EQ(registry.load().apps.size(), 1u);
  EXPECT_FALSE(fs::exists(dir_ / "registry.json.tmp"));
}

TEST_F(RegistryTest, KeepsTheStateDirectoryAndEveryFilePrivate) {
  const mode_t old_umask = umask(0);  // the modes must not depend on the caller's umask
  Registry registry(dir_);
  registry.update([](RegistryData& d) { d.apps.push_back(sample_record(d.allocate_id())); });
  registry.write_env_file(0, {{"SECRET", "x"}});
  registry.write_backoff_fresh(0);
  umask(old_umask);
  EXPECT_EQ(mode_of(dir_), 0700u);
  EXPECT_EQ(mode_of(dir_ / "env"), 0700u);
  EXPECT_EQ(mode_of(dir_ / "backoff"), 0700u);
  EXPECT_EQ(mode_of(registry_json()), 0600u);
  EXPECT_EQ(mode_of(registry.env_file(0)), 0600u);
  EXPECT_EQ(mode_of(registry.backoff_file(0)), 0644u);
}

TEST_F(RegistryTest, PlacesInstanceFilesUnderTheStateDirectory) {
  Registry registry(dir_);
  EXPECT_EQ(registry.env_file(7), dir_ / "env" / "7.env");
  EXPECT_EQ(registry.backoff_file(7), dir_ / "backoff" / "7");
}

TEST_F(RegistryTest, WritesTheEnvFileInSystemdSyntaxAndTheFreshBackoffState) {
  Registry registry(dir_);
  const std::map<std::string, std::string> env = {{"A", "it's"}, {"B", " $x "}};
  registry.write_env_file(2, env);
  registry.write_backoff_fresh(2);
  EXPECT_EQ(read_file(registry.env_file(2)), render_environment_file(env));
  EXPECT_EQ(read_file(registry.backoff_file(2)), kBackoffFresh);
  registry.write_env_file(2, {{"A", "replaced"}});
  EXPECT_EQ(read_file(registry.env_file(2)), "A='replaced'\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "env"), fs::directory_iterator()), 1);
}

TEST_F(RegistryTest, RemovesInstanceFilesAndToleratesMissingOnes) {
  Registry registry(dir_);
  registry.write_env_file(1, {{"A", "1"}});
  registry.write_backoff_fresh(1);
  registry.remove_instance_files(1);
  EXPECT_FALSE(fs::exists(registry.env_file(1)));
  EXPECT_FALSE(fs::exists(registry.backoff_file(1)));
  EXPECT_NO_THROW(registry.remove_instance_files(1));
}

TEST(RegistryData, AllocatesIdsFromZeroWithoutReusingAFreedOneWhileOthersRemain) {
  RegistryData d;
  for (int expected = 0; expected < 3; ++expected) {
    const int id = d.allocate_id();
    EXPECT_EQ(id, expected);
    d.apps.push_back(sample_record(id));
  }
  d.remove(1);
  EXPECT_EQ(d.allocate_id(), 3);
}

TEST(RegistryData, ResetsTheCounterWhenTheLastAppIsRemoved) {
  RegistryData d;
  d.apps.push_back(sample_record(d.allocate_id()));
  d.apps.push_back(sample_record(d.allocate_id()));
  d.remove(0);
  EXPECT_EQ(d.next_id, 2);
  d.remove(1);
  EXPECT_EQ(d.next_id, 0);
  EXPECT_EQ(d.allocate_id(), 0);
}

TEST(RegistryData, RestartsFromZeroWhenTheListIsEmptyWhateverTheCounterSays) {
  RegistryData d;
  d.next_id = 9;
  EXPECT_EQ(d.allocate_id(), 0);
}

TEST(RegistryData, NeverAllocatesAnIdInUse) {
  RegistryData d;
  d.apps.push_back(sample_record(0));
  d.apps.push_back(sample_record(1));
  d.next_id = 0;  // as in a hand-edited file
  EXPECT_EQ(d.allocate_id(), 2);
}

TEST(RegistryData, FindsAndRemovesById) {
  RegistryData d;
  d.apps = {sample_record(3), sample_record(5)};
  d.next_id = 6;
  ASSERT_NE(d.find(5), nullptr);
  EXPECT_EQ(d.find(5)->id, 5);
  EXPECT_EQ(d.find(4), nullptr);
  d.remove(3);
  EXPECT_EQ(d.find(3), nullptr);
  EXPECT_EQ(d.apps.size(), 1u);
  EXPECT_EQ(d.next_id, 6);
}

TEST_F(RegistryTest, SerialisesConcurrentUpdatesFromManyProcesses) {
  constexpr int kProcesses = 20;
  int gate[2];
  ASSERT_EQ(pipe(gate), 0);
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(gate[1]);
      char c;
      (void)!read(gate[0], &c, 1);  // released all at once when the parent closes the pipe
      try {
        Registry(dir_).update([](RegistryData& d) {
          const int id = d.allocate_id();
          usleep(2000);  // widen the read-modify-write window a missing lock would lose
          d.apps.push_back(sample_record(id));
        });
        _exit(0);
      } catch (...) {
        _exit(1);
      }
    }
    children.push_back(pid);
  }
  close(gate[0]);
  close(gate[1]);
  for (const pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  const RegistryData data = Registry(dir_).load();
  ASSERT_EQ(data.apps.size(), static_cast<std::size_t>(kProcesses));
  std::set<int> ids;
  for (const auto& a : data.apps) ids.insert(a.id);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kProcesses));
  EXPECT_EQ(*ids.begin(), 0);
  EXPECT_EQ(*ids.rbegin(), kProcesses - 1);
  EXPECT_EQ(data.next_id, kProcesses);
}

/// Sets or unsets an environment variable for one test, restoring it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(RegistryStateDir, PrefersPmctlStateDirInBothScopes) {
  const ScopedEnv state("PMCTL_STATE_DIR", "/tmp/x");
  EXPECT_EQ(default_state_dir(Scope::System), "/tmp/x");
  EXPECT_EQ(default_state_dir(Scope::User), "/tmp/x");
}

TEST(RegistryStateDir, UsesVarLibForTheSystemManager) {
  const ScopedEnv state("PMCTL_STATE_DIR", nullptr);
  EXPECT_EQ(default_state_dir(Scope::System), "/var/lib/pmctl");
}

TEST(RegistryStateDir, UsesXdgStateHomeThenHomeForTheUserManager) {
  const ScopedEnv state("PMCTL_STATE_DIR", nullptr);
  const ScopedEnv home("HOME", "/home/u");
  {
    const ScopedEnv xdg("XDG_STATE_HOME", "/xdg/state");
    EXPECT_EQ(default_state_dir(Scope::User), "/xdg/state/pmctl");
  }
  {
    const ScopedEnv xdg("XDG_STATE_HOME", "relative/ignored");
    EXPECT_EQ(default_state_dir(Scope::User), "/home/u/.local/state/pmctl");
  }
  const ScopedEnv xdg("XDG_STATE_HOME", nullptr);
  EXPECT_EQ(default_state_dir(Scope::User), "/home/u/.local/state/pmctl");
}

}  // namespace
}  // namespace pmctl::core
