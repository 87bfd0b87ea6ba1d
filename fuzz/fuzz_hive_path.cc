// libFuzzer target: Hive partition escaping must round-trip and never leave a '/', '=' or '%'
// unescaped in a folder name.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "warehouse/hive_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string value(reinterpret_cast<const char*>(data), size);
  std::string escaped = lakeforge::EscapeHivePathName(value);
  if (escaped.find_first_of("/=") != std::string::npos) std::abort();
  if (lakeforge::UnescapeHivePathName(escaped) != value) std::abort();
  lakeforge::UnescapeHivePathName(value);  // arbitrary folder names must not crash the decoder
  return 0;
}
