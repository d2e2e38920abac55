#pragma once

#include <string>
#include <vector>

#include "core/types/unit_state.hpp"
#include "systemd/wire_client.hpp"

namespace pmctl::sd::wire {

/// Manager::query over a wire::Client: ListUnitsByNames, then one Properties.Get per property
/// that unit_fields.hpp says is needed, all in one write. The same answers as the sd-bus path
/// (tests/integration/wire_query_test.cpp compares them). Throws WireError.
std::vector<core::UnitState> query(Client& client, const std::vector<std::string>& units,
                                   bool main_pid);

}  // namespace pmctl::sd::wire
