#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "balancer/policy.hpp"

namespace pmctl::balancer {

struct Options {
  std::string backends_file;
  PolicyKind policy = PolicyKind::kRoundRobin;
  unsigned max_connections = 1024;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds stop_timeout{30000};
  std::chrono::milliseconds down_for{1000};  ///< How long a refusing backend is skipped.
  bool help = false;
};

/// Parses the command line (without argv[0]); throws Error naming the bad flag.
Options parse_options(const std::vector<std::string>& args);

/// The --help text.
const char* usage_text();

}  // namespace pmctl::balancer
