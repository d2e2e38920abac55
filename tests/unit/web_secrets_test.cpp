// The web dashboard's secrets (core/state/web_secrets): fresh and random each time, read back
// only when both are there, compared without an early exit.
#include "core/state/web_secrets.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace pmctl::test {
namespace {

TEST(WebSecrets, FreshOnesAre128BitsOfHexAndDiffer) {
  const auto a = core::make_web_secrets();
  const auto b = core::make_web_secrets();
  for (const auto& s : {a.token, a.csrf, b.token}) {
    EXPECT_EQ(s.size(), 32u);
    EXPECT_EQ(s.find_first_not_of("0123456789abcdef"), std::string::npos) << s;
  }
  EXPECT_NE(a.token, a.csrf);
  EXPECT_NE(a.token, b.token);
}

struct TempDir {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("pmctl-web-secrets-" + std::to_string(getpid()));
  TempDir() { std::filesystem::create_directories(dir); }
  ~TempDir() { std::filesystem::remove_all(dir); }
  const std::filesystem::path& path() const { return dir; }
};

TEST(WebSecrets, ReadBackOnlyWhenBothAreThere) {
  TempDir dir;
  EXPECT_FALSE(core::load_web_secrets(dir.path()));
  std::filesystem::create_directories(dir.path() / "web");
  std::ofstream(core::web_token_file(dir.path())) << "tok\n";
  EXPECT_FALSE(core::load_web_secrets(dir.path()));
  std::ofstream(core::web_csrf_file(dir.path())) << "\n";
  EXPECT_FALSE(core::load_web_secrets(dir.path())) << "an empty one is none";
  std::ofstream(core::web_csrf_file(dir.path())) << "csrf\n";
  const auto s = core::load_web_secrets(dir.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->token, "tok");
  EXPECT_EQ(s->csrf, "csrf");
}

TEST(WebSecrets, OnlyTheSameSecretMatches) {
  EXPECT_TRUE(core::same_secret("abc", "abc"));
  EXPECT_FALSE(core::same_secret("abc", "abd"));
  EXPECT_FALSE(core::same_secret("abc", "ab"));
  EXPECT_FALSE(core::same_secret("abc", "abcd"));
  EXPECT_FALSE(core::same_secret("", "")) << "no secret matches nothing";
}

}  // namespace
}  // namespace pmctl::test
