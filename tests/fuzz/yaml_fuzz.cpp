// libFuzzer target for parse_yaml (yaml-cpp plus the conversion to JSON). Any exception other
// than core::Error, a crash, a sanitizer report or JSON that cannot be written is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/ecosystem/yaml_json.hpp"
#include "core/types/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const nlohmann::json value = pmctl::core::parse_yaml(text, "fuzz.yml");
    if (nlohmann::json::parse(value.dump()) != value) std::abort();
  } catch (const pmctl::core::Error&) {
  }
  return 0;
}
