// libFuzzer target: compaction manifests are outside input (--previousManifest may be any file).
// ParseManifest must return entries with a non-empty path or throw lakeforge::Error, never crash.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/error.h"
#include "compact/compact.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    for (const auto& e : lakeforge::ParseManifest(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz"))
      if (e.path.empty() || e.size < -1) std::abort();
  } catch (const lakeforge::Error&) {
  }
  return 0;
}
