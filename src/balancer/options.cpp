#include "balancer/options.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "balancer/error.hpp"

namespace pmctl::balancer {
namespace {

unsigned parse_count(const std::string& flag, const std::string& text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0)
    throw Error(flag + " '" + text + "': expected a positive whole number");
  return value;
}

std::chrono::milliseconds parse_seconds(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(seconds) || seconds < 0 || seconds > 86400)
    throw Error(flag + " '" + text + "': expected seconds, e.g. 2 or 0.5");
  return std::chrono::milliseconds(std::llround(seconds * 1000));
}

void set_option(Options& o, const std::string& flag, const std::string& value) {
  if (flag == "--backends")
    o.backends_file = value;
  else if (flag == "--policy")
    o.policy = parse_policy(value);
  else if (flag == "--max-connections")
    o.max_connections = parse_count(flag, value);
  else if (flag == "--connect-timeout")
    o.connect_timeout = parse_seconds(flag, value);
  else if (flag == "--stop-timeout")
    o.stop_timeout = parse_seconds(flag, value);
  else if (flag == "--down-time")
    o.down_for = parse_seconds(flag, value);
  else
    throw Error("unknown option '" + flag + "' (see --help)");
}

}  // namespace

Options parse_options(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i], value;
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      return o;
    }
    if (auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    } else if (flag.starts_with("--") && i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw Error(flag.starts_with("--") ? flag + " needs a value"
                                         : "unexpected argument '" + flag + "'");
    }
    set_option(o, flag, value);
  }
  if (o.backends_file.empty()) throw Error("--backends FILE is required");
  return o;
}

const char* usage_text() {
  return "usage: pmctl-balancer --backends FILE [--policy rr|leastconn] [--max-connections N]\n"
         "                      [--connect-timeout SEC] [--stop-timeout SEC] [--down-time SEC]\n"
         "Spreads the connections of the sockets systemd passes (LISTEN_FDS) over the backends\n"
         "listed in FILE (one per line: tcp:HOST:PORT or unix:/PATH, optionally 'drain').\n"
         "SIGHUP re-reads FILE; SIGTERM stops accepting and lets open connections finish.\n";
}

}  // namespace pmctl::balancer
