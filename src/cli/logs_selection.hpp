#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "systemd/journal.hpp"

namespace pmctl::cli {

/// The app instance a unit's lines belong to, as `pmctl logs` shows them.
struct LogSource {
  int id = 0;
  std::string name;
  std::string date_format;       ///< Put before each line ("": none), core::view_date_format.
  std::uint64_t since_usec = 0;  ///< flush's watermark: earlier lines are hidden.
};

struct LogSelectionOptions {
  std::string target;  ///< name | id | namespace | /regex/ | all; "" is all.
  sd::Streams streams = sd::Streams::Both;
  std::string date_format;  ///< `pmctl logs --log-date-format`.
  bool time = false;        ///< `pmctl logs --time`.
};

/// Which apps `pmctl logs` shows, and their units. While following, a line of a pmctl unit it
/// does not know makes it read the registry again: an app started or an instance added since
/// (start, scale) is followed from its first line, when the target selects it.
class LogSelection {
 public:
  /// Reads the registry; throws the selectors' errors for a target that selects nothing. With
  /// no target (or all) and no apps, the selection is empty.
  LogSelection(Context& ctx, LogSelectionOptions options);

  /// The units selected when it was made, their watermarks and groups (one per instance).
  const sd::LogQuery& query() const { return query_; }
  bool empty() const { return sources_.empty(); }
  /// What apps with the journal off write, and where (one note per app).
  const std::vector<std::string>& file_only() const { return file_only_; }
  /// The widest name selected, in terminal columns.
  std::size_t name_width() const { return name_width_; }
  /// The source of `unit`'s lines; null for a unit not selected.
  const LogSource* source(const std::string& unit) const;
  /// As source(), but a pmctl instance unit not selected makes it read the registry again (at
  /// most once a second per unit), and adds the instances that are new and selected.
  const LogSource* find(const std::string& unit);

 private:
  void add_instances(const core::RegistryData& data, const std::vector<int>& ids);
  std::vector<int> ids_of(const core::RegistryData& data) const;

  Context& ctx_;
  LogSelectionOptions options_;
  sd::LogQuery query_;
  std::map<std::string, LogSource> sources_;
  std::vector<std::string> file_only_;
  std::size_t name_width_ = 0;
  /// pmctl units the registry did not select, and when it was asked.
  std::map<std::string, std::chrono::steady_clock::time_point> not_selected_;
};

}  // namespace pmctl::cli
