#pragma once

#include <stdexcept>
#include <string>

namespace pmctl::core {

/// A user-facing failure: one line of what is wrong, one hint of what to do. The CLI prints it
/// as `pmctl: error: <what>` followed by `hint: <hint>` and exits with `exit_code`.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what, std::string hint = {}, int exit_code = 1)
      : std::runtime_error(what), hint_(std::move(hint)), exit_code_(exit_code) {}
  const std::string& hint() const { return hint_; }
  int exit_code() const { return exit_code_; }

 private:
  std::string hint_;
  int exit_code_;
};

}  // namespace pmctl::core
