// libFuzzer target for what pmctl-balancer reads: its backend file (parse_backend_file) and its
// command line (parse_options, arguments separated by NUL bytes). The first byte picks which.
// Any exception other than balancer::Error, a crash or a sanitizer report is a bug, and so is a
// backend whose address, parsed again from its name, differs.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "balancer/backend_file.hpp"
#include "balancer/error.hpp"
#include "balancer/options.hpp"
#include "fuzz_input.hpp"

namespace {

using namespace pmctl::balancer;

void backend_file(std::string_view text) {
  for (const BackendSpec& spec : parse_backend_file(text)) {
    const Address again = parse_address(spec.name);
    if (again.length != spec.address.length ||
        std::memcmp(&again.storage, &spec.address.storage, again.length) != 0)
      std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text = pmctl::fuzz::as_text(data + 1, size - 1);
  try {
    if (data[0] & 1)
      backend_file(text);
    else
      parse_options(pmctl::fuzz::split(text, '\0'));
  } catch (const Error&) {
  }
  return 0;
}
