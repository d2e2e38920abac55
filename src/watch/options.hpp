#pragma once
// What pmctl-watch is told. pmctl's unit mapping builds the command line:
//
//   pmctl-watch --pmctl PATH --name APP --action restart|reload [--user]
//               --path P [--path P ...] [--ignore PATTERN ...] [--delay-ms N]
//               [--follow-symlinks]

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pmctl::watch {

struct Options {
  std::string pmctl;                 ///< the pmctl binary the action runs (absolute)
  std::string name;                  ///< the app
  std::string action;                ///< "restart" (fork mode) or "reload" (a pool or a cluster)
  bool user = false;                 ///< the app is under the user manager: pmctl --user
  std::vector<std::string> paths;    ///< absolute directories (recursive) or files
  std::vector<std::string> ignores;  ///< ignore_watch; empty: PM2's default (ignore.hpp)
  std::uint64_t delay_ms = 0;        ///< watch_delay
  bool follow_symlinks = false;      ///< descend into symlinked directories
};

/// The options from argv (without argv[0]), or nullopt with `why` set to one line.
std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& why);

/// The usage line printed after `why`.
extern const char* const kUsage;

}  // namespace pmctl::watch
