#include "balancer/notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "core/types/unique_fd.hpp"

namespace pmctl::balancer {

int notify(std::string_view state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || *path == '\0') return 0;
  std::size_t len = std::strlen(path);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if ((path[0] != '/' && path[0] != '@') || len >= sizeof(addr.sun_path)) return -EINVAL;
  std::memcpy(addr.sun_path, path, len);
  // A leading '@' names a socket in the abstract namespace, whose first byte is NUL.
  if (path[0] == '@') addr.sun_path[0] = '\0';
  socklen_t addr_len = offsetof(sockaddr_un, sun_path) + len + (path[0] == '@' ? 0 : 1);

  core::UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return -errno;
  ssize_t n = sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                     reinterpret_cast<const sockaddr*>(&addr), addr_len);
  return n < 0 ? -errno : 0;
}

}  // namespace pmctl::balancer
