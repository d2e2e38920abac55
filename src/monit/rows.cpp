#include "monit/rows.hpp"

#include <ctime>

#include "core/model/names.hpp"
#include "core/text/format.hpp"

namespace pmctl::monit {
namespace {

std::string header_of(Column c, bool utf8) {
  switch (c) {
    case Column::Id:
      return "id";
    case Column::Name:
      return "name";
    case Column::Status:
      return "status";
    case Column::Cpu:
      return "cpu";
    case Column::Memory:
      return "memory";
    case Column::Restarts:
      return utf8 ? "↺" : "rst";
    case Column::Uptime:
      return "uptime";
  }
  return "";
}

bool online(const core::AppView& v) { return v.status == core::Status::Online; }

std::string cpu_text(const core::AppView& v, std::optional<double> cpu) {
  if (!online(v)) return "0%";
  return cpu ? core::format_cpu(*cpu) : "-";
}

std::string cell_of(Column c, const core::AppView& v, std::optional<double> cpu) {
  switch (c) {
    case Column::Id:
      return std::to_string(v.record.id);
    case Column::Name:
      return v.record.decl.name;
    case Column::Status:
      return core::status_word(v);
    case Column::Cpu:
      return cpu_text(v, cpu);
    case Column::Memory:
      return online(v) ? core::format_memory(v.memory_bytes) : "0b";
    case Column::Restarts:
      return std::to_string(v.restarts);
    case Column::Uptime:
      return online(v) ? core::format_uptime(v.uptime_ms) : "0";
  }
  return "";
}

std::string joined(const std::vector<std::string>& cells) {
  std::string line = " ";  // the selection mark's column
  for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? " " : "") + cells[i];
  return line;
}

}  // namespace

std::string header_line(const std::vector<ColumnSpec>& columns, bool utf8) {
  std::vector<std::string> cells;
  for (const ColumnSpec& c : columns)
    cells.push_back(fit(header_of(c.column, utf8), c.width, utf8));
  return joined(cells);
}

std::vector<std::string> row_cells(const core::AppView& v, std::optional<double> cpu,
                                   const std::vector<ColumnSpec>& columns, bool utf8) {
  std::vector<std::string> cells;
  for (const ColumnSpec& c : columns)
    cells.push_back(fit(cell_of(c.column, v, cpu), c.width, utf8));
  return cells;
}

std::vector<std::pair<std::string, std::string>> detail_rows(const core::AppView& v,
                                                             std::optional<double> cpu) {
  const auto& d = v.record.decl;
  std::string memory = online(v) ? core::format_memory(v.memory_bytes) : "N/A";
  if (online(v)) memory += v.memory_from_proc ? " (RSS, /proc)" : " (cgroup)";
  std::string last_exit = "N/A";
  if (v.state.loaded && v.state.exec_main_code == 1)
    last_exit = "exit code " + std::to_string(v.state.exec_main_status);
  else if (v.state.loaded && v.state.exec_main_code > 1)
    last_exit = "signal " + std::to_string(v.state.exec_main_status);
  return {
      {"name", core::printable(d.name)},
      {"id", std::to_string(v.record.id)},
      {"namespace", core::printable(d.ns)},
      {"status", core::status_word(v)},
      {"pid", v.state.main_pid && online(v) ? std::to_string(v.state.main_pid) : "N/A"},
      {"uptime", online(v) ? core::format_uptime(v.uptime_ms) : "0"},
      {"restarts", std::to_string(v.restarts)},
      {"cpu", cpu_text(v, cpu)},
      {"memory", memory},
      {"exec mode", std::string(core::exec_mode_of(d)) + "_mode"},
      {"interpreter",
       d.command_string ? "/bin/sh -c" : (d.interpreter.empty() ? "none" : d.interpreter)},
      {"script", d.script},
      {"cwd", d.cwd},
      {"last exit", last_exit},
      {"unit", v.unit},
  };
}

std::string log_text(std::uint64_t realtime_usec, const std::string& message) {
  const std::time_t t = static_cast<std::time_t>(realtime_usec / 1000000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[16];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
  return std::string(stamp) + " " + message;
}

}  // namespace pmctl::monit
