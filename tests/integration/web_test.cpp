// pmctl web against the sandbox's systemd: the socket-activated dashboard serves its page and
// API, a real Chromium (Debian's, driven headless by puppeteer-core from npm) sees the apps and
// restarts one, actions need the page's CSRF token, a client from a non-loopback address needs
// the access token, bad input changes nothing, disable removes it all. Ports: 17690-17699.
#include <gmock/gmock.h>

#include "fixture.hpp"

namespace pmctl::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kPort = 17690;

std::string base_url(const std::string& host = "127.0.0.1", int port = kPort) {
  return "http://" + host + ":" + std::to_string(port);
}

/// The CSRF token the page carries (its meta tag).
std::string csrf_of(const std::string& page) {
  const std::string marker = "name=\"pmctl-csrf\" content=\"";
  const auto at = page.find(marker);
  if (at == std::string::npos) return "";
  const auto start = at + marker.size();
  return page.substr(start, page.find('"', start) - start);
}

/// curl's status code (and body after a newline) for an action.
Result post_action(const std::string& body, const std::string& csrf) {
  std::string cmd =
      "curl -sS --max-time 60 -w '\\n%{http_code}' -X POST -H 'Content-Type: "
      "application/json' --data '" +
      body + "' ";
  if (!csrf.empty()) cmd += "-H 'X-Pmctl-Csrf: " + csrf + "' ";
  return sh(cmd + base_url() + "/api/action");
}

std::string status_code(const Result& r) { return r.out.substr(r.out.rfind('\n') + 1); }

/// A global IPv4 address of this host: a client from it is not on loopback.
std::string non_loopback_address() {
  const Result r = sh("ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1");
  std::string a = r.out;
  while (!a.empty() && (a.back() == '\n' || a.back() == ' ')) a.pop_back();
  return a;
}

