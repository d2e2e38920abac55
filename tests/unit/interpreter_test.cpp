#include "core/base/interpreter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

struct InterpreterCase {
  std::string script;
  bool executable;
  bool bun;
  std::string expected;
};

TEST(Interpreter, ChoosesPm2sInterpreterByExtension) {
  const std::vector<InterpreterCase> cases = {
      {"/a/app.js", false, false, "node"},
      {"/a/app.cjs", false, false, "node"},
      {"/a/app.mjs", true, false, "node"},
      {"/a/app.py", false, false, "python3"},
      {"/a/run.sh", true, false, "bash"},
      {"/a/app.rb", false, false, "ruby"},
      {"/a/index.php", false, false, "php"},
      {"/a/x.pl", false, false, "perl"},
      {"/a/x.coffee", false, false, "coffee"},
      {"/a/x.ts", false, true, "bun"},
      {"/a/x.tsx", false, true, "bun"},
      {"/a/x.ts", false, false, "node"},
      {"/bin/ls", true, false, ""},
      {"/a/tool.bin", true, false, ""},
      {"/a/data", false, false, "node"},
      {"/a/notes.txt", false, false, "node"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(interpreter_for(c.script, c.executable, c.bun), c.expected) << c.script;
  }
}

/// A scratch directory with a private bin/ to serve as PATH, removed at the end of each test.
class InterpreterFs : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() /
            ("pmctl-interpreter-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "bin");
    fs::create_directories(root_ / "app" / "sub");
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path make_file(const fs::path& rel, bool executable) {
    fs::path p = root_ / rel;
    std::ofstream(p) << "#!/bin/sh\n";
    auto exec = fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec;
    fs::permissions(p, exec, executable ? fs::perm_options::add : fs::perm_options::remove);
    return p;
  }
  std::string path_env() const { return (root_ / "bin").string(); }
  std::string cwd() const { return (root_ / "app").string(); }

  fs::path root_;
};

TEST_F(InterpreterFs, FindsExecutablesInPathOnly) {
  make_file("bin/node", true);
  make_file("bin/ruby", false);
  fs::create_directories(root_ / "bin" / "adir");
  EXPECT_EQ(find_program("node", path_env(), cwd()), (root_ / "bin" / "node").string());
  EXPECT_EQ(find_program("ruby", path_env(), cwd()), std::nullopt);
  EXPECT_EQ(find_program("adir", path_env(), cwd()), std::nullopt);
  EXPECT_EQ(find_program("missing", path_env(), cwd()), std::nullopt);
  EXPECT_EQ(find_program("", path_env(), cwd()), std::nullopt);
}

TEST_F(InterpreterFs, TriesPathDirectoriesInOrderAndSkipsEmptyOnes) {
  fs::create_directories(root_ / "bin2");
  make_file("bin2/tool", true);
  make_file("app/tool", true);
  std::string path = ":" + path_env() + "::" + (root_ / "bin2").string() + ":";
  EXPECT_EQ(find_program("tool", path, cwd()), (root_ / "bin2" / "tool").string());
  make_file("bin/tool", true);
  EXPECT_EQ(find_program("tool", path, cwd()), (root_ / "bin" / "tool").string());
}

TEST_F(InterpreterFs, TakesANameWithASlashAsAPathFromCwd) {
  make_file("app/tool", true);
  EXPECT_EQ(find_program("./sub/../tool", path_env(), cwd()), (root_ / "app" / "tool").string());
  EXPECT_EQ(find_program("../bin/none", path_env(), cwd()), std::nullopt);
}

TEST_F(InterpreterFs, ResolvesAScriptAgainstCwdWithItsInterpreter) {
  make_file("bin/node", true);
  make_file("app/server.js", false);
  Launch l = resolve_launch("./sub/../server.js", cwd(), std::nullopt, path_env());
  EXPECT_EQ(l.script, (root_ / "app" / "server.js").string());
  EXPECT_FALSE(l.command_string);
  EXPECT_EQ(l.interpreter, (root_ / "bin" / "node").string());
  EXPECT_EQ(l.default_name, "server");
}

TEST_F(InterpreterFs, AcceptsAnAbsoluteScriptPath) {
  make_file("bin/node", true);
  fs::path script = make_file("app/sub/app.test.js", false);
  Launch l = resolve_launch(script.string(), "/", std::nullopt, path_env());
  EXPECT_EQ(l.script, script.string());
  EXPECT_EQ(l.default_name, "app.test");
}

TEST_F(InterpreterFs, RunsAnExecutableWithoutKnownExtensionDirectly) {
  make_file("app/worker", true);
  Launch l = resolve_launch("worker", cwd(), std::nullopt, path_env());
  EXPECT_EQ(l.script, (root_ / "app" / "worker").string());
  EXPECT_EQ(l.interpreter, "");
  EXPECT_EQ(l.default_name, "worker");
}

TEST_F(InterpreterFs, RunsAPlainFileWithoutKnownExtensionUnderNode) {
  make_file("bin/node", true);
  make_file("app/script", false);
  EXPECT_EQ(resolve_launch("script", cwd(), std::nullopt, path_env()).interpreter,
            (root_ / "bin" / "node").string());
}

TEST_F(InterpreterFs, LooksAMissingScriptUpInPath) {
  make_file("bin/mytool", true);
  Launch l = resolve_launch("mytool", cwd(), std::nullopt, path_env());
  EXPECT_EQ(l.script, (root_ / "bin" / "mytool").string());
  EXPECT_EQ(l.interpreter, "");
  EXPECT_EQ(l.default_name, "mytool");
}

TEST_F(InterpreterFs, ReportsAMissingScript) {
  make_file("bin/node", true);
  try {
    resolve_launch("nope.js", cwd(), std::nullopt, path_env());
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "script not found: 'nope.js'");
    EXPECT_FALSE(e.hint().empty());
  }
  EXPECT_THROW(resolve_launch("sub", cwd(), std::nullopt, path_env()), Error);
  EXPECT_THROW(resolve_launch("", cwd(), std::nullopt, path_env()), Error);
}

