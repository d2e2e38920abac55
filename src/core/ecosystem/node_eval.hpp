#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/types/manager.hpp"

namespace pmctl::core {

struct NodeEvalLimits {
  std::chrono::milliseconds timeout{5000};
  std::size_t max_output = 8 << 20;  ///< bytes of JSON the file may export
};

/// Evaluates a `.config.js/.cjs/.mjs` ecosystem file with the `node` found in $PATH, in a child
/// process of its own process group (no shell): node imports the file and writes
/// JSON.stringify(default export, i.e. module.exports for CommonJS) to a pipe on its fd 3, so
/// the file's own console output cannot corrupt it. Returns that JSON text. Throws core::Error
/// when node is missing, the file fails (with node's error, briefly), takes longer than
/// `limits.timeout` or exports more than `limits.max_output` bytes.
///
/// Nothing the file starts outlives the evaluation, not even a child started detached in a
/// session of its own, or one that double-forked. With a `manager`, node runs in a transient
/// scope unit of its own, `pmctl-eval-<pid>.scope` (it waits on a pipe until it is in there, so
/// it cannot fork before), and the scope is stopped afterwards: every process in its cgroup is
/// killed, and systemd collects the unit. Without one, or when the manager refuses the scope,
/// pmctl becomes a child subreaper (PR_SET_CHILD_SUBREAPER) and, once node is gone, kills and
/// reaps every process that was reparented to it.
std::string evaluate_js_config(const std::string& path, const NodeEvalLimits& limits = {},
                               Manager* manager = nullptr);

/// The transient scope an evaluation by node process `pid` runs in: `PIDs=pid`, killed with
/// SIGKILL when stopped, collected even when it failed.
UnitSpec eval_scope_spec(int pid, const std::string& path);

/// The gist of node's error output: the error line ("SyntaxError: …") and, when node printed
/// one, the "file:line" it points at. At most ~300 characters.
std::string summarize_node_error(const std::string& diagnostics);

}  // namespace pmctl::core
