#pragma once

#include <stdexcept>

namespace pmctl::balancer {

/// A problem with the balancer's input (flags, environment, backend file), reported once by main.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace pmctl::balancer
