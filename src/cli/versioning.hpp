#pragma once
// PM2's `versioning` of an app (jlist, prettylist, describe): the git checkout its script is in,
// read from the files under .git each time it is shown (core/base/git_checkout.hpp).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/base/git_checkout.hpp"
#include "core/model/app.hpp"

namespace pmctl::cli {

/// The checkout of the app's script (of its working directory for a command string); nullopt
/// with `vizion: false` / --no-vizion, or outside a checkout.
std::optional<core::GitCheckout> app_checkout(const core::AppDecl& decl);

/// PM2's pm2_env.versioning object, or null.
nlohmann::json versioning_json(const std::optional<core::GitCheckout>& checkout);

/// PM2's "Revision control metadata" rows of describe; none without a checkout.
std::vector<std::vector<std::string>> versioning_rows(
    const std::optional<core::GitCheckout>& checkout);

}  // namespace pmctl::cli
