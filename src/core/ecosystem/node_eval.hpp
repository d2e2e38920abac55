#pragma once

#include <chrono>
#include <cstddef>
#include <string>

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
/// `limits.timeout` (the whole process group is killed) or exports more than
/// `limits.max_output` bytes.
std::string evaluate_js_config(const std::string& path, const NodeEvalLimits& limits = {});

/// The gist of node's error output: the error line ("SyntaxError: …") and, when node printed
/// one, the "file:line" it points at. At most ~300 characters.
std::string summarize_node_error(const std::string& diagnostics);

}  // namespace pmctl::core
