// PM2's zero-downtime reload of a cluster instance: the replacement starts beside the old one
// (the instance's other unit name, a new private endpoint), joins the balancer once ready, the
// old one is drained, then stopped. The pm_id stays; the registry says which unit is current.
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "core/base/files.hpp"
#include "core/cluster/cluster.hpp"
#include "core/cluster/cluster_probes.hpp"
#include "core/types/error.hpp"
#include "core/lifecycle/lifecycle.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::core {
namespace {

/// How long the balancer gets to read its backend file after SIGHUP before an instance it
/// should no longer use goes down.
constexpr std::chrono::milliseconds kBalancerSettle{300};

bool is_up(Status s) {
  return s == Status::Online || s == Status::Launching || s == Status::WaitingRestart;
}

bool accepts_within(const std::string& endpoint, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!endpoint_accepts(endpoint, std::chrono::milliseconds(200))) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    usleep(50 * 1000);
  }
  return true;
}

std::string instance_text(const AppRecord& rec) {
  return "instance " + std::to_string(rec.instance) + " of '" + rec.decl.name + "' (id " + std::to_string(rec.id) + ")";
}

}  // namespace

bool HeldLocks::holds(const std::string& key) const {
  for (const auto& held : fds_)
    if (held.first == key) return true;
  return false;
}

void HeldLocks::add(const std::string& key, UniqueFd fd) { fds_.emplace_back(key, std::move(fd)); }

// Held until this process ends, so a reload of every instance is one reload for other pmctl.
void Lifecycle::lock_reload(const std::string& name) {
  const std::string path = reload_lock_path(tools().runtime_dir, name);
  if (reload_locks_.holds(path)) return;
  std::error_code ec;
  std::filesystem::create_directories(cluster_dir(tools().runtime_dir, name), ec);
  UniqueFd fd = try_lock_file(path);
  if (fd.get() < 0)
    throw Error("a reload of '" + name + "' is already running",
                "wait for it to finish ('" + path + "' is locked while it runs)");
  reload_locks_.add(path, std::move(fd));
}

std::vector<AppRecord> Lifecycle::replacements_of(const std::vector<AppRecord>& recs) {
  std::vector<AppRecord> next = recs;
  for (auto& n : next) n.slot = n.slot == 1 ? 0 : 1;
  if (recs.front().decl.cluster.shared()) return next;  // no endpoints: they share the socket
  if (recs.front().decl.cluster.endpoints == "unix") {
    for (auto& n : next)
      n.endpoint = unix_endpoint(cluster_dir(tools().runtime_dir, n.decl.name), n.id, n.slot);
    return next;
  }
  std::vector<std::string> endpoints;
  for (const auto& app : registry_.load(Registry::Environments::Skip).apps) endpoints.push_back(app.endpoint);
  const auto ports = allocate_ports(static_cast<int>(next.size()), ports_taken(endpoints),
                                    [this](std::uint16_t p) { return port_free("127.0.0.1", p); });
  for (std::size_t i = 0; i < next.size(); ++i) next[i].endpoint = tcp_endpoint(ports.at(i));
  return next;
}

