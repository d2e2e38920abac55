// pmctl metrics enable|disable|status, and `serve`, which systemd runs once per connection to the
// metrics socket (its stdin and stdout are the connection): one HTTP request, one answer, exit.
// docs/observability.md.
#include <poll.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/metrics_families.hpp"
#include "cli/output.hpp"
#include "cli/pm2_json.hpp"
#include "core/fields/parse.hpp"
#include "core/text/http.hpp"
#include "core/types/error.hpp"

namespace pmctl::cli {
namespace {

/// How long a connection may take to send its request head.
constexpr int kRequestTimeoutMs = 5000;

/// The request head from `fd`: until the blank line, the peer's end, kMaxRequestHead bytes, or
/// the timeout.
std::string read_request_head(int fd) {
  std::string head;
  char buf[2048];
  while (!core::request_head_complete(head) && head.size() <= core::kMaxRequestHead) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, kRequestTimeoutMs) <= 0) break;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    head.append(buf, static_cast<std::size_t>(n));
  }
  return head;
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the peer went away: nothing more to say
    done += static_cast<std::size_t>(n);
  }
}

std::vector<core::AppView> all_views(Context& ctx) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  if (data.apps.empty()) return {};
  return ctx.lifecycle().views(data, data.ids());
}

/// PM2's `pm2 web` JSON where it fits: system_info, monit, processes (jlist's elements; the apps'
/// environments are left out: they hold secrets, and this answers anyone who can connect).
std::string pm2_web_json(Context& ctx) {
  utsname host{};
  uname(&host);
  double uptime = 0;
  std::ifstream("/proc/uptime") >> uptime;
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  const long pages = sysconf(_SC_PHYS_PAGES), avail = sysconf(_SC_AVPHYS_PAGES),
             page = sysconf(_SC_PAGESIZE);
  nlohmann::json processes = nlohmann::json::array();
  const std::string user = app_user(&ctx);
  for (const auto& v : all_views(ctx)) processes.push_back(pm2_process_json(v, user));
  const nlohmann::json out = {{"system_info", {{"hostname", host.nodename}, {"uptime", uptime}}},
                              {"monit",
                               {{"loadavg", {load[0], load[1], load[2]}},
                                {"total_mem", static_cast<double>(pages) * page},
                                {"free_mem", static_cast<double>(avail) * page}}},
                              {"processes", processes}};
  return out.dump() + "\n";
}

std::string answer(Context& ctx, const std::string& head) {
  const auto request = core::parse_request_line(head);
  if (!request) return core::http_response(400, "text/plain", "bad request\n");
  const bool head_only = request->method == "HEAD";
  if (request->method != "GET" && !head_only)
    return core::http_response(405, "text/plain", "only GET and HEAD\n");
  try {
    if (request->path == "/metrics")
      return core::http_response(200, core::kExpositionContentType,
                                 core::render_exposition(metrics_families(all_views(ctx))),
                                 head_only);
    if (request->path == "/json")
      return core::http_response(200, "application/json", pm2_web_json(ctx), head_only);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pmctl metrics: %s\n", e.what());
    return core::http_response(500, "text/plain", std::string(e.what()) + "\n", head_only);
  }
  return core::http_response(404, "text/plain", "not found: try /metrics or /json\n", head_only);
}

struct EnableOptions {
  std::string address = "127.0.0.1";
  std::string port = std::to_string(core::kMetricsPort);
};

core::EndpointSettings settings_of(const EnableOptions& o) {
  const auto port = core::parse_count(o.port, "--port");
  if (port == 0 || port > 65535)
    throw core::Error("--port: " + o.port + " is not a port", "pass 1-65535");
  core::EndpointSettings s{o.address, static_cast<std::uint16_t>(port)};
  core::listen_stream(s);  // refuses a bad address before anything changes
  return s;
}

void print_status(Context& ctx) {
  const auto status = ctx.lifecycle().metrics_status();
  const std::string user = ctx.scope() == core::Scope::User ? " --user" : "";
  if (!status.installed) {
    std::cout << "metrics: not enabled ('pmctl" << user << " metrics enable' turns it on)\n";
    return;
  }
  std::cout << "metrics: http://" << status.listen << "/metrics (and /json), socket "
            << core::kMetricsSocket << " " << status.state << "\n"
            << "units: " << status.unit_dir << "/{" << core::kMetricsSocket << ","
            << core::kMetricsService << "}\n";
}

}  // namespace

void register_metrics(CLI::App& app, Context& ctx) {
  CLI::App* metrics = app.add_subcommand(
      "metrics", "A Prometheus endpoint, socket-activated: nothing runs between scrapes");
  metrics->require_subcommand(1);
  auto o = std::make_shared<EnableOptions>();
  CLI::App* enable = metrics->add_subcommand(
      "enable", "Install and start the endpoint (GET /metrics, GET /json), loopback by default");
  enable->add_option("--port", o->port, "Port (default 9616)");
  enable->add_option("--address", o->address, "Address to listen on (default 127.0.0.1)");
  enable->callback([o, &ctx] {
    const auto settings = settings_of(*o);
    const std::string listen = ctx.lifecycle().enable_metrics(settings);
    say("metrics endpoint on http://" + listen + "/metrics (socket " +
        std::string(core::kMetricsSocket) + ", enabled at boot)");
    if (!core::is_loopback(settings.address))
      warn("the endpoint answers anyone who can reach " + listen +
           ": the apps' names, status and figures (no environments); firewall it as you "
           "would a Prometheus exporter");
  });
  metrics->add_subcommand("disable", "Stop and remove the endpoint")->callback([&ctx] {
    say(ctx.lifecycle().disable_metrics() ? "metrics endpoint removed"
                                          : "metrics endpoint was not enabled: nothing to do");
  });
  metrics->add_subcommand("status", "Where the endpoint listens, and its socket's state")
      ->callback([&ctx] { print_status(ctx); });
  CLI::App* serve = metrics->add_subcommand(
      "serve", "Answer one HTTP request on stdin/stdout (what the socket's service runs)");
  serve->group("");  // not for people
  serve->callback(
      [&ctx] { write_all(STDOUT_FILENO, answer(ctx, read_request_head(STDIN_FILENO))); });
}

}  // namespace pmctl::cli
