#include "core/base/envfile.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pmctl::core {
namespace {

using Env = std::map<std::string, std::string>;

TEST(EnvfileNames, AcceptsLettersDigitsAndUnderscoresNotLeadingDigits) {
  EXPECT_TRUE(valid_env_name("PATH"));
  EXPECT_TRUE(valid_env_name("_x1"));
  EXPECT_TRUE(valid_env_name("pm_id"));
  EXPECT_FALSE(valid_env_name(""));
  EXPECT_FALSE(valid_env_name("1X"));
  EXPECT_FALSE(valid_env_name("A-B"));
  EXPECT_FALSE(valid_env_name("A B"));
  EXPECT_FALSE(valid_env_name("A=B"));
  EXPECT_FALSE(valid_env_name("\xc3\xa9"));
}

struct ValueCase {
  const char* label;
  std::string value;
  bool valid;
};

TEST(EnvfileValues, AcceptsWhatSystemdsUtf8CheckAccepts) {
  const std::vector<ValueCase> cases = {
      {"empty", "", true},
      {"ascii controls", "\x01\t\r\n\x7f", true},
      {"two-byte", "\xc3\xa9", true},
      {"four-byte emoji", "\xf0\x9f\x98\x80", true},
      {"NUL", std::string("a\0b", 3), false},
      {"lone continuation byte", "\x80", false},
      {"truncated sequence", "\xc3", false},
      {"overlong slash", "\xc0\xaf", false},
      {"UTF-16 surrogate", "\xed\xa0\x80", false},
      {"noncharacter U+FDD0", "\xef\xb7\x90", false},
      {"noncharacter U+FFFE", "\xef\xbf\xbe", false},
      {"beyond U+10FFFF", "\xf4\x90\x80\x80", false},
      {"latin-1 byte", "caf\xe9", false},
  };
  for (const auto& c : cases) EXPECT_EQ(valid_env_value(c.value), c.valid) << c.label;
}

TEST(EnvfileRender, WrapsEachValueInSingleQuotesOneLinePerNameInNameOrder) {
  EXPECT_EQ(render_environment_file({{"B", "2"}, {"A", "1"}}), "A='1'\nB='2'\n");
}

TEST(EnvfileRender, KeepsShellAndSystemdSpecialCharactersUnescapedInsideQuotes) {
  EXPECT_EQ(render_environment_file({{"V", R"( $HOME ${X} \n \ # ; = " )"}}),
            "V=' $HOME ${X} \\n \\ # ; = \" '\n");
}

TEST(EnvfileRender, KeepsNewlinesLiterallyInsideQuotes) {
  EXPECT_EQ(render_environment_file({{"V", "line1\nline2\n"}}), "V='line1\nline2\n'\n");
}

TEST(EnvfileRender, WritesASingleQuoteAsADoubleQuotedRunBetweenSingleQuotedRuns) {
  EXPECT_EQ(render_environment_file({{"V", "it's"}}), "V='it'\"'\"'s'\n");
  EXPECT_EQ(render_environment_file({{"V", "'"}}), "V=''\"'\"''\n");
}

TEST(EnvfileRender, WritesAnEmptyValueAsEmptyQuotes) {
  EXPECT_EQ(render_environment_file({{"V", ""}}), "V=''\n");
}

TEST(EnvfileRender, SkipsEntriesSystemdWouldReject) {
  EXPECT_EQ(render_environment_file(
                {{"1BAD", "x"}, {"A-B", "x"}, {"BAD_UTF8", "\xff"}, {"OK", "y"}, {"", "z"}}),
            "OK='y'\n");
}

TEST(EnvfileRender, RendersNothingForAnEmptyEnvironment) {
  EXPECT_EQ(render_environment_file({}), "");
}

// The oracle: systemd 252's own parser, load_env_file() from the private libsystemd-shared that
// Debian 12 installs. It is exactly what PID 1 runs for EnvironmentFile=, so a rendered file that
// loads back unchanged here reaches the app unchanged. Skipped where the library is absent.
class SystemdParser {
 public:
  SystemdParser() {
    handle_ = dlopen("/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so", RTLD_NOW);
    if (handle_) load_ = reinterpret_cast<LoadFn>(dlsym(handle_, "load_env_file"));
  }
  ~SystemdParser() {
    if (handle_) dlclose(handle_);
  }
  bool available() const { return load_ != nullptr; }

  /// The environment systemd reads from `content`, or nullopt if it refuses the file.
  std::optional<Env> load(const std::string& content) const {
    const auto path = std::filesystem::temp_directory_path() /
                      ("pmctl-envfile-test-" + std::to_string(getpid()) + ".env");
    std::ofstream(path, std::ios::binary) << content;
    char** entries = nullptr;
    const int r = load_(nullptr, path.c_str(), &entries);
    std::filesystem::remove(path);
    if (r < 0) return std::nullopt;
    Env env;
    for (char** p = entries; p && *p; ++p) {
      const std::string entry = *p;
      const auto eq = entry.find('=');
      env[entry.substr(0, eq)] = entry.substr(eq + 1);
      std::free(*p);
    }
    std::free(entries);
    return env;
  }

 private:
  using LoadFn = int (*)(FILE*, const char*, char***);
  void* handle_ = nullptr;
  LoadFn load_ = nullptr;
};

TEST(EnvfileSystemdParser, LoadsEveryRenderedValueBackByteForByte) {
  const SystemdParser parser;
  if (!parser.available()) GTEST_SKIP() << "libsystemd-shared-252.so not installed";
  const Env env = {
      {"EMPTY", ""},
      {"SPACES", "  lead and trail  "},
      {"TABS", "\tx\t"},
      {"SINGLE", "it's 'quoted'"},
      {"ONLY_QUOTE", "'"},
      {"QUOTES_AT_ENDS", "'x'"},
      {"DOUBLE", R"(say "hi")"},
      {"DOLLAR", "$HOME ${PATH} $$"},
      {"BACKSLASH", R"(C:\dir\ \\ \n \)"},
      {"TRAILING_BACKSLASH", "x\\"},
      {"COMMENT_CHARS", "#not a comment ;nor this"},
      {"EQUALS", "a=b=c"},
      {"NEWLINES", "one\ntwo\n\nthree\n"},
      {"CR", "a\rb"},
      {"UTF8", "caf\xc3\xa9 \xf0\x9f\x98\x80"},
      {"MIXED", "'\"\\$#=\n '"},
  };
  EXPECT_EQ(parser.load(render_environment_file(env)), env);
}

TEST(EnvfileSystemdParser, ShowsWhyTheShellQuoteIdiomIsNotUsed) {
  const SystemdParser parser;
  if (!parser.available()) GTEST_SKIP() << "libsystemd-shared-252.so not installed";
  EXPECT_EQ(parser.load("V='a'\\''b'\n"), (Env{{"V", "a''b'"}}));
}

TEST(EnvfileSystemdParser, RefusesTheWholeFileForOneInvalidUtf8Value) {
  const SystemdParser parser;
  if (!parser.available()) GTEST_SKIP() << "libsystemd-shared-252.so not installed";
  EXPECT_EQ(parser.load("A='ok'\nB='\xff'\n"), std::nullopt);
  EXPECT_EQ(parser.load(render_environment_file({{"A", "ok"}, {"B", "\xff"}})), (Env{{"A", "ok"}}));
}

}  // namespace
}  // namespace pmctl::core
