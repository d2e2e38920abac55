// libFuzzer target for reading registry.json: the input is written as the registry of a
// temporary state directory and read with Registry::load, the path every command takes. Any
// exception other than core::Error, a crash or a sanitizer report is a bug, and so is a registry
// that does not read back the same after being written out again (what Registry::update writes).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/model/app_json.hpp"
#include "core/state/registry.hpp"
#include "core/types/error.hpp"
#include "fuzz_input.hpp"

namespace {

namespace fs = std::filesystem;
using pmctl::core::Registry;
using pmctl::core::RegistryData;

// One state directory for the whole run, removed at exit.
const fs::path& state_dir() {
  static const fs::path dir = [] {
    std::string name = (fs::temp_directory_path() / "pmctl-registry-fuzz-XXXXXX").string();
    if (!mkdtemp(name.data())) std::abort();
    std::atexit([] { fs::remove_all(state_dir()); });
    return fs::path(name);
  }();
  return dir;
}

RegistryData load(std::string_view text) {
  std::ofstream(state_dir() / "registry.json", std::ios::binary | std::ios::trunc) << text;
  return Registry(state_dir()).load(Registry::Environments::Skip);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  RegistryData first;
  try {
    first = load(pmctl::fuzz::as_text(data, size));
  } catch (const pmctl::core::Error&) {
    return 0;
  }
  const RegistryData again = load(nlohmann::json(first).dump() + "\n");
  if (again.next_id != first.next_id || again.apps != first.apps) std::abort();
  return 0;
}
