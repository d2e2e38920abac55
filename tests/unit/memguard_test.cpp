// pmctl-memguard's pure parts: its options, the command it runs, and the memory figure it takes
// from a cgroup's memory.stat. The guard itself runs against the sandbox's systemd in
// tests/integration/memory_restart_test.cpp.
#include <gtest/gtest.h>

#include "core/base/resources.hpp"
#include "core/base/spawn.hpp"
#include "core/units/companion_units.hpp"
#include "memguard/guard.hpp"

namespace pmctl::memguard {
namespace {

TEST(MemguardOptions, TakesTheLimitTheCommandTheActionAndTheManager) {
  std::string why;
  const auto o = parse_options({"--limit", "1048576", "--pmctl", "/usr/bin/pmctl", "--action",
                                "reload", "--user", "--interval-ms", "500"},
                               why);
  ASSERT_TRUE(o) << why;
  EXPECT_EQ(o->limit_bytes, 1048576u);
  EXPECT_EQ(o->interval_ms, 500u);
  EXPECT_TRUE(o->user);
  EXPECT_EQ(core::pmctl_action_argv(o->pmctl, o->user, o->action, "7"),
            (std::vector<std::string>{"/usr/bin/pmctl", "--user", "--silent", "reload", "7"}));
  const auto plain = parse_options({"--pmctl", "/p", "--limit", "10"}, why);
  ASSERT_TRUE(plain) << why;
  EXPECT_EQ(core::pmctl_action_argv(plain->pmctl, plain->user, plain->action, "0"),
            (std::vector<std::string>{"/p", "--silent", "restart", "0"}));
  EXPECT_EQ(plain->interval_ms, 1000u);
}

TEST(MemguardOptions, RefusesWhatItCannotUse) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "--limit and --pmctl are required"},
      {{"--limit", "10"}, "--limit and --pmctl are required"},
      {{"--limit", "0", "--pmctl", "/p"}, "bad option '--limit 0'"},
      {{"--limit", "10M", "--pmctl", "/p"}, "bad option '--limit 10M'"},
      {{"--limit", "10", "--pmctl", "pmctl"}, "bad option '--pmctl pmctl'"},
      {{"--limit", "10", "--pmctl", "/p", "--action", "stop"}, "bad option '--action stop'"},
      {{"--limit", "10", "--pmctl", "/p", "--interval-ms", "0"}, "bad option '--interval-ms 0'"},
      {{"--limit"}, "--limit needs a value"},
      {{"stray"}, "unexpected argument 'stray'"},
  };
  for (const auto& [args, expected] : cases) {
    std::string why;
    EXPECT_FALSE(parse_options(args, why));
    EXPECT_EQ(why, expected);
  }
}

TEST(MemguardMemory, CountsAnonAndFileMappedNotThePageCache) {
  const std::string stat =
      "anon 1000\nfile 500000\nkernel_stack 16384\nfile_mapped 200\nfile_dirty 0\n"
      "active_anon 900\ninactive_anon 100\nshmem 50\nanon_thp 0\n";
  EXPECT_EQ(core::resident_from_memory_stat(stat), 1200u);
  EXPECT_EQ(core::resident_from_memory_stat(""), 0u);
  EXPECT_EQ(core::resident_from_memory_stat("file 10\n"), 0u);
  EXPECT_EQ(core::resident_from_memory_stat("anon 7"), 7u);  // no final newline
}

TEST(MemguardUnit, RunsTheGuardInTheAppsSliceWithTheAppsLimitAndAction) {
  core::AppDecl app;
  app.name = "my-api";
  app.max_memory_bytes = 200ull << 20;
  core::CompanionContext ctx;
  ctx.memguard = "/usr/libexec/pmctl/pmctl-memguard";
  ctx.pmctl = "/usr/bin/pmctl";
  ASSERT_TRUE(core::wants_companion(app, core::CompanionKind::Mem));
  const core::UnitSpec spec = core::companion_spec(app, core::CompanionKind::Mem, ctx);
  EXPECT_EQ(spec.name, "pmctl-my\\x2dapi-mem.service");
  EXPECT_TRUE(core::is_companion_unit(spec.name));
  ctx.saved = true;
  EXPECT_EQ(core::companion_spec(app, core::CompanionKind::Mem, ctx).name,
            "pmctl-my\\x2dapi-mem-s.service");
  ctx.saved = false;
  ASSERT_NE(spec.find("Slice"), nullptr);
  EXPECT_EQ(std::get<std::string>(*spec.find("Slice")), "pmctl-my\\x2dapi.slice");
  const auto& exec = std::get<std::vector<core::ExecCommand>>(*spec.find("ExecStartEx"));
  ASSERT_EQ(exec.size(), 1u);
  EXPECT_EQ(exec[0].argv,
            (std::vector<std::string>{"/usr/libexec/pmctl/pmctl-memguard", "--limit", "209715200",
                                      "--pmctl", "/usr/bin/pmctl", "--action", "restart",
                                      "--interval-ms", "1000"}));
  // A pool or a cluster reloads; under a user manager the guard's pmctl says --user.
  app.cluster.enabled = true;
  ctx.scope = core::Scope::User;
  const core::UnitSpec pool = core::companion_spec(app, core::CompanionKind::Mem, ctx);
  const auto& pooled = std::get<std::vector<core::ExecCommand>>(*pool.find("ExecStartEx"));
  EXPECT_EQ(pooled[0].argv[6], "reload");
  EXPECT_EQ(pooled[0].argv.back(), "--user");
}

}  // namespace
}  // namespace pmctl::memguard
