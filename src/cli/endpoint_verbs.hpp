#pragma once
// `pmctl metrics|web enable [--port P] [--address A] | disable | status`: the same three verbs
// for both socket-activated endpoints (core::HttpEndpoints does the work), and what both serve.

#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "core/units/endpoint_units.hpp"

namespace pmctl::cli {

void add_endpoint_verbs(CLI::App* parent, Context& ctx, core::EndpointKind kind);

/// Every registered instance's live view (what both endpoints serve).
std::vector<core::AppView> all_views(Context& ctx);

}  // namespace pmctl::cli
