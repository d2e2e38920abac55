#include "core/model/app.hpp"

#include <array>
#include <utility>

#include "core/base/interpreter.hpp"

namespace pmctl::core {
namespace {

template <typename E, std::size_t N>
using Words = std::array<std::pair<E, std::string_view>, N>;

// The words are part of the registry's format and of the ecosystem fields: never rename one.
constexpr Words<Endpoints, 2> kEndpointsWords{{{Endpoints::Tcp, "tcp"}, {Endpoints::Unix, "unix"}}};
constexpr Words<Policy, 2> kPolicyWords{
    {{Policy::RoundRobin, "rr"}, {Policy::LeastConnections, "leastconn"}}};
constexpr Words<LbMode, 2> kLbModeWords{{{LbMode::Proxy, "proxy"}, {LbMode::Shared, "shared"}}};

template <typename E, std::size_t N>
std::string_view word_of(const Words<E, N>& words, E value) {
  for (const auto& [v, word] : words)
    if (v == value) return word;
  return "unknown";  // only a value cast from outside the enum
}

template <typename E, std::size_t N>
std::optional<E> value_of(const Words<E, N>& words, std::string_view text) {
  for (const auto& [v, word] : words)
    if (word == text) return v;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Endpoints e) { return word_of(kEndpointsWords, e); }
std::string_view to_string(Policy p) { return word_of(kPolicyWords, p); }
std::string_view to_string(LbMode m) { return word_of(kLbModeWords, m); }

std::optional<Endpoints> endpoints_from_string(std::string_view text) {
  return value_of(kEndpointsWords, text);
}
std::optional<Policy> policy_from_string(std::string_view text) {
  return value_of(kPolicyWords, text);
}
std::optional<LbMode> lb_mode_from_string(std::string_view text) {
  return value_of(kLbModeWords, text);
}

std::string_view exec_mode_of(const AppDecl& d) {
  const auto& c = d.cluster;
  if (c.balanced()) return "cluster";
  if (!c.enabled || c.fork) return "fork";
  const std::string_view base = program_name(d.interpreter);
  return base.starts_with("node") || base.starts_with("bun") ? "cluster" : "fork";
}

}  // namespace pmctl::core
