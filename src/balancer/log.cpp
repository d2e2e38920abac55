#include "balancer/log.hpp"

#include <cstdarg>
#include <cstdio>

namespace pmctl::balancer {

void log(const char* format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  std::fprintf(stderr, "pmctl-balancer: %s\n", line);
}

}  // namespace pmctl::balancer
