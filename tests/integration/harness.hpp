#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pmctl::test {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};
};

/// Runs argv (no shell) with extra "K=V" environment entries and stdin from /dev/null.
Result run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
/// Runs the real pmctl binary built by this tree.
Result pmctl(const std::vector<std::string>& args, const std::vector<std::string>& env = {});
/// Runs a /bin/sh command line (for systemctl, journalctl, kill ...).
Result sh(const std::string& command);

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// `pmctl jlist`, parsed; and the element for app `name` (null json if absent).
nlohmann::json jlist(const std::vector<std::string>& extra = {});
nlohmann::json app(const std::string& name, const std::vector<std::string>& extra = {});
std::string status_of(const std::string& name, const std::vector<std::string>& extra = {});

/// `systemctl show -p <property> --value <unit>`.
std::string unit_property(const std::string& unit, const std::string& property, bool user = false);

/// Absolute path of a test app in tests/integration/apps.
std::string app_path(const std::string& file);
/// A name unique to this test process and call.
std::string unique_name(const std::string& stem);
/// Text of a file, empty if missing.
std::string read_file(const std::string& path);
/// The second cell of the row labelled `label` in a table `pmctl show` printed, trimmed ("" if
/// there is no such row).
std::string show_cell(const std::string& show, const std::string& label);

}  // namespace pmctl::test
