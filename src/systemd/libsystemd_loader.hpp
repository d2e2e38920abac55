#pragma once

#include <stdexcept>

namespace pmctl::sd {

/// libsystemd.so.0 cannot be loaded, or lacks a function pmctl calls. Not a core::Error: like a
/// missing shared library it ends the command at once (main prints it), instead of being
/// reported once per app by a command that goes through several.
class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace pmctl::sd
