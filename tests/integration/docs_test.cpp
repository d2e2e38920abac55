// usage.md's command table, the man page's COMMANDS and `pmctl --help` name the same commands
// (aliases included): a verb added, renamed or dropped in one of them shows here.
#include <gmock/gmock.h>

#include <regex>
#include <set>
#include <sstream>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

std::string source_file(const std::string& path) {
  return read_file(std::string(PMCTL_TEST_APPS) + "/../../../" + path);
}

/// The words before the first space of `head`, split at `sep` ("restart\|reload <file>").
void add_words(std::string head, const std::string& sep, std::set<std::string>& out) {
  head = head.substr(0, head.find(' '));
  for (std::size_t at = 0; at <= head.size();) {
    const auto next = head.find(sep, at);
    const std::string word = head.substr(at, next - at);
    if (!word.empty()) out.insert(word);
    if (next == std::string::npos) break;
    at = next + sep.size();
  }
}

/// `pmctl --help`: the names and aliases under "Subcommands:".
std::set<std::string> help_commands() {
  std::set<std::string> out;
  std::istringstream in(pmctl({"--help"}).out);
  bool in_list = false;
  const std::regex row(R"(^  (\S.*?)\s{2,}\S.*$)");
  for (std::string line; std::getline(in, line);) {
    if (line == "Subcommands:") in_list = true;
    std::smatch m;
    if (!in_list || !std::regex_match(line, m, row)) continue;
    std::string names = m[1];
    for (auto at = names.find(", "); at != std::string::npos; at = names.find(", "))
      names.replace(at, 2, "|");
    add_words(names, "|", out);
  }
  return out;
}

/// The lines of source file `path` from the heading `heading` ("## Commands") to the next
/// heading of its level.
std::vector<std::string> section_lines(const std::string& path, const std::string& heading) {
  const std::string text = source_file(path);
  const auto start = text.find(heading);
  const std::string level = "\n" + heading.substr(0, heading.find(' ') + 1);
  std::istringstream in(text.substr(start, text.find(level, start + 1) - start));
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// usage.md's "## Commands" table: the first cell of each row, in backticks.
std::set<std::string> usage_commands() {
  std::set<std::string> out;
  const std::regex row(R"(^\| `([^`]+)` \|.*$)");
  for (const auto& line : section_lines("docs/usage.md", "## Commands")) {
    std::smatch m;
    if (std::regex_match(line, m, row)) add_words(m[1], "\\|", out);
  }
  return out;
}

/// The man page's COMMANDS section: each entry's leading *word*s (joined by | or ", ").
std::set<std::string> man_commands() {
  std::set<std::string> out;
  const std::regex head(R"(^\*([A-Za-z]+)\*((?:(?:\||, )\*[A-Za-z]+\*)*).*$)");
  const std::regex word(R"(\*([A-Za-z]+)\*)");
  for (const auto& line : section_lines("man/pmctl.1.scd", "# COMMANDS")) {
    std::smatch m;
    if (!std::regex_match(line, m, head)) continue;
    out.insert(m[1]);
    const std::string rest = m[2];
    for (std::sregex_iterator it(rest.begin(), rest.end(), word), end; it != end; ++it)
      out.insert((*it)[1]);
  }
  return out;
}

/// The words of `a` not in `b`.
std::set<std::string> minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  for (const auto& w : a)
    if (!b.contains(w)) out.insert(w);
  return out;
}

TEST(DocsTest, UsageTheManPageAndHelpNameTheSameCommands) {
  const auto help = help_commands();
  ASSERT_GT(help.size(), 20u) << ::testing::PrintToString(help);
  for (const auto& [where, listed] : {std::pair{"docs/usage.md, ## Commands", usage_commands()},
                                      std::pair{"man/pmctl.1.scd, # COMMANDS", man_commands()}}) {
    EXPECT_THAT(minus(help, listed), ::testing::IsEmpty()) << "in --help, not in " << where;
    EXPECT_THAT(minus(listed, help), ::testing::IsEmpty()) << "in " << where << ", not in --help";
  }
}

}  // namespace
}  // namespace pmctl::test
