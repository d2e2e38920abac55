// -H's host grammar, the quoting of arguments for the remote shell, the ssh command line, and the
// remote command run by a real /bin/sh against a stand-in pmctl (what it receives, word by word).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/base/spawn.hpp"
#include "core/remote/hosts.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

struct HostCase {
  std::string spec, user, host, port;
};

TEST(RemoteHosts, ParsesEveryForm) {
  const std::vector<HostCase> cases = {
      {"web1", "", "web1", ""},
      {"deploy@web1", "deploy", "web1", ""},
      {"web1:2222", "", "web1", "2222"},
      {"deploy@10.0.0.5:22", "deploy", "10.0.0.5", "22"},
      {"[::1]:2200", "", "::1", "2200"},
      {"root@[fe80::1%eth0]", "root", "fe80::1%eth0", ""},
      {"::1", "", "::1", ""},
      {"my_alias.example.org", "", "my_alias.example.org", ""},
  };
  for (const auto& c : cases) {
    const RemoteHost h = parse_remote_host(c.spec);
    EXPECT_EQ(h.user, c.user) << c.spec;
    EXPECT_EQ(h.host, c.host) << c.spec;
    EXPECT_EQ(h.port, c.port) << c.spec;
    EXPECT_EQ(h.label, c.spec);
  }
}

TEST(RemoteHosts, RefusesWhatSshWouldMisread) {
  for (const std::string bad :
       {"", "@web", "web:", "web:0", "web:65536", "web:22x", "-oProxyCommand=x", "a b",
        "web;reboot", "us er@web", "-l@web", "[::1", "[::1]x", "web/1", "$(id)"}) {
    try {
      parse_remote_host(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), 2) << bad;
      EXPECT_NE(std::string(e.what()).find("bad host"), std::string::npos) << e.what();
    }
  }
}

TEST(RemoteHosts, ListsKeepTheirOrderAndRefuseEmptyOrRepeatedItems) {
  const auto hosts = parse_remote_hosts("a,root@b:2200,c");
  ASSERT_EQ(hosts.size(), 3u);
  EXPECT_EQ(hosts[0].label, "a");
  EXPECT_EQ(hosts[1].label, "root@b:2200");
  EXPECT_EQ(hosts[1].port, "2200");
  EXPECT_EQ(hosts[2].host, "c");
  for (const std::string bad : {"a,,b", "a,", ",a", "a,b,a"}) {
    EXPECT_THROW(parse_remote_hosts(bad), Error) << bad;
  }
}

TEST(RemoteHosts, QuotesEveryWordForAPosixShell) {
  EXPECT_EQ(shell_quote("plain"), "'plain'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
}

TEST(RemoteHosts, SshArgvNeverPromptsAndEndsOptionsBeforeTheHost) {
  SshSettings ssh;
  ssh.command = {"ssh", "-F", "/etc/x"};
  ssh.extra = {"-i", "/k"};
  const auto argv = ssh_argv(ssh, parse_remote_host("u@h:2200"), false, "cmd");
  const std::vector<std::string> want = {
      "ssh", "-F", "/etc/x", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
      "-T",  "-i", "/k",     "-p", "2200",          "-l", "u",
      "--",  "h",  "cmd"};
  EXPECT_EQ(argv, want);
  const auto tty = ssh_argv(SshSettings{}, parse_remote_host("h"), true, "c");
  EXPECT_EQ(tty, (std::vector<std::string>{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
                                           "-t", "--", "h", "c"}));
}

TEST(RemoteHosts, SettingsComeFromTheEnvironment) {
  setenv("PMCTL_SSH_COMMAND", "  ssh  -F /tmp/cfg ", 1);
  setenv("PMCTL_SSH_TIMEOUT", "3", 1);
  const SshSettings s = ssh_settings_from_env();
  EXPECT_EQ(s.command, (std::vector<std::string>{"ssh", "-F", "/tmp/cfg"}));
  EXPECT_EQ(s.connect_timeout_s, 3);
  for (const char* bad : {"0", "abc", "3601", "-1"}) {
    setenv("PMCTL_SSH_TIMEOUT", bad, 1);
    EXPECT_THROW(ssh_settings_from_env(), Error) << bad;
  }
  unsetenv("PMCTL_SSH_COMMAND");
  unsetenv("PMCTL_SSH_TIMEOUT");
  EXPECT_EQ(ssh_settings_from_env().command, std::vector<std::string>{"ssh"});
}

/// A temporary PATH directory with a `pmctl` script of the given body.
class RemoteCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pmctl-remote-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write_pmctl(const std::string& body) {
    const std::string path = dir_ + "/pmctl";
    std::ofstream(path) << "#!/bin/sh\n" << body;
    chmod(path.c_str(), 0755);
  }
  /// Runs the remote command as sshd would (the user's shell, here /bin/sh -c) with PATH = dir_.
  Captured run(const std::vector<std::string>& args) {
    return run_and_capture({"/usr/bin/env", "-i", "PATH=" + dir_ + ":/usr/bin:/bin", "PMCTL_HOST=x",
                            "/bin/sh", "-c", remote_pmctl_command(args)});
  }
  std::string dir_;
};

TEST_F(RemoteCommand, EveryArgumentArrivesAsOneWordAndNothingRunsFromIt) {
  write_pmctl(
      "[ \"$1\" = __remote-protocol ] && { echo 1; exit 0; }\n"
      "echo \"remote=$PMCTL_REMOTE host=[$PMCTL_HOST]\"\n"
      "for a in \"$@\"; do echo \"<$a>\"; done\n");
  const std::string marker = dir_ + "/pwned";
  const auto out = run({"describe", "x'; touch " + marker + "; '", "a b", "$(touch " + marker + ")",
                        "`id`", "", "--name=it's"});
  EXPECT_EQ(out.status, 0) << out.output;
  EXPECT_EQ(out.output, "remote=1 host=[]\n<describe>\n<x'; touch " + marker +
                            "; '>\n<a b>\n<$(touch " + marker + ")>\n<`id`>\n<>\n<--name=it's>\n");
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(RemoteCommand, NoPmctlAndAnOlderPmctlExitWithTheirOwnCodes) {
  const auto none = run({"ls"});
  EXPECT_EQ(none.status, kRemoteNoPmctl) << none.output;
  EXPECT_EQ(none.output, "");
  // pmctl 0.1.0 knew no __remote-protocol: its unknown-command line, exit 2.
  write_pmctl(
      "echo \"pmctl: error: unknown command '$1' (hint: see 'pmctl --help')\" >&2; exit 2\n");
  const auto old = run({"ls"});
  EXPECT_EQ(old.status, kRemoteOldPmctl) << old.output;
  EXPECT_EQ(old.output, "");
}

TEST_F(RemoteCommand, TheRemoteExitCodeComesBack) {
  write_pmctl("[ \"$1\" = __remote-protocol ] && { echo 1; exit 0; }\nexit 7\n");
  EXPECT_EQ(run({"stop", "x"}).status, 7);
}

}  // namespace
}  // namespace pmctl::core
