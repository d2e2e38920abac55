// libFuzzer target for parse_json5 and the shape check after it. Any exception other than
// core::Error, a crash, a sanitizer report or a broken round trip is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/ecosystem/ecosystem_file.hpp"
#include "core/ecosystem/json5.hpp"
#include "core/types/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json value;
  try {
    value = pmctl::core::parse_json5(text, "fuzz.json");
  } catch (const pmctl::core::Error&) {
    return 0;
  }
  // What parses must be storable: dump() throws on invalid UTF-8, and strict JSON of it must
  // read back the same.
  if (nlohmann::json::parse(value.dump()) != value) std::abort();
  if (pmctl::core::parse_json5(value.dump(), "fuzz.json") != value) std::abort();
  try {
    pmctl::core::ecosystem_from_json(value, "fuzz.json");
  } catch (const pmctl::core::Error&) {
  }
  return 0;
}
