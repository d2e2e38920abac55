#pragma once

// The scratch tree and helpers shared by the app_fields tests.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <string>

#include "core/fields/app_fields.hpp"
#include "core/model/app_json.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {

// Readable failure messages: the declaration as the registry would store it, plus its env.
inline void PrintTo(const AppDecl& decl, std::ostream* os) {
  nlohmann::json j = AppRecord{.decl = decl};
  j["env"] = decl.env;
  *os << j.dump(1);
}

namespace test {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Env = std::map<std::string, std::string>;

/// A scratch tree: bin/ (PATH: node, python3), srv/ (the file's directory: app.js, worker.py,
/// sub/), logs/ (the log directory), removed at the end of each test.
class AppFields : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() /
            ("pmctl-app-fields-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(root_);
    for (const char* dir : {"bin", "srv/sub", "logs"}) fs::create_directories(root_ / dir);
    for (const char* program : {"bin/node", "bin/python3"}) executable(program);
    for (const char* file : {"srv/app.js", "srv/worker.py", "srv/sub/task.js"})
      std::ofstream(root_ / file);
    ctx_.file = "eco.json";
    ctx_.base_dir = srv();
    ctx_.caller_env = {{"HOME", "/home/me"}, {"LANG", "C.UTF-8"}, {"SECRET_TOKEN", "x"}};
    ctx_.path_env = (root_ / "bin").string();
    ctx_.log_dir = (root_ / "logs").string();
    ctx_.cpu_count = 4;
  }
  void TearDown() override { fs::remove_all(root_); }

  void executable(const std::string& rel) {
    std::ofstream(root_ / rel) << "#!/bin/sh\n";
    fs::permissions(root_ / rel, fs::perms::owner_all);
  }
  std::string srv() const { return (root_ / "srv").string(); }
  std::string bin(const std::string& name) const { return (root_ / "bin" / name).string(); }

  /// What {"name": "api", "script": "app.js"} gives: PM2's defaults, resolved.
  AppDecl baseline() const {
    AppDecl d;
    d.name = "api";
    d.script = srv() + "/app.js";
    d.interpreter = bin("node");
    d.cwd = srv();
    d.env = ctx_.caller_env;
    d.env["PWD"] = srv();
    return d;
  }

  /// {"name": "api", "script": "app.js"} with `fields` added (or replaced).
  static json api(const json& fields) {
    json app = {{"name", "api"}, {"script", "app.js"}};
    if (!fields.is_null()) app.update(fields);
    return app;
  }

  ConvertedApp convert(const json& app) const { return app_from_json(app, ctx_); }

  /// The message app_from_json throws, or "" when it converts.
  std::string error_of(const json& app) const {
    try {
      convert(app);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  fs::path root_;
  FieldContext ctx_;
};

}  // namespace test
}  // namespace pmctl::core
