// The HTTP of pmctl's socket-activated endpoints (core/text/http): request lines, headers and
// responses, odd requests included.
#include "core/text/http.hpp"

#include <gtest/gtest.h>

namespace pmctl::test {
namespace {

TEST(Http, ReadsTheRequestLine) {
  struct Case {
    std::string head;
    std::string method, path, query;
  };
  const std::vector<Case> cases = {
      {"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/metrics", ""},
      {"HEAD /json?pretty=1 HTTP/1.0\r\n\r\n", "HEAD", "/json", "pretty=1"},
      {"GET / HTTP/1.1\n\n", "GET", "/", ""},
      {"POST /api/restart?id=3 HTTP/1.1\r\n", "POST", "/api/restart", "id=3"},
  };
  for (const auto& c : cases) {
    const auto r = core::parse_request_line(c.head);
    ASSERT_TRUE(r) << c.head;
    EXPECT_EQ(r->method, c.method);
    EXPECT_EQ(r->path, c.path);
    EXPECT_EQ(r->query, c.query);
  }
}

TEST(Http, RefusesWhatIsNoRequestLine) {
  for (const std::string head :
       {"", "GET /metrics HTTP/1.1", "GET /metrics\r\n", "GET  HTTP/1.1\r\n", " / HTTP/1.1\r\n",
        "GET metrics HTTP/1.1\r\n", "GET /metrics HTTP/2\r\n", "G(T / HTTP/1.1\r\n",
        "GET /a b HTTP/1.1\r\n", "\r\n\r\n", "SSH-2.0-OpenSSH_9.2\r\n"})
    EXPECT_FALSE(core::parse_request_line(head)) << head;
}

TEST(Http, FindsHeadersCaseInsensitivelyUntilTheBlankLine) {
  const std::string head =
      "GET / HTTP/1.1\r\nHost: 127.0.0.1:9615\r\nX-Token:  abc \r\n\r\nX-Late: no\r\n";
  EXPECT_EQ(core::request_header(head, "host"), "127.0.0.1:9615");
  EXPECT_EQ(core::request_header(head, "X-TOKEN"), "abc");
  EXPECT_FALSE(core::request_header(head, "X-Late"));
  EXPECT_FALSE(core::request_header(head, "Cookie"));
  EXPECT_TRUE(core::request_head_complete(head));
  EXPECT_FALSE(core::request_head_complete("GET / HTTP/1.1\r\nHost: x\r\n"));
}

TEST(Http, WritesACompleteResponseAndHeadWithoutTheBody) {
  EXPECT_EQ(core::http_response(200, "text/plain", "hi"),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\nhi");
  EXPECT_EQ(core::http_response(404, "text/plain", "no", true),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n");
}

TEST(Http, ExtraHeadersGoBeforeConnection) {
  const std::string r =
      core::http_response(303, "text/plain", "x", false, "Location: /\r\nSet-Cookie: a=b\r\n");
  EXPECT_EQ(r,
            "HTTP/1.1 303 See Other\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n"
            "Cache-Control: no-store\r\nLocation: /\r\nSet-Cookie: a=b\r\nConnection: "
            "close\r\n\r\nx");
}

TEST(Http, QueryParametersArePercentDecoded) {
  EXPECT_EQ(core::query_param("id=3&lines=50", "lines"), "50");
  EXPECT_EQ(core::query_param("id=3&lines=50", "id"), "3");
  EXPECT_EQ(core::query_param("token=a%2Fb+c", "token"), "a/b c");
  EXPECT_EQ(core::query_param("x=", "x"), "");
  EXPECT_EQ(core::query_param("xid=3", "id"), std::nullopt);
  EXPECT_EQ(core::query_param("", "id"), std::nullopt);
  for (const char* bad : {"id=%", "id=%2", "id=%zz"})
    EXPECT_EQ(core::query_param(bad, "id"), std::nullopt) << bad;
}

TEST(Http, CookiesAreFoundByName) {
  EXPECT_EQ(core::cookie_value("a=1; pmctl_token=abc; b=2", "pmctl_token"), "abc");
  EXPECT_EQ(core::cookie_value("pmctl_token=abc", "pmctl_token"), "abc");
  EXPECT_EQ(core::cookie_value("xpmctl_token=abc", "pmctl_token"), std::nullopt);
  EXPECT_EQ(core::cookie_value("", "pmctl_token"), std::nullopt);
}

}  // namespace
}  // namespace pmctl::test
