#pragma once

#include <cstdint>
#include <string_view>

#include "core/model/app.hpp"
#include "core/types/unit_state.hpp"

namespace pmctl::core {

/// PM2's process statuses.
enum class Status { Online, Launching, WaitingRestart, Stopping, Stopped, Errored };

std::string_view to_string(Status s);  ///< "online", "launching", "waiting restart", ...

/// Whether the app runs or is about to (online, launching, waiting restart): what "running"
/// means for start's smart restart, reload, save and resurrect.
bool is_up(Status s);

/// PM2 status from live unit state: not loaded or inactive -> stopped; active -> online;
/// activating/auto-restart (and activating/start-pre while the exp back-off sleeps) -> waiting
/// restart; other activating -> launching; deactivating -> stopping; failed -> errored, except
/// with autorestart off (PM2 shows such an exited app as stopped).
Status status_of(const UnitState& unit, const RestartPolicy& policy);

/// systemd's NRestarts counts the restart job that the start limit then refused; PM2 does not
/// count that one. This is the number of restarts that really happened in the unit's life.
/// systemd 252 keeps the earlier failure's Result (e.g. exit-code) when the start limit refuses
/// the restart, so a failed unit with autorestart on is taken as "the limit was hit" too: with
/// Restart=always nothing else leaves such a unit failed.
std::uint32_t automatic_restarts(const UnitState& unit, const RestartPolicy& policy);

/// The automatic restarts ↺ counts: automatic_restarts less the `hidden` ones a `pmctl reset`
/// of the failed unit took out of the count (AppRecord::restarts_hidden).
std::uint32_t counted_restarts(const UnitState& unit, const RestartPolicy& policy,
                               std::uint32_t hidden);

}  // namespace pmctl::core
