#pragma once
// The records of new cluster instances, as start -i and scale up create them.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/model/app_record.hpp"

namespace pmctl::core {

/// Adds one record per instance number to `data` (fresh ids, `decl`, now as creation time) and
/// returns them. Each gets its private endpoint: a loopback port from the range that no record
/// holds and `port_free` says is free (Endpoints::Tcp), or a socket under
/// <runtime_dir>/apps/<name> (Endpoints::Unix); none in shared mode.
std::vector<AppRecord> add_instances(RegistryData& data, const AppDecl& decl,
                                     const std::vector<int>& numbers,
                                     const std::string& runtime_dir,
                                     const std::function<bool(std::uint16_t)>& port_free);

}  // namespace pmctl::core
