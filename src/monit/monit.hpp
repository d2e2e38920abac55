#pragma once
// pmctl monit: every app's status, cpu, memory, restarts and uptime, with the selected app's
// details and live log lines, redrawn about once a second. It only reads.

#include "cli/context.hpp"

namespace pmctl::monit {

/// Runs until q, Ctrl-C, SIGTERM or SIGHUP; the terminal is restored whichever way it ends.
void run_monit(cli::Context& ctx, bool color);

}  // namespace pmctl::monit
