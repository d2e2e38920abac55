#include "core/base/linger.hpp"

#include <sys/stat.h>

namespace pmctl::core {

bool user_lingers(const std::string& user_name) {
  if (user_name.empty() || user_name == "." || user_name == ".." ||
      user_name.find('/') != std::string::npos)
    return false;
  const std::string path = std::string(kLingerDir) + "/" + user_name;
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace pmctl::core
