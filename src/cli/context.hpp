#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/lifecycle/lifecycle.hpp"
#include "core/state/registry.hpp"
#include "core/types/manager.hpp"
#include "core/types/scope.hpp"

namespace pmctl::cli {

struct GlobalOptions {
  bool user = false;
  bool system = false;
  bool no_color = false;
};

/// What every command shares: the global options, the words after `--`, and the registry,
/// manager connection and lifecycle, each made on first use (so `pmctl --help` touches nothing).
class Context {
 public:
  GlobalOptions options;
  std::vector<std::string> script_args;  ///< Everything after a bare `--`.
  bool script_args_given = false;

  core::Scope scope() const;
  core::Registry& registry();
  core::Manager& manager();
  core::Lifecycle& lifecycle();
  std::string cwd() const;

 private:
  std::unique_ptr<core::Registry> registry_;
  std::unique_ptr<core::Manager> manager_;
  std::unique_ptr<core::Lifecycle> lifecycle_;
};

}  // namespace pmctl::cli
