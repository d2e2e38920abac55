// libFuzzer target for read_startup_record (<state>/startup.json, what `pmctl unstartup`
// reads): whatever the file holds, it returns a record (all false when the file is not one) and
// throws nothing. A crash, an exception or a sanitizer report is a bug.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/state/startup_record.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path& state_dir() {
  static const fs::path dir = [] {
    std::string name = (fs::temp_directory_path() / "pmctl-startup-fuzz-XXXXXX").string();
    if (!mkdtemp(name.data())) std::abort();
    std::atexit([] { fs::remove_all(state_dir()); });
    return fs::path(name);
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::ofstream(pmctl::core::startup_record_path(state_dir()), std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  pmctl::core::read_startup_record(state_dir());
  return 0;
}
