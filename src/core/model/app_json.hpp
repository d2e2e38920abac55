#pragma once

#include <nlohmann/json.hpp>

#include "core/model/app.hpp"
#include "core/model/app_record.hpp"

namespace pmctl::core {

// The registry's JSON form. Readers start from default-constructed values and take only the
// fields present, so a file written by an older pmctl loads with today's defaults. A field of the
// wrong type throws nlohmann::json::exception; a non-object where an object belongs throws
// std::invalid_argument.

void to_json(nlohmann::json& j, const RestartPolicy& policy);
void from_json(const nlohmann::json& j, RestartPolicy& policy);
void to_json(nlohmann::json& j, const LogSettings& logs);
void from_json(const nlohmann::json& j, LogSettings& logs);

void to_json(nlohmann::json& j, const ClusterSettings& cluster);
void from_json(const nlohmann::json& j, ClusterSettings& cluster);
void to_json(nlohmann::json& j, const WatchSettings& watch);
void from_json(const nlohmann::json& j, WatchSettings& watch);

void to_json(nlohmann::json& j, const AppRecord& record);
void from_json(const nlohmann::json& j, AppRecord& record);

/// Also writes "version": kRegistryVersion; from_json ignores the version (the caller checks it).
void to_json(nlohmann::json& j, const RegistryData& data);
void from_json(const nlohmann::json& j, RegistryData& data);

inline constexpr int kRegistryVersion = 1;

/// `j[key]` as an int (`absent` when `j` is not an object or has no such key), for the
/// "version" of the registry and the dump. Throws like the readers above: a non-number
/// nlohmann::json::exception, a float or a number beyond int std::invalid_argument.
int int_field(const nlohmann::json& j, const char* key, int absent);

}  // namespace pmctl::core
