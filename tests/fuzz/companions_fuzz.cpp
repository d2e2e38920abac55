// libFuzzer target for what the companions read: pmctl-watch's and pmctl-memguard's command lines
// (arguments separated by NUL bytes) and pmctl-watch's ignore patterns (a pattern, a NUL, then
// paths, one a line). The first byte picks which. A crash or a sanitizer report is a bug, and so
// are options that parse into what the parser must refuse, and an ignore that lets a dotfile
// through under PM2's default.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "memguard/guard.hpp"
#include "watch/ignore.hpp"
#include "watch/options.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void watch_options(std::string_view text) {
  std::string why;
  const auto o = pmctl::watch::parse_options(pmctl::fuzz::split(text, '\0'), why);
  if (!o) {
    check(!why.empty());
    return;
  }
  check(!o->paths.empty() && !o->name.empty() && o->pmctl.starts_with("/"));
  check(o->action == "restart" || o->action == "reload");
  for (const auto& path : o->paths) check(path.starts_with("/"));
}

void memguard_options(std::string_view text) {
  std::string why;
  const auto o = pmctl::memguard::parse_options(pmctl::fuzz::split(text, '\0'), why);
  if (!o) check(!why.empty());
}

// PM2's default ignores any path with a component starting with "."; user patterns must only
// never crash.
void ignores(std::string_view text) {
  const auto parts = pmctl::fuzz::split(text, '\0');
  const pmctl::watch::Ignore fallback({});
  const pmctl::watch::Ignore given({parts.front()});
  for (std::size_t i = 1; i < parts.size(); ++i) {
    for (const auto& path : pmctl::fuzz::split(parts[i], '\n')) {
      given.ignores(path, "/root/" + path);
      if (path.starts_with(".") || path.find("/.") != std::string::npos)
        check(fallback.ignores(path, "/root/" + path));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text = pmctl::fuzz::as_text(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      watch_options(text);
      break;
    case 1:
      memguard_options(text);
      break;
    default:
      ignores(text);
      break;
  }
  return 0;
}
