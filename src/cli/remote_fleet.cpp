#include "cli/remote_fleet.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/output.hpp"
#include "cli/remote.hpp"
#include "core/base/clock.hpp"
#include "core/remote/fleet_list.hpp"
#include "core/remote/ssh_process.hpp"
#include "core/text/format.hpp"
#include "core/types/error.hpp"

namespace pmctl::cli {
namespace {

using nlohmann::json;

bool is_list_verb(const std::string& v) {
  return v == "list" || v == "ls" || v == "status" || v == "l" || v == "ps";
}

std::size_t parallel_limit() {
  const char* text = std::getenv("PMCTL_HOST_PARALLEL");
  if (!text || !*text) return 16;
  const auto n = core::parse_decimal(text);
  if (!n || *n < 1 || *n > 256)
    throw core::Error(
        std::string("PMCTL_HOST_PARALLEL='") + text + "' is not a number from 1 to 256",
        "unset it for the default, 16", 2);
  return static_cast<std::size_t>(*n);
}

std::vector<std::vector<std::string>> argvs_for(const std::vector<core::RemoteHost>& hosts,
                                                const core::SshSettings& ssh,
                                                const std::vector<std::string>& args) {
  const std::string command = core::remote_pmctl_command(args);
  std::vector<std::vector<std::string>> argvs;
  for (const auto& h : hosts) argvs.push_back(core::ssh_argv(ssh, h, false, command));
  return argvs;
}

void report_failure(const core::RemoteHost& host, const std::string& why) {
  print_error("host '" + host.label + "': " + why, "");
}

/// Every line on the way, prefixed with its host; stdout's to stdout, stderr's to stderr.
int run_streaming(const std::vector<core::RemoteHost>& hosts, const core::SshSettings& ssh,
                  const std::vector<std::string>& args) {
  const auto results = core::run_all(argvs_for(hosts, ssh, args), parallel_limit(),
                                     [&](std::size_t i, bool to_stderr, std::string_view line) {
                                       (to_stderr ? std::cerr : std::cout)
                                           << "[" << hosts[i].label << "] " << line << std::endl;
                                     });
  end_as_stopped();
  int status = 0;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (results[i].status == 0) continue;
    status = 1;
    const std::string why = transport_failure(results[i].status, results[i].err, hosts[i]);
    report_failure(hosts[i], why.empty() ? "exit code " + std::to_string(results[i].status) : why);
  }
  return status;
}

std::string painted(const std::string& status) {
  if (status == "online") return green(status);
  if (status == "launching") return blue(status);
  return red(status);
}

/// PM2's process table of a merged jlist, with a first column `host`.
Table merged_table(const json& merged) {
  Table t;
  t.header = core::kFleetColumns;
  for (auto& row : core::fleet_rows(merged, core::realtime_ms())) {
    row.cells[9] = painted(row.status);
    if (!row.watching) row.cells[13] = grey(row.cells[13]);
    t.rows.push_back(std::move(row.cells));
  }
  return t;
}

/// jlist on every host, then one array or one table.
int run_merged(const std::vector<core::RemoteHost>& hosts, const core::SshSettings& ssh,
               std::vector<std::string> args, const std::string& verb, bool table) {
  for (auto& a : args)
    if (a == verb) {
      a = "jlist";
      break;
    }
  const auto results = core::run_all(argvs_for(hosts, ssh, args), parallel_limit());
  std::vector<std::pair<std::string, json>> lists;
  int status = 0;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const auto& r = results[i];
    std::string why = transport_failure(r.status, r.err, hosts[i]);
    json list = json::parse(r.out, nullptr, false);
    if (why.empty() && r.status != 0) why = last_line(r.err);
    if (why.empty() && !list.is_array()) why = "its jlist is not a JSON array";
    if (!why.empty()) {
      report_failure(hosts[i], why), status = 1;
      continue;
    }
    lists.emplace_back(hosts[i].label, std::move(list));
  }
  const json merged = core::merged_jlist(lists);
  if (!table)
    std::cout << merged.dump() << "\n";
  else if (!silent())
    std::cout << merged_table(merged).render();
  return status;
}

}  // namespace

int run_fleet(const std::vector<core::RemoteHost>& hosts, const core::SshSettings& ssh,
              const std::vector<std::string>& args, const std::string& verb) {
  // The merged table is drawn here: pmctl's own rules for colour and -s, from the same words.
  bool no_color = std::getenv("NO_COLOR") != nullptr, quiet = false;
  for (const auto& a : args) no_color |= a == "--no-color", quiet |= a == "-s" || a == "--silent";
  set_color(isatty(STDOUT_FILENO) && !no_color);
  set_silent(quiet);
  if (is_list_verb(verb)) return run_merged(hosts, ssh, args, verb, true);
  if (verb == "jlist") return run_merged(hosts, ssh, args, verb, false);
  return run_streaming(hosts, ssh, args);
}

}  // namespace pmctl::cli
