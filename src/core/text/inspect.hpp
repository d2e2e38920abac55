#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pmctl::core {

/// A JSON value printed the way Node's `util.inspect(value, false, null, false)` prints the
/// equivalent JavaScript value (PM2's `prettylist`): unquoted identifier keys, single-quoted
/// strings, Node's rules for putting an object on one line (breakLength 128, compact 3), and
/// its column layout for arrays of more than six short items. Keys come in the JSON object's
/// order.
std::string js_inspect(const nlohmann::json& value);

}  // namespace pmctl::core
