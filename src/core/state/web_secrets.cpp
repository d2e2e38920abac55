#include "core/state/web_secrets.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "core/base/files.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  std::size_t got = 0;
  while (got < bytes) {
    const ssize_t n = getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(std::string("getrandom: ") + std::strerror(errno));
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::filesystem::path web_token_file(const std::filesystem::path& state_dir) {
  return state_dir / "web" / "token";
}

std::filesystem::path web_csrf_file(const std::filesystem::path& state_dir) {
  return state_dir / "web" / "csrf";
}

WebSecrets make_web_secrets() { return {random_hex(16), random_hex(16)}; }

std::optional<WebSecrets> load_web_secrets(const std::filesystem::path& state_dir) {
  const auto token = read_file_if_any(web_token_file(state_dir));
  const auto csrf = read_file_if_any(web_csrf_file(state_dir));
  if (!token || !csrf) return std::nullopt;
  WebSecrets s{trimmed(*token), trimmed(*csrf)};
  if (s.token.empty() || s.csrf.empty()) return std::nullopt;
  return s;
}

bool same_secret(std::string_view secret, std::string_view given) {
  if (secret.empty() || secret.size() != given.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < secret.size(); ++i)
    diff |= static_cast<unsigned char>(secret[i] ^ given[i]);
  return diff == 0;
}

}  // namespace pmctl::core
