#pragma once

#include <string>
#include <string_view>

namespace pmctl::logwriter {

/// One log file, opened for appending (O_APPEND, so that instances sharing a merged file and
/// an external `truncate` never make it lose or overwrite lines). Missing directories are
/// created, as PM2 does.
class LogFile {
 public:
  explicit LogFile(std::string path) : path_(std::move(path)) {}
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  /// Opens (again, after a rename by logrotate) the file at the declared path. On failure the
  /// old descriptor, if any, is kept and errno tells why.
  bool open();
  /// Writes all of `text`; a failure (disk full) drops that text and is reported once.
  void write(std::string_view text);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool failing_ = false;
};

}  // namespace pmctl::logwriter