class WebTest : public PmctlTest {
 protected:
  void TearDown() override {
    pmctl({"web", "disable"});
    if (!tmp_.empty()) sh("rm -rf " + tmp_);
    PmctlTest::TearDown();
  }
  void enable(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{"web", "enable", "--port", std::to_string(kPort)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const Result r = pmctl(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    enabled_out_ = r.out;
  }
  std::string get(const std::string& path, const std::string& options = "") {
    return sh("curl -sS --max-time 10 " + options + " '" + base_url() + path + "'").out;
  }
  const std::string& tmp() {
    if (tmp_.empty()) {
      tmp_ = sh("mktemp -d /tmp/pmctl-web-XXXXXX").out;
      tmp_.pop_back();
    }
    return tmp_;
  }
  std::string tmp_;
  std::string enabled_out_;
};

TEST_F(WebTest, AHeadlessChromiumSeesTheAppsRestartsOneAndSeesItsLog) {
  start({app_path("server.js"), "--name", "wapp"});
  start({app_path("greet.sh"), "--name", "wpool", "-i", "2"});
  enable();
  EXPECT_THAT(enabled_out_, HasSubstr("http://127.0.0.1:17690/"));
  EXPECT_THAT(enabled_out_, HasSubstr("other users of this host need its access token"));
  const Result page = sh("curl -sS -D - --max-time 10 " + base_url() + "/");
  EXPECT_THAT(page.out, HasSubstr("Content-Security-Policy: default-src 'none'"));
  EXPECT_EQ(csrf_of(page.out).size(), 32u) << page.out;
  const auto apps = nlohmann::json::parse(get("/api/apps"));
  ASSERT_EQ(apps["apps"].size(), 3u) << apps.dump();
  EXPECT_EQ(apps["apps"][0]["name"], "wapp");
  EXPECT_EQ(apps["apps"][1]["mode"], "pool");

  // puppeteer-core from npm into this test's own folder; Chromium from Debian.
  const Result npm = sh("cd " + tmp() +
                        " && timeout 300 npm install --no-audit --no-fund --loglevel=error "
                        "--prefix . puppeteer-core@24 2>&1");
  ASSERT_EQ(npm.exit_code, 0) << npm.out;
  const std::string shot = tmp() + "/dashboard.png";
  const Result drive =
      sh("PMCTL_NPM_PREFIX=" + tmp() + " timeout 120 node " + app_path("../../web/dashboard.mjs") +
         " --url " + base_url() + "/ --chromium /usr/bin/chromium --app wapp --screenshot " + shot +
         " --expect-log 'server: started' --timeout-ms 60000");
  ASSERT_EQ(drive.exit_code, 0) << drive.out << drive.err;
  std::cout << "dashboard driver: " << drive.out;
  const auto result = nlohmann::json::parse(drive.out);
  EXPECT_TRUE(result["ok"].get<bool>());
  EXPECT_EQ(result["rows"], 3);
  EXPECT_GT(result["restarts_after"].get<int>(), result["restarts_before"].get<int>());
  EXPECT_NE(result["pid_after"], result["pid_before"]);
  EXPECT_THAT(result["log_line"].get<std::string>(), HasSubstr("server: started"));
  EXPECT_TRUE(result["console_errors"].empty()) << result.dump();
  EXPECT_EQ(app("wapp")["pm2_env"]["restart_time"], 1) << "the browser's restart was pmctl's";
  EXPECT_GT(std::stoul(sh("stat -c %s " + shot).out), 10000u) << "a screenshot of the page";
}

TEST_F(WebTest, ActionsNeedThePagesCsrfTokenAndRunPmctlsOwnVerbs) {
  start({app_path("server.js"), "--name", "wact"});
  enable();
  const std::string csrf = csrf_of(get("/"));
  ASSERT_FALSE(csrf.empty());
  const std::string restart = R"({"action":"restart","target":"wact"})";
  EXPECT_EQ(status_code(post_action(restart, "")), "403");
  EXPECT_EQ(status_code(post_action(restart, std::string(32, '0'))), "403");
  EXPECT_EQ(app("wact")["pm2_env"]["restart_time"], 0) << "refused: nothing happened";
  const Result ok = post_action(restart, csrf);
  EXPECT_EQ(status_code(ok), "200") << ok.out;
  EXPECT_EQ(app("wact")["pm2_env"]["restart_time"], 1);
  EXPECT_EQ(status_code(post_action(R"({"action":"stop","target":"0"})", csrf)), "200");
  EXPECT_EQ(status_of("wact"), "stopped");
  EXPECT_EQ(status_code(post_action(R"({"action":"start","target":"0"})", csrf)), "200");
  EXPECT_EQ(status_of("wact"), "online");
  // A GET never acts.
  EXPECT_EQ(sh("curl -s -o /dev/null -w '%{http_code}' " + base_url() + "/api/action").out, "405");
  const auto logs = nlohmann::json::parse(get("/api/logs?id=0&lines=5"));
  EXPECT_EQ(logs["lines"].size(), 5u) << logs.dump();
  EXPECT_THAT(logs["lines"][0]["text"].get<std::string>(), HasSubstr("server:"));
}

TEST_F(WebTest, BadRequestsAreRefusedAndChangeNothing) {
  start({app_path("server.js"), "--name", "wbad"});
  enable();
  const std::string csrf = csrf_of(get("/"));
  for (const std::string& body :
       {std::string("not json"), std::string(R"({"action":"delete","target":"wbad"})"),
        std::string(R"({"action":"restart","target":"-f"})"),
        std::string(R"({"action":"restart"})"), std::string(R"({"action":"restart","target":7})")})
    EXPECT_EQ(status_code(post_action(body, csrf)), "400") << body;
  const Result unknown = post_action(R"({"action":"restart","target":"nosuchapp"})", csrf);
  EXPECT_EQ(status_code(unknown), "409") << unknown.out;
  EXPECT_THAT(unknown.out, HasSubstr("nosuchapp"));
  EXPECT_EQ(app("wbad")["pm2_env"]["restart_time"], 0);
  EXPECT_EQ(status_of("wbad"), "online");
  EXPECT_EQ(sh("curl -s -o /dev/null -w '%{http_code}' '" + base_url() + "/api/logs?id=x'").out,
            "400");
  EXPECT_EQ(sh("curl -s -o /dev/null -w '%{http_code}' '" + base_url() + "/api/logs?id=99'").out,
            "404");
  EXPECT_EQ(sh("curl -s -o /dev/null -w '%{http_code}' " + base_url() + "/nope").out, "404");
  // Output that is not UTF-8 (and NUL-split lines) still reads as JSON.
  start({app_path("nul.sh"), "--name", "wnul", "--no-autorestart"});
  EXPECT_TRUE(
      eventually([&] { return get("/api/logs?id=1&lines=20").find("bin") != std::string::npos; }));
  const auto odd = nlohmann::json::parse(get("/api/logs?id=1&lines=20"));
  EXPECT_THAT(odd.dump(), HasSubstr("nul: bin \xEF\xBF\xBD")) << odd.dump();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--port", "0"}, {"--address", "localhost"}}) {
    std::vector<std::string> argv{"web", "enable"};
    argv.insert(argv.end(), args.begin(), args.end());
    const Result r = pmctl(argv);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr("pmctl: error:"));
  }
  EXPECT_THAT(pmctl({"web", "status"}).out, HasSubstr("http://127.0.0.1:17690/"));
  const Result off = pmctl({"web", "disable"});
  EXPECT_EQ(off.exit_code, 0) << off.err;
  for (const char* gone :
       {"/etc/systemd/system/pmctl-web.socket", "/etc/systemd/system/pmctl-web@.service",
        "/var/lib/pmctl/web/token", "/var/lib/pmctl/web/csrf"})
    EXPECT_NE(sh(std::string("test -e ") + gone).exit_code, 0) << gone;
  EXPECT_THAT(pmctl({"web", "status"}).out, HasSubstr("not enabled"));
}

