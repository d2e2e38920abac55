#include "cli/web_api.hpp"

#include <sys/utsname.h>

#include <nlohmann/json.hpp>

#include "cli/endpoint_verbs.hpp"
#include "cli/logs_lines.hpp"
#include "cli/logs_selection.hpp"
#include "core/base/files.hpp"
#include "core/base/spawn.hpp"
#include "core/fields/parse.hpp"
#include "core/types/error.hpp"
#include "pmctl_config.hpp"

namespace pmctl::cli {
namespace {

using nlohmann::json;

constexpr const char* kTokenCookie = "pmctl_token";
constexpr std::size_t kMaxLogLines = 500;
/// The page may load only its own files and talk only to its own origin; no framing.
constexpr const char* kPageHeaders =
    "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'\r\nX-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n";

std::string json_answer(int status, const json& body) {
  // An app's output need not be UTF-8: bad bytes become U+FFFD rather than a failed answer.
  const std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  return core::http_response(status, "application/json", text, false,
                             "X-Content-Type-Options: nosniff\r\n");
}

}  // namespace

std::string error_answer(int status, const std::string& error) {
  return json_answer(status, {{"ok", false}, {"error", error}});
}

namespace {

std::string file_answer(const std::string& path, const std::string& type,
                        const std::string& csrf = "") {
  auto text = core::read_file_if_any(path);
  if (!text) return error_answer(500, "the dashboard's file " + path + " is missing");
  if (!csrf.empty())
    for (auto at = text->find("{{CSRF}}"); at != std::string::npos; at = text->find("{{CSRF}}"))
      text->replace(at, 8, csrf);
  return core::http_response(200, type, *text, false, kPageHeaders);
}

std::string mode_of(const core::AppDecl& decl) {
  if (decl.cluster.balanced()) return "cluster";
  return decl.cluster.enabled ? "pool" : "fork";
}

json app_json(const core::AppView& v) {
  return {{"id", v.record.id},
          {"name", v.record.decl.name},
          {"namespace", v.record.decl.ns},
          {"mode", mode_of(v.record.decl)},
          {"status", core::status_word(v)},
          {"pid", v.status == core::Status::Online ? v.state.main_pid : 0},
          {"cpu_seconds", static_cast<double>(v.cpu_usec) / 1e6},
          {"memory", v.memory_bytes},
          {"restarts", v.restarts},
          {"uptime_ms", v.uptime_ms},
          {"unit", v.unit}};
}

std::string apps_answer(Context& ctx) {
  utsname host{};
  uname(&host);
  json apps = json::array();
  for (const auto& v : all_views(ctx)) apps.push_back(app_json(v));
  return json_answer(200, {{"host", host.nodename},
                           {"version", std::string("pmctl ") + PMCTL_VERSION},
                           {"apps", apps}});
}

std::string logs_answer(Context& ctx, const std::string& query) {
  const auto id_text = core::query_param(query, "id");
  const auto lines_text = core::query_param(query, "lines").value_or("50");
  std::size_t lines = 0;
  int id = 0;
  try {
    if (!id_text) throw core::Error("id is required");
    id = static_cast<int>(core::parse_count(*id_text, "id"));
    lines = std::min<std::size_t>(core::parse_count(lines_text, "lines"), kMaxLogLines);
  } catch (const core::Error& e) {
    return error_answer(400, e.what());
  }
  LogSelectionOptions options;
  options.target = std::to_string(id);
  LogSelection sel(ctx, options);  // core::Error (404) when no such id
  sd::Journal journal(ctx.scope());
  Joiner joiner(false);
  json out = json::array();
  const auto add = [&](const sd::LogLine& l) {
    out.push_back({{"time_ms", l.realtime_usec / 1000},
                   {"stream", l.priority <= 3 ? "err" : "out"},
                   {"text", l.message}});
  };
  if (!sel.empty() && lines > 0)
    for (const auto& piece : journal.tail(sel.query(), lines))
      if (auto whole = joiner.add(piece)) add(*whole);
  for (const auto& open : joiner.take_open()) add(open);
  // The journal gives `lines` of each stream (PM2's --lines); the page asks for the last ones.
  if (out.size() > lines) out.erase(out.begin(), out.end() - static_cast<long>(lines));
  return json_answer(200, {{"id", id}, {"lines", out}});
}

bool known_action(const std::string& a) {
  return a == "start" || a == "stop" || a == "restart" || a == "reload";
}

/// The last non-empty line of a command's output, without pmctl's prefix.
std::string last_line(const std::string& output) {
  std::string line;
  std::size_t pos = 0;
  while (pos < output.size()) {
    const std::size_t end = std::min(output.find('\n', pos), output.size());
    if (end > pos) line = output.substr(pos, end - pos);
    pos = end + 1;
  }
  return line;
}

std::string action_answer(Context& ctx, const WebRequest& r, const core::WebSecrets& secrets) {
  const auto csrf = core::request_header(r.head, "X-Pmctl-Csrf");
  if (!csrf || !core::same_secret(secrets.csrf, *csrf))
    return error_answer(403, "missing or wrong CSRF token: reload the page");
  json body;
  try {
    body = json::parse(r.body);
  } catch (const json::exception&) {
    return error_answer(400, "the body is not JSON");
  }
  const std::string action = body.value("action", "");
  const std::string target = body.contains("target") && body["target"].is_string()
                                 ? body["target"].get<std::string>()
                                 : "";
  if (!known_action(action))
    return error_answer(400, "action must be start, stop, restart or reload");
  if (target.empty() || target.size() > 256 || target.front() == '-' ||
      target.find_first_of("\n\r") != std::string::npos)
    return error_answer(400, "target must be an app name or id");
  const core::Captured run = core::run_and_capture(
      core::pmctl_action_argv("/proc/self/exe", ctx.scope() == core::Scope::User, action, target));
  if (run.status != 0)
    return error_answer(run.status < 0 ? 500 : 409,
                        run.output.empty() ? action + " failed" : last_line(run.output));
  return json_answer(200, {{"ok", true}, {"message", action + " " + target + ": done"}});
}

}  // namespace

std::optional<std::string> web_gate(const WebRequest& r, const core::WebSecrets& secrets) {
  if (r.loopback) return std::nullopt;
  const auto cookie =
      core::cookie_value(core::request_header(r.head, "Cookie").value_or(""), kTokenCookie);
  if (cookie && core::same_secret(secrets.token, *cookie)) return std::nullopt;
  const auto bearer = core::request_header(r.head, "Authorization").value_or("");
  if (bearer.starts_with("Bearer ") && core::same_secret(secrets.token, bearer.substr(7)))
    return std::nullopt;
  const auto given = core::query_param(r.line.query, "token");
  if (r.line.method == "GET" && r.line.path == "/" && given &&
      core::same_secret(secrets.token, *given))
    return core::http_response(303, "text/plain", "see /\n", false,
                               std::string("Location: /\r\nSet-Cookie: ") + kTokenCookie + "=" +
                                   *given + "; Path=/; HttpOnly; SameSite=Strict\r\n");
  const std::string why =
      "this dashboard needs its access token from this address and user: open "
      "/?token=<the token 'pmctl web enable' printed, or that root can read in " +
      core::web_token_file("<state>").string() + ">";
  if (r.line.path == "/")  // a browser: a page it shows
    return core::http_response(401, "text/html; charset=utf-8",
                               "<!doctype html><title>pmctl</title><p>" + why + "</p>\n", false,
                               kPageHeaders);
  return error_answer(401, why);
}

std::string web_answer(Context& ctx, const WebRequest& r, const core::WebSecrets& secrets,
                       const std::string& web_dir) {
  const auto& m = r.line.method;
  const auto& path = r.line.path;
  if (path == "/api/action") {
    if (m != "POST") return error_answer(405, "POST only");
    return action_answer(ctx, r, secrets);
  }
  if (m != "GET") return error_answer(405, "GET only (POST /api/action)");
  if (path == "/")
    return file_answer(web_dir + "/index.html", "text/html; charset=utf-8", secrets.csrf);
  if (path == "/app.js") return file_answer(web_dir + "/app.js", "text/javascript; charset=utf-8");
  if (path == "/style.css") return file_answer(web_dir + "/style.css", "text/css; charset=utf-8");
  if (path == "/api/apps") return apps_answer(ctx);
  if (path == "/api/logs") return logs_answer(ctx, r.line.query);
  return error_answer(404, "not found");
}

}  // namespace pmctl::cli
