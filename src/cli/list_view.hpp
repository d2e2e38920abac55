#pragma once

#include <vector>

#include "cli/context.hpp"
#include "core/lifecycle/lifecycle.hpp"

namespace pmctl::cli {

/// PM2's process table (what `pmctl ls` prints), also shown after every action as PM2 does.
void print_process_table(Context& ctx);
void print_process_table(Context& ctx, std::vector<core::AppView> views);

}  // namespace pmctl::cli
