#include "cli/endpoint_verbs.hpp"

#include <memory>

#include "cli/output.hpp"
#include "core/fields/parse.hpp"
#include "core/state/web_secrets.hpp"
#include "core/types/error.hpp"

namespace pmctl::cli {
namespace {

using core::EndpointKind;

struct EnableOptions {
  std::string address = "127.0.0.1";
  std::string port;
  std::string idle = std::to_string(core::kMetricsIdleSeconds);
};

core::EndpointSettings settings_of(const EnableOptions& o) {
  const auto port = core::parse_count(o.port, "--port");
  if (port == 0 || port > 65535)
    throw core::Error("--port: " + o.port + " is not a port", "pass 1-65535");
  const auto idle = core::parse_count(o.idle, "--idle-timeout");
  if (idle == 0 || idle > 86400)
    throw core::Error("--idle-timeout: " + o.idle + " is out of range", "pass 1-86400 (seconds)");
  core::EndpointSettings s{o.address, static_cast<std::uint16_t>(port),
                           static_cast<std::uint32_t>(idle)};
  core::listen_stream(s);  // refuses a bad address before anything changes
  return s;
}

/// What the endpoint answers at `listen` (e.g. "127.0.0.1:9616").
std::string url_of(EndpointKind kind, const std::string& listen) {
  return "http://" + listen + (kind == EndpointKind::Metrics ? "/metrics" : "/");
}

void print_enabled(Context& ctx, EndpointKind kind, const core::EndpointSettings& settings,
                   const core::EndpointEnabled& done) {
  const auto& names = core::endpoint_names(kind);
  say(std::string(kind == EndpointKind::Metrics ? "metrics endpoint" : "web dashboard") + " on " +
      url_of(kind, done.listen) + " (socket " + names.socket + ", enabled at boot)");
  if (kind == EndpointKind::Web && core::is_loopback(settings.address)) {
    say("other users of this host need its access token: " +
        core::web_token_file(ctx.registry().dir()).string() + " (0600)");
    return;
  }
  if (core::is_loopback(settings.address)) return;
  if (kind == EndpointKind::Metrics) {
    warn("the endpoint answers anyone who can reach " + done.listen +
         ": the apps' names, status and figures (no environments); firewall it as you "
         "would a Prometheus exporter");
    return;
  }
  say("access token (needed from any address but loopback): " + done.token);
  say("open " + url_of(kind, done.listen) + "?token=" + done.token + " once; the browser keeps it");
  say("stored 0600 in " + core::web_token_file(ctx.registry().dir()).string() +
      "; 'pmctl web enable' again makes a new one");
  warn("the dashboard starts, stops and restarts apps: prefer loopback and an ssh tunnel");
}

void print_status(Context& ctx, EndpointKind kind) {
  const auto& names = core::endpoint_names(kind);
  const auto status = ctx.lifecycle().endpoint_status(kind);
  const std::string user = ctx.scope() == core::Scope::User ? " --user" : "";
  if (!status.installed) {
    std::cout << names.verb << ": not enabled ('pmctl" << user << " " << names.verb
              << " enable' turns it on)\n";
    return;
  }
  std::cout << names.verb << ": " << url_of(kind, status.listen)
            << (kind == EndpointKind::Metrics ? " (and /json)" : "") << ", socket " << names.socket
            << " " << status.state << "\n"
            << (kind == EndpointKind::Metrics
                    ? "handler: " + std::string(names.service) + " " + status.handler_state + "\n"
                    : "")
            << "units: " << status.unit_dir << "/{" << names.socket << "," << names.service
            << "}\n";
}

}  // namespace

std::vector<core::AppView> all_views(Context& ctx) {
  const auto data = ctx.registry().load(core::Registry::Environments::Skip);
  if (data.apps.empty()) return {};
  return ctx.lifecycle().views(data, data.ids());
}

void add_endpoint_verbs(CLI::App* parent, Context& ctx, EndpointKind kind) {
  const auto& names = core::endpoint_names(kind);
  auto o = std::make_shared<EnableOptions>();
  o->port = std::to_string(names.port);
  CLI::App* enable = parent->add_subcommand(
      "enable",
      kind == EndpointKind::Metrics
          ? "Install and start the endpoint (GET /metrics, GET /json), loopback by default"
          : "Install and start the dashboard, loopback by default");
  enable->add_option("--port", o->port, "Port (default " + std::to_string(names.port) + ")");
  enable->add_option("--address", o->address, "Address to listen on (default 127.0.0.1)");
  if (kind == EndpointKind::Metrics)
    enable->add_option(
        "--idle-timeout", o->idle,
        "Seconds the handler waits for the next scrape before it exits (default " + o->idle + ")");
  enable->callback([o, &ctx, kind] {
    const auto settings = settings_of(*o);
    ctx.begin_transaction(std::string("pmctl ") + core::endpoint_names(kind).verb + " enable");
    print_enabled(ctx, kind, settings, ctx.lifecycle().enable_endpoint(kind, settings));
  });
  const std::string what = kind == EndpointKind::Metrics ? "metrics endpoint" : "web dashboard";
  parent->add_subcommand("disable", "Stop and remove the " + what)->callback([&ctx, kind, what] {
    ctx.begin_transaction(std::string("pmctl ") + core::endpoint_names(kind).verb + " disable");
    say(ctx.lifecycle().disable_endpoint(kind) ? what + " removed"
                                               : what + " was not enabled: nothing to do");
  });
  parent->add_subcommand("status", "Where the " + what + " listens, and its socket's state")
      ->callback([&ctx, kind] { print_status(ctx, kind); });
}

}  // namespace pmctl::cli
