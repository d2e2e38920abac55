#pragma once
// What `pmctl web serve` answers (docs/observability.md, "The web dashboard"): the page and its
// two files, GET /api/apps, GET /api/logs, POST /api/action. Access: a loopback client of root or
// of the manager's user; any other only with the access token (?token= once, then a cookie, or
// Authorization: Bearer).
// Actions: POST with the page's CSRF token in X-Pmctl-Csrf, run as `pmctl <action> <target>`
// (the CLI itself: no second implementation of a verb).

#include <string>

#include "cli/context.hpp"
#include "core/state/web_secrets.hpp"
#include "core/text/http.hpp"

namespace pmctl::cli {

struct WebRequest {
  core::HttpRequest line;
  std::string head;  ///< the whole request head, for its headers
  std::string body;
  /// A loopback client whose socket belongs to root or the manager's user (needs no token).
  bool loopback = false;
};

/// Whether the request may be answered, and how: nullopt to go on, else the answer (401, or
/// the redirect that turns ?token= into a cookie).
std::optional<std::string> web_gate(const WebRequest& r, const core::WebSecrets& secrets);

/// `{"ok": false, "error": error}` with `status` (JSON as every API answer).
std::string error_answer(int status, const std::string& error);

/// The answer to an admitted request; `web_dir` holds index.html, app.js and style.css.
std::string web_answer(Context& ctx, const WebRequest& r, const core::WebSecrets& secrets,
                       const std::string& web_dir);

}  // namespace pmctl::cli
