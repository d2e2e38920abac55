// The shell completions (completions/): bash's is driven as bash drives it (COMP_WORDS,
// COMP_CWORD, the completion function, COMPREPLY) against the apps of this sandbox; zsh's and
// fish's are parsed by their shells. The words come from `pmctl __complete`, which must answer
// no slower than `pmctl jlist` (src/cli/cmd_complete.cpp).
#include <gmock/gmock.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::string> kUserEnv{"XDG_RUNTIME_DIR=/run/user/0"};

std::string completion_file(const std::string& name) {
  return std::string(PMCTL_TEST_APPS) + "/../../../completions/" + name;
}

// Loads bash-completion (as an interactive shell has it) and pmctl's script, completes `line`
// at its end, and prints COMPREPLY one word a line.
const char* const kDriveBash = R"(
[[ -r /usr/share/bash-completion/bash_completion ]] && source /usr/share/bash-completion/bash_completion
source "$1"
read -ra COMP_WORDS <<< "$2"
[[ $2 == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$2 COMP_POINT=${#2}
complete -p pmctl >/dev/null || exit 3
_pmctl
printf '%s\n' "${COMPREPLY[@]}"
)";

/// What bash offers for `pmctl <line>`, completed at the end of the line.
std::vector<std::string> bash_offers(const std::string& line,
                                     const std::vector<std::string>& env = {}) {
  const Result r = run({"bash", "-c", kDriveBash, "bash", completion_file("pmctl.bash"),
                        std::string(PMCTL_BINARY) + " " + line},
                       env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::vector<std::string> words;
  std::istringstream in(r.out);
  for (std::string word; std::getline(in, word);)
    if (!word.empty()) words.push_back(word);
  std::sort(words.begin(), words.end());
  return words;
}

std::vector<std::string> sorted(std::vector<std::string> words) {
  std::sort(words.begin(), words.end());
  return words;
}

class CompletionTest : public PmctlTest {
 protected:
  void TearDown() override {
    if (user_app_) pmctl({"--user", "delete", "comp-mine"}, kUserEnv);
    PmctlTest::TearDown();
  }
  bool user_app_ = false;  ///< an app of root's user manager to delete
};

TEST_F(CompletionTest, BashCompletesCommandsAndTheirAliases) {
  EXPECT_EQ(bash_offers("re"),
            sorted({"reload", "reloadLogs", "repair", "report", "reset", "restart", "resurrect"}));
  EXPECT_EQ(bash_offers("des"), sorted({"describe", "desc"}));
  EXPECT_THAT(bash_offers(""), Not(Contains("__complete")));
  EXPECT_EQ(bash_offers("metrics "), sorted({"enable", "disable", "status"}));
}

TEST_F(CompletionTest, BashCompletesEachCommandsOptions) {
  EXPECT_EQ(bash_offers("start --na"), sorted({"--name", "--namespace"}));
  EXPECT_THAT(bash_offers("restart --"), Contains("--update-env"));
  EXPECT_THAT(bash_offers("--us"), Contains("--user"));
  EXPECT_THAT(bash_offers("metrics enable --"), Contains("--port"));
}

TEST_F(CompletionTest, BashCompletesAppNamesIdsAndNamespaces) {
  start({app_path("greet.sh"), "--name", "comp-alpha", "--namespace", "comp-team"});
  start({app_path("greet.sh"), "--name", "comp-beta"});
  const auto alpha = app("comp-alpha")["pm_id"].get<int>();
  const auto beta = app("comp-beta")["pm_id"].get<int>();

  EXPECT_EQ(bash_offers("restart comp-"), sorted({"comp-alpha", "comp-beta", "comp-team"}));
  EXPECT_EQ(bash_offers("logs comp-a"), sorted({"comp-alpha"}));
  EXPECT_EQ(bash_offers("stop a"), sorted({"all"}));
  EXPECT_THAT(bash_offers("delete "), Contains(std::to_string(beta)));
  EXPECT_THAT(bash_offers("show "), Contains(std::to_string(alpha)));
  EXPECT_THAT(bash_offers("show "), Not(Contains("all")));  // one app
  EXPECT_EQ(bash_offers("reload comp-t"), sorted({"comp-team"}));
  // An option's value is not an app; the next argument is again.
  EXPECT_THAT(bash_offers("restart --name comp-"), Not(Contains("comp-alpha")));
  EXPECT_EQ(bash_offers("restart --kill-timeout 100 comp-b"), sorted({"comp-beta"}));
  EXPECT_EQ(bash_offers("sendSignal SIGUSR2 comp-b"), sorted({"comp-beta"}));
}

TEST_F(CompletionTest, BashOffersFilesWhereACommandTakesOne) {
  const std::string dir = std::string(PMCTL_TEST_APPS) + "/gre";
  EXPECT_THAT(bash_offers("start " + dir), Contains(dir + "et.sh"));
  EXPECT_THAT(bash_offers("startOrRestart " + dir), Contains(dir + "et.sh"));
  // An ecosystem file where no app matches the prefix.
  EXPECT_THAT(bash_offers("restart " + dir), Contains(dir + "et.sh"));
}

TEST_F(CompletionTest, TheUserOptionCompletesTheUserManagersApps) {
  ASSERT_EQ(sh("systemctl start user@0.service").exit_code, 0);
  user_app_ = true;
  const Result r =
      pmctl({"--user", "start", app_path("greet.sh"), "--name", "comp-mine"}, kUserEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  start({app_path("greet.sh"), "--name", "comp-system"});

  EXPECT_EQ(bash_offers("--user restart comp-", kUserEnv), sorted({"comp-mine"}));
  EXPECT_EQ(bash_offers("stop --user comp-", kUserEnv), sorted({"comp-mine"}));
  EXPECT_EQ(bash_offers("restart comp-", kUserEnv), sorted({"comp-system"}));
}

TEST_F(CompletionTest, CompletesNothingWithoutARegistryAndNeverPrintsAnError) {
  const std::vector<std::string> env{"PMCTL_STATE_DIR=/run/comp-nothing-here"};
  const Result r = pmctl({"__complete", "apps"}, env);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out + r.err, "");
  EXPECT_EQ(bash_offers("restart ", env), sorted({"all"}));
  const Result both = pmctl({"--user", "--system", "__complete", "apps"});
  EXPECT_EQ(both.exit_code, 0);
  EXPECT_EQ(both.out + both.err, "");
  EXPECT_EQ(pmctl({"__complete", "options", "no-such-command"}).out, "");
}

TEST_F(CompletionTest, TheHiddenCommandIsNeitherListedNorSuggested) {
  EXPECT_THAT(pmctl({"--help"}).out, Not(HasSubstr("__complete")));
  const Result typo = pmctl({"complete"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, Not(HasSubstr("__complete")));
}

TEST_F(CompletionTest, ZshAndFishLoadTheirScripts) {
  const Result zsh = run({"zsh", "-n", completion_file("_pmctl")});
  EXPECT_EQ(zsh.exit_code, 0) << zsh.err;
  const Result fish = run({"fish", "-n", completion_file("pmctl.fish")});
  EXPECT_EQ(fish.exit_code, 0) << fish.err;
  // fish can complete a line by itself: the same words as bash's.
  const Result names =
      run({"fish", "-c", "source $argv[1]; complete -C 'pmctl start --na'",
           completion_file("pmctl.fish")},
          {"PATH=" + std::string(PMCTL_BINARY).substr(0, std::string(PMCTL_BINARY).rfind('/')) +
           ":/usr/sbin:/usr/bin:/sbin:/bin"});
  EXPECT_THAT(names.out, HasSubstr("--namespace\tNamespace"));
}

double ms(const Result& r) { return std::chrono::duration<double, std::milli>(r.elapsed).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Each of the three commands in turn, 20 times, so that a busy moment of the machine slows
// all of them alike.
TEST_F(CompletionTest, CompletingAppsIsNoSlowerThanJlistWithFiftyApps) {
  start({app_path("greet.sh"), "--name", "comp-pool-a", "-i", "25"});
  start({app_path("greet.sh"), "--name", "comp-pool-b", "-i", "25"});
  ASSERT_EQ(jlist().size(), 50u);
  std::vector<double> apps, options, listed;
  for (int i = 0; i < 20; ++i) {
    const Result a = pmctl({"__complete", "apps"});
    const Result o = pmctl({"__complete", "options", "start"});
    const Result j = pmctl({"jlist"});
    ASSERT_EQ(a.exit_code + o.exit_code + j.exit_code, 0) << a.err << o.err << j.err;
    apps.push_back(ms(a)), options.push_back(ms(o)), listed.push_back(ms(j));
  }
  std::printf(
      "[ figures  ] 50 apps, median of 20: __complete apps %.1f ms, __complete options "
      "start %.1f ms, jlist %.1f ms\n",
      median(apps), median(options), median(listed));
  EXPECT_LE(median(apps), median(listed));
  EXPECT_LE(median(options), median(listed));
}

}  // namespace
}  // namespace pmctl::test