TEST_F(InterpreterFs, ReportsAMissingInterpreter) {
  make_file("app/app.rb", false);
  try {
    resolve_launch("app.rb", cwd(), std::nullopt, path_env());
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "interpreter 'ruby' is not available in PATH");
    EXPECT_THAT(e.hint(), ::testing::HasSubstr("--interpreter"));
  }
  EXPECT_THROW(resolve_launch("app.rb", cwd(), std::string("jruby"), path_env()), Error);
}

TEST_F(InterpreterFs, PrefersPython3AndFallsBackToPython) {
  make_file("app/app.py", false);
  make_file("bin/python", true);
  EXPECT_EQ(resolve_launch("app.py", cwd(), std::nullopt, path_env()).interpreter,
            (root_ / "bin" / "python").string());
  make_file("bin/python3", true);
  EXPECT_EQ(resolve_launch("app.py", cwd(), std::nullopt, path_env()).interpreter,
            (root_ / "bin" / "python3").string());
}

TEST_F(InterpreterFs, RunsTypeScriptUnderBunWhenPresentElseNode) {
  make_file("app/app.ts", false);
  make_file("bin/node", true);
  EXPECT_EQ(resolve_launch("app.ts", cwd(), std::nullopt, path_env()).interpreter,
            (root_ / "bin" / "node").string());
  make_file("bin/bun", true);
  EXPECT_EQ(resolve_launch("app.ts", cwd(), std::nullopt, path_env()).interpreter,
            (root_ / "bin" / "bun").string());
}

TEST_F(InterpreterFs, HonoursAnExplicitInterpreter) {
  make_file("app/app.js", false);
  make_file("bin/deno", true);
  fs::path custom = make_file("app/sub/mynode", true);
  EXPECT_EQ(resolve_launch("app.js", cwd(), std::string("none"), path_env()).interpreter, "");
  EXPECT_EQ(resolve_launch("app.js", cwd(), std::string("deno"), path_env()).interpreter,
            (root_ / "bin" / "deno").string());
  EXPECT_EQ(resolve_launch("app.js", cwd(), custom.string(), path_env()).interpreter,
            custom.string());
}

TEST(Interpreter, TreatsATargetWithASpaceAsACommandString) {
  Launch l = resolve_launch("python3 -m http.server", "/nonexistent", std::nullopt, "");
  EXPECT_EQ(l.script, "python3 -m http.server");
  EXPECT_TRUE(l.command_string);
  EXPECT_EQ(l.interpreter, "");
  EXPECT_EQ(l.default_name, "python3");
  EXPECT_EQ(resolve_launch("/usr/bin/env FOO=1 node", "/", std::nullopt, "").default_name, "env");
}

}  // namespace
}  // namespace pmctl::core
