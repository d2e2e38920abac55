// pmctl web enable|disable|status, and `serve`, which systemd runs once per connection to the
// dashboard's socket (its stdin and stdout are the connection). docs/observability.md.
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/endpoint_verbs.hpp"
#include "cli/http_io.hpp"
#include "cli/web_api.hpp"
#include "core/types/error.hpp"
#include "pmctl_config.hpp"

namespace pmctl::cli {
namespace {

constexpr std::size_t kMaxBody = 4096;

/// A client on this host whose socket belongs to root or to the manager's own user: every other
/// one, local users included, shows the access token.
bool trusted_local(int fd) {
  if (!core::is_loopback(peer_address(fd))) return false;
  const auto owner = peer_owner(fd);
  return owner && (*owner == 0 || *owner == geteuid());
}

std::string answer(Context& ctx, int fd) {
  WebRequest r;
  r.head = read_request_head(fd);
  const auto line = core::parse_request_line(r.head);
  if (!line) return core::http_response(400, "text/plain", "bad request\n");
  r.line = *line;
  r.loopback = trusted_local(fd);
  const auto secrets = core::load_web_secrets(ctx.registry().dir());
  if (!secrets)
    return core::http_response(503, "text/plain",
                               "the dashboard's secrets are missing: run 'pmctl web enable'\n");
  if (auto refused = web_gate(r, *secrets)) return *refused;
  if (r.line.method == "POST") {
    const auto body = read_request_body(fd, r.head, kMaxBody);
    if (!body) return core::http_response(413, "text/plain", "body too large or incomplete\n");
    r.body = *body;
  }
  try {
    return web_answer(ctx, r, *secrets, beside_pmctl("web", PMCTL_DATADIR, R_OK));
  } catch (const core::Error& e) {
    return error_answer(404, e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pmctl web: %s\n", e.what());
    return error_answer(500, e.what());
  }
}

}  // namespace

void register_web(CLI::App& app, Context& ctx) {
  CLI::App* web =
      app.add_subcommand("web", "A web dashboard, socket-activated: nothing runs between requests");
  web->require_subcommand(1);
  add_endpoint_verbs(web, ctx, core::EndpointKind::Web);
  CLI::App* serve = web->add_subcommand(
      "serve", "Answer one HTTP request on stdin/stdout (what the socket's service runs)");
  serve->group("");  // not for people
  serve->callback([&ctx] { write_all(STDOUT_FILENO, answer(ctx, STDIN_FILENO)); });
}

}  // namespace pmctl::cli
