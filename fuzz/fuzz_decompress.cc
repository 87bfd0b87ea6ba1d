// libFuzzer target: corrupt .gz / .zst inputs must raise lakeforge::Error (a clear message naming
// the file), never crash or hang.
#include <cstdint>
#include <string>

#include "base/error.h"
#include "formats/compression.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    lakeforge::DecompressGzip(in, "fuzz.gz");
  } catch (const lakeforge::Error&) {
  }
  try {
    lakeforge::DecompressZstd(in, "fuzz.zst");
  } catch (const lakeforge::Error&) {
  }
  return 0;
}
