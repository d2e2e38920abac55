#pragma once

#include <string>
#include <vector>

#include "core/text/log_line.hpp"
#include "logwriter/log_file.hpp"

namespace pmctl::logwriter {

/// One of the app's two output streams, as the writer sees it.
struct Stream {
  int fd = -1;  ///< Read end of the app's pipe; -1 once it reached EOF.
  int copy_fd =
      -1;  ///< Where every byte is copied unchanged: the journal stream (1 or 2), or none.
  bool is_err = false;
  std::vector<LogFile*> files;  ///< Where the formatted lines go.
};

/// Copies both streams until both reach EOF (the app and everything it started have exited).
/// A line whose newline has not come 200 ms after its first byte is written as far as it goes,
/// and the rest follows it; what is held at EOF is written then.
/// SIGINT and SIGTERM are ignored, so a stop loses nothing the app wrote; SIGUSR2 reopens
/// `files`. Returns the exit status.
int pump(Stream& out, Stream& err, const std::vector<LogFile*>& files,
         const core::LineStyle& style);

}  // namespace pmctl::logwriter
