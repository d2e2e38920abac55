// libFuzzer target for parse_dump (dump.json, what `pmctl resurrect` and boot read). Any
// exception other than core::Error, a crash or a sanitizer report is a bug, and so is a dump
// that does not read back the same from its own text (dump_text, what `pmctl save` writes).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/state/dump.hpp"
#include "core/types/error.hpp"

namespace {

bool same(const std::vector<pmctl::core::BootApp>& a, const std::vector<pmctl::core::BootApp>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i].record == b[i].record) || a[i].stopped != b[i].stopped) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<pmctl::core::BootApp> apps;
  try {
    apps = pmctl::core::parse_dump(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const pmctl::core::Error&) {
    return 0;
  }
  const std::string text = pmctl::core::dump_text(apps);
  const auto again = pmctl::core::parse_dump(text);
  if (!same(apps, again) || pmctl::core::dump_text(again) != text) std::abort();
  return 0;
}
