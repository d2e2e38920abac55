// pmctl metrics enable|disable|status, and `serve`, which systemd starts on the first connection to
// the metrics socket and hands the listening socket: it answers each connection with the data of
// that moment (a fresh registry read and manager connection per request) and exits after its idle
// timeout. Run by hand, it answers one request on stdin/stdout. docs/observability.md.
#include <malloc.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>

#include "cli/commands.hpp"
#include "cli/endpoint_verbs.hpp"
#include "cli/http_io.hpp"
#include "cli/metrics_families.hpp"
#include "cli/output.hpp"
#include "cli/pm2_json.hpp"
#include "core/text/http.hpp"
#include "core/types/error.hpp"

namespace pmctl::cli {
namespace {

std::vector<core::MetricFamily> all_families(Context& ctx) {
  const auto views = all_views(ctx);
  auto families = metrics_families(views);
  std::vector<BalancerSample> balancers;
  std::set<std::string> asked;  // one per app: its instances need not have adjacent ids
  for (const auto& v : views) {
    const auto& decl = v.record.decl;
    if (!decl.cluster.balanced() || decl.cluster.shared()) continue;
    if (!asked.insert(decl.name).second) continue;
    if (auto counters = ctx.lifecycle().balancer_counters(decl.name))
      balancers.push_back({decl.name, decl.ns, *counters});
  }
  for (auto& f : balancer_families(balancers)) families.push_back(std::move(f));
  return families;
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
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
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
                                 core::render_exposition(all_families(ctx)), head_only);
    if (request->path == "/json")
      return core::http_response(200, "application/json", pm2_web_json(ctx), head_only);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pmctl metrics: %s\n", e.what());
    return core::http_response(500, "text/plain", std::string(e.what()) + "\n", head_only);
  }
  return core::http_response(404, "text/plain", "not found: try /metrics or /json\n", head_only);
}

/// One connection, with a context of its own: nothing of one scrape is kept for the next.
void answer_connection(const GlobalOptions& options, int in, int out) {
  Context fresh;
  fresh.options = options;
  write_all(out, answer(fresh, read_request_head(in)));
}

void serve(const GlobalOptions& options, unsigned idle_seconds) {
  const int listener = listening_socket_from_manager();
  if (listener < 0) return answer_connection(options, STDIN_FILENO, STDOUT_FILENO);
  serve_until_idle(listener, idle_seconds, [&](int conn) {
    try {
      answer_connection(options, conn, conn);
    } catch (const std::exception& e) {  // this connection's trouble; the next may fare better
      std::fprintf(stderr, "pmctl metrics: %s\n", e.what());
    }
    malloc_trim(0);  // hand the answer's memory back while waiting for the next scrape
  });
}

}  // namespace

void register_metrics(CLI::App& app, Context& ctx) {
  CLI::App* metrics = app.add_subcommand(
      "metrics", "A Prometheus endpoint, socket-activated: nothing runs between scrapes");
  metrics->require_subcommand(1);
  add_endpoint_verbs(metrics, ctx, core::EndpointKind::Metrics);
  CLI::App* serve_cmd = metrics->add_subcommand(
      "serve",
      "Answer connections on the socket systemd passes until idle (what the socket's service "
      "runs), or one HTTP request on stdin/stdout");
  serve_cmd->group("");  // not for people
  auto idle = std::make_shared<unsigned>(core::kMetricsIdleSeconds);
  serve_cmd->add_option("--idle-timeout", *idle, "Seconds without a connection before it exits")
      ->check(CLI::Range(1u, 86400u));
  serve_cmd->callback([&ctx, idle] { serve(ctx.options, *idle); });
}

}  // namespace pmctl::cli