// Loopback trusts root and the manager's user only: another local user (nobody here) is asked
// for the token, as a remote client is (its socket's owner, from /proc/net/tcp).
TEST_F(WebTest, AnotherLocalUserNeedsTheAccessTokenToo) {
  start({app_path("server.js"), "--name", "wlocal"});
  enable();
  std::string token = sh("cat /var/lib/pmctl/web/token").out;
  ASSERT_EQ(token.size(), 33u);
  token.pop_back();
  const auto as_nobody = [](const std::string& args) {
    return sh("setpriv --reuid=65534 --regid=65534 --clear-groups curl -s -o /dev/null -w "
              "'%{http_code}' --max-time 10 " +
              args)
        .out;
  };
  EXPECT_EQ(as_nobody(base_url() + "/api/apps"), "401");
  EXPECT_EQ(as_nobody("-X POST -H 'Content-Type: application/json' --data "
                      "'{\"action\":\"stop\",\"target\":\"wlocal\"}' " +
                      base_url() + "/api/action"),
            "401");
  EXPECT_EQ(status_of("wlocal"), "online");
  EXPECT_EQ(as_nobody("-H 'Authorization: Bearer " + token + "' " + base_url() + "/api/apps"),
            "200");
  EXPECT_EQ(sh("curl -s -o /dev/null -w '%{http_code}' " + base_url() + "/api/apps").out, "200")
      << "root on loopback needs none";
}

TEST_F(WebTest, FromAnyAddressButLoopbackItNeedsTheAccessToken) {
  const std::string host = non_loopback_address();
  if (host.empty()) GTEST_SKIP() << "this host has no global IPv4 address to come from";
  start({app_path("server.js"), "--name", "wremote"});
  enable({"--address", "0.0.0.0"});
  const std::string said = "access token (needed from any address but loopback): ";
  const auto at = enabled_out_.find(said);
  ASSERT_NE(at, std::string::npos) << enabled_out_;
  const std::string token = enabled_out_.substr(at + said.size(), 32);
  EXPECT_EQ(sh("stat -c %a /var/lib/pmctl/web/token").out, "600\n");
  const std::string remote = base_url(host);
  const auto code = [](const std::string& cmd) {
    return sh("curl -s -o /dev/null -w '%{http_code}' --max-time 10 " + cmd).out;
  };
  EXPECT_EQ(code(remote + "/"), "401");
  EXPECT_EQ(code(remote + "/api/apps"), "401");
  EXPECT_EQ(code("'" + remote + "/?token=" + std::string(32, 'f') + "'"), "401");
  EXPECT_EQ(code("-H 'Cookie: pmctl_token=nope' " + remote + "/api/apps"), "401");
  const Result login =
      sh("curl -sS -D - -o /dev/null --max-time 10 '" + remote + "/?token=" + token + "'");
  EXPECT_THAT(login.out, HasSubstr("303"));
  EXPECT_THAT(login.out, HasSubstr("Set-Cookie: pmctl_token=" + token + "; Path=/; HttpOnly"));
  EXPECT_EQ(code("-H 'Cookie: pmctl_token=" + token + "' " + remote + "/api/apps"), "200");
  EXPECT_EQ(code("-H 'Authorization: Bearer " + token + "' " + remote + "/api/apps"), "200");
  EXPECT_EQ(code(base_url() + "/api/apps"), "200") << "loopback still needs none";
  EXPECT_EQ(code("-X POST -H 'Content-Type: application/json' --data "
                 "'{\"action\":\"stop\",\"target\":\"wremote\"}' " +
                 remote + "/api/action"),
            "401");
  EXPECT_EQ(status_of("wremote"), "online");

  // The same refusal in the browser: no dashboard, the reason on the page.
  const Result npm = sh("cd " + tmp() +
                        " && timeout 300 npm install --no-audit --no-fund --loglevel=error "
                        "--prefix . puppeteer-core@24 2>&1");
  ASSERT_EQ(npm.exit_code, 0) << npm.out;
  const Result drive =
      sh("PMCTL_NPM_PREFIX=" + tmp() + " timeout 120 node " + app_path("../../web/dashboard.mjs") +
         " --url " + remote + "/ --chromium /usr/bin/chromium --app wremote --screenshot " + tmp() +
         "/refused.png --timeout-ms 15000");
  EXPECT_EQ(drive.exit_code, 1) << drive.out << drive.err;
  EXPECT_THAT(drive.out, HasSubstr("\"ok\":false"));
  EXPECT_THAT(drive.out, HasSubstr("needs its access token")) << drive.out;
}

}  // namespace
}  // namespace pmctl::test
