#pragma once
// The little HTTP/1.x that pmctl's socket-activated endpoints speak (one request per connection,
// then close): the request line of a request head, and a complete response. Pure, so that every
// odd request is a table test; the reading and writing are the handler's.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pmctl::core {

/// The most of a request head an endpoint reads; a longer one is refused (431).
inline constexpr std::size_t kMaxRequestHead = 8192;

struct HttpRequest {
  std::string method;  ///< "GET", "HEAD", "POST", ...
  std::string path;    ///< without the query string, e.g. "/metrics"
  std::string query;   ///< after '?', may be empty
};

/// The request line of `head` (the bytes up to and including the blank line, or what came before
/// the peer stopped): "METHOD SP TARGET SP HTTP/1.x". nullopt when it is not one (a 400).
std::optional<HttpRequest> parse_request_line(std::string_view head);

/// Whether `head` holds a complete request head (it ends with an empty line).
bool request_head_complete(std::string_view head);

/// The value of header `name` (case-insensitive) in `head`, trimmed; nullopt when absent.
std::optional<std::string> request_header(std::string_view head, std::string_view name);

/// "HTTP/1.1 <status> <reason>", Content-Type, Content-Length, Connection: close, a blank line,
/// then `body` unless `head_only` (a HEAD request: the same headers, no body). `extra_headers`
/// are whole lines ("Name: value\r\n" each), put before Connection.
std::string http_response(int status, std::string_view content_type, std::string_view body,
                          bool head_only = false, std::string_view extra_headers = {});

/// The value of `name` in a query string ("a=1&b=two"), percent- and plus-decoded; nullopt when
/// absent or badly encoded.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

/// The value of cookie `name` in a Cookie header's value ("a=1; b=2"); nullopt when absent.
std::optional<std::string> cookie_value(std::string_view cookies, std::string_view name);

}  // namespace pmctl::core
