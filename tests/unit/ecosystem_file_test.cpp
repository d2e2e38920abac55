#include "core/ecosystem/ecosystem_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct FormatCase {
  std::string name;
  std::optional<EcosystemFormat> format;
};

TEST(EcosystemFormat, RecognisesPm2sNamesBySubstringOfTheFileName) {
  using F = EcosystemFormat;
  const std::vector<FormatCase> cases = {
      {"ecosystem.json", F::kJson},
      {"process.json5", F::kJson},
      {"apps/prod.json.bak", F::kJson},
      {"ecosystem.yml", F::kYaml},
      {"ecosystem.yaml", F::kYaml},
      {"ecosystem.config.js", F::kJavaScript},
      {"/srv/app/ecosystem.config.cjs", F::kJavaScript},
      {"ecosystem.config.mjs", F::kJavaScript},
      {"pm2.config.json.js", F::kJson},  // PM2 tries .json first
      {"app.js", std::nullopt},
      {"config.js", std::nullopt},
      {"server.mjs", std::nullopt},
      {"ecosystem", std::nullopt},
      {"dir.json/app.js", std::nullopt},  // only the file name counts
      {"-", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ecosystem_format(c.name), c.format) << c.name;
    EXPECT_EQ(is_ecosystem_file(c.name), c.format.has_value()) << c.name;
  }
}

struct ShapeCase {
  std::string root;      ///< strict JSON
  std::string expected;  ///< JSON array of the apps, or the text the error must contain
};

std::string shape_error(const std::string& root) {
  try {
    ecosystem_from_json(json::parse(root), "eco.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(EcosystemShape, AcceptsPm2sTopLevelShapes) {
  const std::vector<ShapeCase> cases = {
      {R"({"apps": [{"name": "a"}, {"name": "b"}]})", R"([{"name": "a"}, {"name": "b"}])"},
      {R"({"pm2": [{"name": "a"}]})", R"([{"name": "a"}])"},
      {R"({"apps": [{"name": "a"}], "pm2": [{"name": "b"}]})", R"([{"name": "a"}])"},
      {R"([{"name": "a"}, {"script": "b.js"}])", R"([{"name": "a"}, {"script": "b.js"}])"},
      {R"({"name": "a", "script": "a.js"})", R"([{"name": "a", "script": "a.js"}])"},
      {R"({"apps": {"name": "a"}})", R"([{"name": "a"}])"},
  };
  for (const auto& c : cases) {
    const EcosystemDoc doc = ecosystem_from_json(json::parse(c.root), "eco.json");
    EXPECT_EQ(json(doc.apps), json::parse(c.expected)) << c.root;
    EXPECT_EQ(doc.path, "eco.json");
  }
}

TEST(EcosystemShape, RejectsOtherShapesNamingTheFile) {
  const std::vector<ShapeCase> cases = {
      {R"({"apps": "a.js"})",
       "ecosystem file 'eco.json': 'apps' must be a list of apps, not a string"},
      {R"({"pm2": 3})", "'pm2' must be a list of apps, not a number"},
      {R"({"apps": null})", "'apps' must be a list of apps, not null"},
      {R"({"apps": []})", "ecosystem file 'eco.json': declares no apps"},
      {R"([])", "declares no apps"},
      {R"({})", "declares no apps"},
      {R"({"apps": {}})", "declares no apps"},
      {R"({"apps": [{"name": "a"}, "b.js"]})", "app 2 is a string, not an object"},
      {R"([[{"name": "a"}]])", "app 1 is a list, not an object"},
      {R"([null])", "app 1 is null, not an object"},
      {R"("a.js")", "the top level is a string, not an object or a list"},
      {R"(null)", "the top level is null"},
      {R"(true)", "the top level is a boolean"},
  };
  for (const auto& c : cases)
    EXPECT_THAT(shape_error(c.root), ::testing::HasSubstr(c.expected))
        << c.root << "\n  got: " << shape_error(c.root);
}

TEST(EcosystemDeploy, KeepsTheDeploySectionAndGivesOneEnvironmentAsText) {
  const EcosystemDoc doc = ecosystem_from_json(json::parse(R"({
    "apps": [{"name": "a"}],
    "deploy": {"production": {"user": "node", "env": {
      "S": "text", "I": 42, "F": 0.5, "B": true, "N": null, "O": {"k": [1, "x"]}, "A": [1, 2]}}}
  })"),
                                               "eco.json");
  EXPECT_EQ(doc.deploy["production"]["user"], "node");
  const std::map<std::string, std::string> expected = {
      {"S", "text"},
      {"I", "42"},
      {"F", "0.5"},
      {"B", "true"},
      {"N", "null"},
      {"A", "[1,2]"},
      {"O", R"({"k":[1,"x"]})"},
  };
  EXPECT_EQ(deploy_env(doc, "production"), expected);
  EXPECT_TRUE(deploy_env(doc, "staging").empty());
}

TEST(EcosystemDeploy, GivesNothingWithoutADeploySection) {
  const EcosystemDoc doc = ecosystem_from_json(json::parse(R"([{"name": "a"}])"), "eco.json");
  EXPECT_TRUE(doc.deploy.is_null());
  EXPECT_TRUE(deploy_env(doc, "production").empty());
  const EcosystemDoc no_env =
      ecosystem_from_json(json::parse(R"({"apps": [{}], "deploy": {"p": {"user": "x"}}})"), "e");
  EXPECT_TRUE(deploy_env(no_env, "p").empty());
}

TEST(EcosystemDeploy, RejectsAnEnvThatIsNotAnObject) {
  const EcosystemDoc doc = ecosystem_from_json(
      json::parse(R"({"apps": [{"name": "a"}], "deploy": {"p": {"env": "A=1"}}})"), "eco.json");
  EXPECT_THROW(deploy_env(doc, "p"), Error);
}

TEST(EcosystemStdin, ReadsJson5TextFromStdin) {
  const EcosystemDoc doc = load_ecosystem_stdin("{apps: [{name: 'a', script: 'a.js',},],}");
  EXPECT_EQ(doc.path, "-");
  ASSERT_EQ(doc.apps.size(), 1u);
  EXPECT_EQ(doc.apps[0]["name"], "a");
  try {
    load_ecosystem_stdin("{apps: [}");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "stdin:1:9: expected a value or ']', found '}'");
  }
  EXPECT_THROW(load_ecosystem_stdin(std::string(kMaxEcosystemFileSize + 1, ' ')), Error);
}

