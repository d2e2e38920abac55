// libFuzzer target for the cron pattern converter (core/units/cron_calendar): PM2's cron_restart
// into systemd calendar expressions. Any exception other than core::Error, a crash, a sanitizer
// report or a broken invariant (one or two expressions, each only of the characters systemd's
// calendar syntax uses, and the same answer twice) is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/types/error.hpp"
#include "core/units/cron_calendar.hpp"
#include "fuzz_input.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool calendar_text(const std::string& expression) {
  constexpr std::string_view kAllowed =
      "0123456789*,./:- MonTueWdhFriSatSun";  // the day names' letters
  return !expression.empty() && expression.find_first_not_of(kAllowed) == std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = pmctl::fuzz::as_text(data, size);
  try {
    const std::vector<std::string> expressions = pmctl::core::cron_to_calendar(text);
    check(expressions.size() == 1 || expressions.size() == 2);
    for (const auto& e : expressions) check(calendar_text(e));
    check(pmctl::core::cron_to_calendar(text) == expressions);
  } catch (const pmctl::core::Error&) {
  }
  return 0;
}
