#include "core/base/git_checkout.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace pmctl::core {
namespace {

namespace fs = std::filesystem;

TEST(GitFilesTest, HeadNamesARefOrIsDetached) {
  EXPECT_EQ(git::head_ref("ref: refs/heads/main\n"), "refs/heads/main");
  EXPECT_EQ(git::head_ref("0123456789abcdef0123456789abcdef01234567\n"), "");
}

TEST(GitFilesTest, PackedRefsSkipCommentsAndPeeledLines) {
  const std::string packed =
      "# pack-refs with: peeled fully-peeled sorted\n"
      "1111111111111111111111111111111111111111 refs/heads/dev\n"
      "2222222222222222222222222222222222222222 refs/tags/v1\n"
      "^3333333333333333333333333333333333333333\n"
      "4444444444444444444444444444444444444444 refs/remotes/origin/main\n";
  EXPECT_EQ(git::packed_ref(packed, "refs/heads/dev"), std::string(40, '1'));
  EXPECT_EQ(git::packed_ref(packed, "refs/remotes/origin/main"), std::string(40, '4'));
  EXPECT_EQ(git::packed_ref(packed, "refs/heads/main"), "");
}

TEST(GitFilesTest, RemotesInConfigOrderWithTheirUrls) {
  const std::string config =
      "[core]\n\tbare = false\n"
      "[remote \"upstream\"]\n\turl = https://example.org/up.git\n"
      "\tfetch = +refs/heads/*:refs/remotes/upstream/*\n"
      "[branch \"main\"]\n\tremote = upstream\n"
      "[remote \"origin\"]\n\turl = git@example.org:me/app.git\n";
  const auto r = git::remotes(config);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], (std::pair<std::string, std::string>{"upstream", "https://example.org/up.git"}));
  EXPECT_EQ(r[1], (std::pair<std::string, std::string>{"origin", "git@example.org:me/app.git"}));
  EXPECT_TRUE(git::remotes("[core]\n\tbare = false\n").empty());
}

TEST(GitFilesTest, TheLastReflogLineGivesMessageAndTime) {
  const std::string log =
      "0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 A "
      "<a@x> 1700000000 +0100\tcommit (initial): first\n"
      "1111111111111111111111111111111111111111 2222222222222222222222222222222222222222 A "
      "<a@x> 1700000100 +0100\tcommit: second one\n";
  const auto last = git::last_reflog_entry(log);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->message, "commit: second one");
  EXPECT_EQ(last->time_ms, 1700000100000u);
  EXPECT_FALSE(git::last_reflog_entry(""));
}

class GitCheckoutTest : public ::testing::Test {
 protected:
  GitCheckoutTest() : dir_(fs::temp_directory_path() / ("pmctl-git-" + std::to_string(getpid()))) {
    fs::create_directories(dir_);
  }
  ~GitCheckoutTest() override { fs::remove_all(dir_); }

  static void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  /// What `command` prints, without the trailing newline.
  static std::string run(const std::string& command) {
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    char buf[256];
    while (p && fgets(buf, sizeof buf, p)) out += buf;
    if (p) pclose(p);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  fs::path dir_;
};

TEST_F(GitCheckoutTest, AHandMadeCheckoutWithPackedRefsIsReadFromASubdirectory) {
  write(dir_ / ".git/HEAD", "ref: refs/heads/main\n");
  write(dir_ / ".git/packed-refs", std::string(40, 'a') + " refs/heads/main\n" +
                                       std::string(40, 'b') + " refs/remotes/origin/main\n");
  write(dir_ / ".git/config", "[remote \"origin\"]\n\turl = https://example.org/app.git\n");
  fs::create_directories(dir_ / "src/lib");
  const auto c = read_git_checkout((dir_ / "src/lib").string());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->repo_path, dir_.string());
  EXPECT_EQ(c->branch, "main");
  EXPECT_EQ(c->revision, std::string(40, 'a'));
  EXPECT_EQ(c->remote, "origin");
  EXPECT_EQ(c->url, "https://example.org/app.git");
  EXPECT_TRUE(c->branch_exists_on_remote);
  EXPECT_EQ(c->comment, "");
}

TEST_F(GitCheckoutTest, AWorktreeFileIsFollowedToItsGitDirAndCommonDir) {
  write(dir_ / "main/.git/config", "[remote \"origin\"]\n\turl = /srv/app.git\n");
  write(dir_ / "main/.git/refs/heads/feature", std::string(40, 'c') + "\n");
  write(dir_ / "main/.git/worktrees/wt/HEAD", "ref: refs/heads/feature\n");
  write(dir_ / "main/.git/worktrees/wt/commondir", "../..\n");
  write(dir_ / "wt/.git", "gitdir: " + (dir_ / "main/.git/worktrees/wt").string() + "\n");
  const auto c = read_git_checkout((dir_ / "wt").string());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->branch, "feature");
  EXPECT_EQ(c->revision, std::string(40, 'c'));
  EXPECT_EQ(c->url, "/srv/app.git");
  EXPECT_FALSE(c->branch_exists_on_remote);
}

TEST_F(GitCheckoutTest, OnlyTheLastLineOfALongReflogCounts) {
  write(dir_ / ".git/HEAD", std::string(40, 'd') + "\n");
  std::string reflog;
  const std::string zeros(40, '0');
  for (int i = 0; i < 5000; ++i)
    reflog += zeros + " " + zeros + " A <a@x> " + std::to_string(1700000000 + i) +
              " +0000\tcommit: change " + std::to_string(i) + "\n";
  write(dir_ / ".git/logs/HEAD", reflog);
  const auto c = read_git_checkout(dir_.string());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->comment, "change 4999");
  EXPECT_EQ(c->update_time_ms, (1700000000ull + 4999) * 1000);
  EXPECT_EQ(c->branch, "");
  EXPECT_EQ(c->revision, std::string(40, 'd'));
}

TEST_F(GitCheckoutTest, NoCheckoutAboveIsNullopt) {
  EXPECT_FALSE(read_git_checkout("/proc/self"));
  write(dir_ / ".git", "not a gitdir line\n");
  EXPECT_FALSE(read_git_checkout(dir_.string()));
}

TEST_F(GitCheckoutTest, ARealRepositoryReadsAsGitItselfSaysAfterACommitAndAPackRefs) {
  const std::string git = "git -C '" + dir_.string() + "' -c user.name=t -c user.email=t@x ";
  ASSERT_EQ(run(git + "init -q -b trunk && " + git +
                "remote add origin https://example.org/real.git && " + git +
                "commit -q --allow-empty -m 'first line' && echo ok"),
            "ok");
  auto c = read_git_checkout(dir_.string());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->revision, run(git + "rev-parse HEAD"));
  EXPECT_EQ(c->branch, "trunk");
  EXPECT_EQ(c->comment, "first line");
  EXPECT_EQ(c->url, "https://example.org/real.git");
  EXPECT_GT(c->update_time_ms, 0u);
  ASSERT_EQ(run(git + "pack-refs --all && " + git + "checkout -q --detach && echo ok"), "ok");
  c = read_git_checkout(dir_.string());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->revision, run(git + "rev-parse HEAD"));
  EXPECT_EQ(c->branch, "");
}

}  // namespace
}  // namespace pmctl::core
