#include "systemd/unit_fields.hpp"

namespace pmctl::sd {

bool needed(const FieldInfo& info, const core::UnitState& state, bool main_pid) {
  switch (info.need) {
    case Need::Always:
      return true;
    case Need::Processes:
      return main_pid && state.active_state != "inactive" && state.active_state != "failed" &&
             state.sub_state != "auto-restart";
    case Need::LastExit:
      return state.sub_state != "running" && !state.name.ends_with(".timer");
    case Need::Timer:
      return state.name.ends_with(".timer");
  }
  return true;
}

std::string type_interface(const std::string& unit) {
  auto dot = unit.rfind('.');
  std::string type = dot == std::string::npos ? "" : unit.substr(dot + 1);
  if (!type.empty()) type[0] = static_cast<char>(type[0] - 'a' + 'A');
  return "org.freedesktop.systemd1." + type;
}

void store(core::UnitState& state, Field field, std::uint32_t value) {
  switch (field) {
    case Field::MainPid:
      state.main_pid = value;
      break;
    case Field::NRestarts:
      state.n_restarts = value;
      break;
    case Field::ExecMainCode:
      state.exec_main_code = static_cast<std::int32_t>(value);
      break;
    case Field::ExecMainStatus:
      state.exec_main_status = static_cast<std::int32_t>(value);
      break;
    case Field::Result:
    case Field::NextElapse:
      break;
  }
}

void store(core::UnitState& state, Field field, std::uint64_t value) {
  if (field == Field::NextElapse) state.next_elapse_usec = value;
}

void store(core::UnitState& state, Field field, const std::string& value) {
  if (field == Field::Result) state.result = value;
}

}  // namespace pmctl::sd
