#pragma once
// Signal names and numbers as `pmctl sendSignal` takes them (PM2 passes the name to Node's
// process.kill, which knows the same set).

#include <optional>
#include <string>
#include <string_view>

namespace pmctl::core {

/// The signal a word names: "SIGUSR2", "USR2", "sigusr2" or a number from 1 to SIGRTMAX;
/// "SIGRTMIN+3" and "RTMAX-1" for the real-time ones. Nothing for anything else (0 included:
/// kill's "is it alive" probe sends no signal).
std::optional<int> parse_signal(std::string_view word);

/// "SIGUSR2" for 12; "SIGRTMIN+3" for a real-time signal; the number when it has no name.
std::string signal_name(int signal);

}  // namespace pmctl::core
