#include "core/lifecycle/deps.hpp"

#include <filesystem>
#include <thread>

#include "core/cluster/cluster_probes.hpp"

namespace pmctl::core {

Deps::Deps(Registry& registry, Manager& manager, Scope scope, std::function<Tools()> find_tools)
    : registry(registry), manager(manager), scope(scope), find_tools_(std::move(find_tools)) {}

const Tools& Deps::tools() {
  if (!tools_) tools_ = find_tools_();
  return *tools_;
}

std::string Deps::pmctl_binary() {
  std::error_code ec;
  const auto resolved = std::filesystem::canonical(tools().pmctl, ec);
  return ec ? tools().pmctl : resolved.string();
}

bool Deps::port_free(const std::string& address, std::uint16_t port) {
  return tools().port_free ? tools().port_free(address, port) : tcp_port_free(address, port);
}

bool Deps::accepts_within(const std::string& endpoint, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!endpoint_accepts(endpoint, kProbeTimeout)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kProbePause);
  }
  return true;
}

}  // namespace pmctl::core
