// pmctl-watch's ignore rules (src/watch/ignore.hpp), as a table: PM2's default, names, paths,
// globs, escapes and absolute patterns.
#include <gtest/gtest.h>

#include "watch/ignore.hpp"

namespace pmctl::watch {
namespace {

constexpr const char* kRoot = "/srv/app";

struct Case {
  std::vector<std::string> patterns;
  const char* relative;
  bool ignored;
};

void check(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    const Ignore ignore(c.patterns);
    const std::string absolute = std::string(kRoot) + "/" + c.relative;
    EXPECT_EQ(ignore.ignores(c.relative, absolute), c.ignored)
        << "'" << c.relative << "' with " << ignore.describe();
  }
}

TEST(WatchIgnore, DefaultIgnoresDotComponentsAndNodeModulesLikeChokidarsRegex) {
  check({
      {{}, "src/a.js", false},
      {{}, "a.js", false},
      {{}, ".git", true},
      {{}, ".git/objects/ab", true},
      {{}, ".env", true},
      {{}, "src/.eslintrc", true},
      {{}, "src/.cache/x.js", true},
      {{}, "node_modules", true},
      {{}, "node_modules/express/index.js", true},
      {{}, "packages/web/node_modules/x", true},
      {{}, "my_node_modules_backup", true},  // the regex has no anchors
      {{}, "src/a.b.js", false},
      {{}, "node/modules.js", false},
  });
}

TEST(WatchIgnore, DefaultLooksOnlyBelowTheRoot) {
  const Ignore ignore({});
  EXPECT_FALSE(ignore.ignores("server.js", "/home/u/.apps/web/server.js"));
  EXPECT_FALSE(ignore.ignores("", "/srv/app"));
}

TEST(WatchIgnore, ANameIgnoresAnyComponentEqualToIt) {
  check({
      {{"logs"}, "logs", true},
      {{"logs"}, "logs/out.log", true},
      {{"logs"}, "src/logs", true},
      {{"logs"}, "src/logs/x.txt", true},
      {{"logs"}, "logs2", false},
      {{"logs"}, "mylogs/x", false},
      {{"logs"}, "src/a.js", false},
      {{"node_modules"}, "a/node_modules/b", true},
      // With --ignore, PM2's default is replaced, not added to.
      {{"logs"}, ".git/config", false},
      {{"logs"}, "node_modules/x", false},
      {{"logs", "node_modules"}, "node_modules/x", true},
  });
}

TEST(WatchIgnore, APathIgnoresItselfAndWhatIsUnderIt) {
  check({
      {{"client/img"}, "client/img", true},
      {{"client/img"}, "client/img/logo.png", true},
      {{"client/img"}, "client/images", false},
      {{"client/img"}, "client", false},
      {{"client/img"}, "x/client/img", false},
      {{"./logs/"}, "logs/a", true},
      {{"logs/"}, "src/logs", true},
      {{"./client/img"}, "client/img/a", true},
  });
}

TEST(WatchIgnore, AGlobMatchesTheRelativePathOrTheLastComponent) {
  check({
      {{"*.log"}, "a.log", true},
      {{"*.log"}, "logs/2024/a.log", true},
      {{"*.log"}, "a.log.1", false},
      {{"*.log"}, "a.js", false},
      {{"src/*.tmp"}, "src/a.tmp", true},
      {{"src/*.tmp"}, "src/x/a.tmp", true},  // no FNM_PATHNAME: * crosses "/"
      {{"src/*.tmp"}, "lib/a.tmp", false},
      {{"tmp?"}, "cache/tmp1", true},
      {{"tmp?"}, "tmp12", false},
      {{"[ab].js"}, "x/a.js", true},
      {{"[ab].js"}, "x/c.js", false},
      {{"dist*"}, "dist-old", true},
  });
}

TEST(WatchIgnore, ABackslashTakesTheNextCharacterLiterally) {
  check({
      {{"\\.git"}, ".git", true},
      {{"\\.git"}, "sub/.git/HEAD", true},
      {{"\\.git"}, "xgit", false},
      {{"a\\*b"}, "a*b", true},
      {{"a\\*b"}, "axxb", false},
      {{"\\*.log"}, "x.log", false},
      {{"\\*.log"}, "*.log", true},
      {{"a\\*b*"}, "a*bc", true},  // a glob all the same: the second star is not escaped
      {{"a\\*b*"}, "axbc", false},
  });
}

TEST(WatchIgnore, AnAbsolutePatternIsMatchedAgainstTheAbsolutePath) {
  check({
      {{"/srv/app/cache"}, "cache", true},
      {{"/srv/app/cache"}, "cache/x/y", true},
      {{"/srv/app/cache"}, "cache2", false},
      {{"/srv/app/cache"}, "src/cache", false},
      {{"/srv/app/*.log"}, "a.log", true},
      {{"/srv/app/*.log"}, "logs/a.log", true},
      {{"/srv/other/*.log"}, "a.log", false},
      {{"/srv/app/"}, "anything", true},
  });
}

TEST(WatchIgnore, DescribesWhatItIgnores) {
  EXPECT_EQ(Ignore({}).describe(), "dotfiles and node_modules");
  EXPECT_EQ(Ignore({"logs", "*.log"}).describe(), "'logs', '*.log'");
}

}  // namespace
}  // namespace pmctl::watch
