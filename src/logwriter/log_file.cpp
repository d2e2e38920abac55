#include "logwriter/log_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace pmctl::logwriter {

LogFile::~LogFile() {
  if (fd_ >= 0) close(fd_);
}

bool LogFile::open() {
  std::error_code ec;
  const auto dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
  failing_ = false;
  return true;
}

void LogFile::write(std::string_view text) {
  while (!text.empty() && fd_ >= 0) {
    const ssize_t n = ::write(fd_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (!failing_)
        std::fprintf(stderr, "pmctl-logwriter: writing '%s': %s, dropping lines\n", path_.c_str(),
                     std::strerror(errno));
      failing_ = true;
      return;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace pmctl::logwriter