// All replacements start, then each must get ready: with two at a time the waits overlap.
// wait_ready: the start job ends at READY=1 (Type=notify, bounded by listen_timeout); otherwise
// a replacement is ready once its endpoint accepts a connection.
void Lifecycle::start_replacements(const std::vector<AppRecord>& recs, const std::vector<AppRecord>& next) {
  std::string why;
  std::size_t at = 0;
  try {
    for (at = 0; at < next.size(); ++at) {
      // Left running by a reload that was killed half-way: it is not current, so it goes.
      if (live(next[at]).loaded) stop_unit(unit_of(next[at]));
      launch(next[at]);
    }
    for (at = 0; at < next.size() && why.empty(); ++at)
      if (!wait_ready(next[at]))
        why = recs[at].decl.cluster.shared()
                  ? std::string("stopped right after it started")
                  : "did not accept a connection within " + std::to_string(recs[at].decl.listen_timeout_ms) + " ms";
    if (!why.empty()) --at;
  } catch (const std::exception& e) {
    why = std::string("did not start (") + e.what() + ")";
  }
  if (why.empty()) return;
  for (std::size_t i = 0; i < next.size(); ++i) {
    try {
      stop_unit(unit_of(next[i]));
      if (next[i].decl.cluster.shared()) uninstall_unit(unit_of(next[i]));
      write_env(recs[i]);  // the old instance's PORT again, should it restart on its own
    } catch (const std::exception&) {
    }
  }
  throw Error("reload of " + instance_text(recs[at]) + " aborted: its replacement " + why + "; the old instance" +
                  (recs.size() > 1 ? "s keep" : " keeps") + " serving",
              "'pmctl logs " + recs[at].decl.name + "' says why");
}

// wait_ready: launch returned at READY=1 (Type=notify, bounded by listen_timeout); otherwise
// ready once the endpoint accepts a connection within listen_timeout.
bool Lifecycle::wait_ready(const AppRecord& rec) {
  if (rec.decl.cluster.shared()) return shared_ready(rec);
  if (rec.decl.wait_ready) return true;
  const std::chrono::milliseconds wait(rec.decl.listen_timeout_ms);
  return tools().endpoint_ready ? tools().endpoint_ready(rec.endpoint, wait) : accepts_within(rec.endpoint, wait);
}

void Lifecycle::switch_to(const std::vector<AppRecord>& recs, const std::vector<AppRecord>& next) {
  const std::string name = recs.front().decl.name;
  std::vector<std::uint32_t> automatic;
  std::vector<std::string> drained;
  for (const auto& rec : recs) {
    automatic.push_back(automatic_restarts(live(rec), rec.decl.restart));
    drained.push_back(rec.endpoint + " drain");
  }
  registry_.update([&](RegistryData& d) {
    for (std::size_t i = 0; i < recs.size(); ++i) {
      AppRecord* r = d.find(recs[i].id);
      if (!r) continue;
      r->endpoint = next[i].endpoint;
      r->slot = next[i].slot;
      // PM2 counts a reload as a restart; the old unit's automatic restarts are kept too.
      r->restarts += automatic[i] + 1;
    }
  });
  if (recs.front().decl.cluster.shared()) {
    // The old instance stops accepting once it closes its server on SIGINT; what it has not
    // accepted stays in the socket's queue for the others.
    for (const auto& rec : recs) {
      stop_unit(unit_of(rec));
      uninstall_unit(unit_of(rec));
    }
    return;
  }
  write_backends(registry_.load(Registry::Environments::Skip), name, drained);
  signal_balancer(name);
  usleep(static_cast<useconds_t>(kBalancerSettle.count()) * 1000);
  for (const auto& rec : recs) stop_unit(unit_of(rec));  // SIGINT, then SIGKILL after kill_timeout
  write_backends(registry_.load(Registry::Environments::Skip), name);
  signal_balancer(name);
}

void Lifecycle::reload(int id) { reload(std::vector<int>{id}); }

void Lifecycle::reload(const std::vector<int>& ids) {
  std::vector<AppRecord> up;
  for (int id : ids) {
    const AppRecord rec = record(id);
    if (!rec.decl.cluster.enabled) {
      restart(id);
      continue;
    }
    lock_reload(rec.decl.name);
    if (!is_up(status_of(live(rec), rec.decl.restart)))
      start(id);
    else
      up.push_back(rec);
  }
  if (up.empty()) return;
  for (const auto& rec : up)
    if (rec.decl.name != up.front().decl.name)
      throw Error("internal: one reload batch spans two apps", "reload them one by one");
  ensure_balancer(up.front());
  const std::vector<AppRecord> next = replacements_of(up);
  start_replacements(up, next);
  switch_to(up, next);
}

}  // namespace pmctl::core