// Ecosystem files on disk, in a directory of their own.
class EcosystemFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pmctl-eco-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string error_of(const std::string& path, const JsEvaluator& js = nullptr) {
    try {
      js ? load_ecosystem_file(path, js) : load_ecosystem_file(path);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  }

  fs::path dir_;
};

TEST_F(EcosystemFileTest, ReadsAJson5File) {
  const std::string path =
      write("ecosystem.json", "// apps\n{apps: [{name: 'a', script: 'a.js'},]}");
  const EcosystemDoc doc = load_ecosystem_file(path);
  EXPECT_EQ(doc.path, path);
  EXPECT_EQ(json(doc.apps), json::parse(R"([{"name": "a", "script": "a.js"}])"));
}

TEST_F(EcosystemFileTest, ReadsAYamlFile) {
  const std::string path = write("ecosystem.yml",
                                 "apps:\n  - name: api\n    script: server.js\n    instances: 2\n"
                                 "    env:\n      PORT: '3000'\n      DEBUG: false\n"
                                 "deploy:\n  production:\n    env:\n      REGION: 1\n");
  const EcosystemDoc doc = load_ecosystem_file(path);
  EXPECT_EQ(json(doc.apps), json::parse(R"([{"name": "api", "script": "server.js", "instances": 2,
                                             "env": {"PORT": "3000", "DEBUG": false}}])"));
  EXPECT_EQ(deploy_env(doc, "production"), (std::map<std::string, std::string>{{"REGION", "1"}}));
}

TEST_F(EcosystemFileTest, NamesTheFileAndPositionInSyntaxErrors) {
  const std::string json_path = write("bad.json", "{\n  apps: [\n    {name: x}\n  ]\n}");
  EXPECT_THAT(error_of(json_path),
              ::testing::HasSubstr(json_path + ":3:12: expected a value, found 'x'"))
      << error_of(json_path);
  const std::string yaml_path = write("bad.yaml", "apps:\n  - name: a\n   script: b\n");
  EXPECT_THAT(error_of(yaml_path), ::testing::StartsWith(yaml_path + ":")) << error_of(yaml_path);
}

TEST_F(EcosystemFileTest, PassesJavaScriptFilesToTheEvaluator) {
  const std::string path = write("ecosystem.config.js", "ignored by the fake");
  std::string seen;
  const EcosystemDoc doc = load_ecosystem_file(path, [&](const std::string& p) {
    seen = p;
    return std::string(R"({"apps": [{"name": "js"}]})");
  });
  EXPECT_EQ(seen, path);
  EXPECT_EQ(doc.apps.at(0)["name"], "js");
  const auto garbage = [](const std::string&) { return std::string("hello {apps"); };
  EXPECT_THAT(error_of(path, garbage),
              ::testing::HasSubstr("node printed something that is not JSON"));
}

TEST_F(EcosystemFileTest, RefusesFilesLargerThanTheLimit) {
  const std::string path = write("big.json", "[" + std::string(10 << 20, ' ') + "{}]");
  EXPECT_THAT(error_of(path), ::testing::HasSubstr("is larger than 4 MiB")) << error_of(path);
  const std::string js = write("big.config.js", std::string(10 << 20, ' '));
  bool called = false;
  error_of(js, [&](const std::string&) {
    called = true;
    return std::string("{}");
  });
  EXPECT_FALSE(called);
}

TEST_F(EcosystemFileTest, ReportsMissingUnreadableAndMisnamedFiles) {
  const std::string missing = (dir_ / "nope.json").string();
  EXPECT_EQ(error_of(missing), "ecosystem file '" + missing + "' not found");
  fs::create_directory(dir_ / "d.json");
  EXPECT_THAT(error_of((dir_ / "d.json").string()), ::testing::HasSubstr("is a directory"));
  const std::string plain = write("app.js", "{}");
  EXPECT_THAT(error_of(plain), ::testing::HasSubstr("is not an ecosystem file"));
  if (geteuid() != 0) {
    const std::string secret = write("secret.json", "{}");
    chmod(secret.c_str(), 0);
    EXPECT_THAT(error_of(secret), ::testing::HasSubstr("Permission denied"));
  }
}

TEST_F(EcosystemFileTest, ReadsFromAPipeUpToTheLimit) {
  const std::string fifo = (dir_ / "fifo.json").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { std::ofstream(fifo) << "[{name: 'p'}]"; });
  const EcosystemDoc doc = load_ecosystem_file(fifo);
  writer.join();
  EXPECT_EQ(doc.apps.at(0)["name"], "p");
}

}  // namespace
}  // namespace pmctl::core
