// libFuzzer target: object keys and locations from outside. A key that UnsafePathReason accepts,
// joined onto a destination folder, must stay inside it whatever a path resolver does with it;
// resolving any s3:// location must neither crash nor leave its bucket.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/error.h"
#include "io/file_system.h"
#include "io/location.h"
#include "io/uri.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string key(reinterpret_cast<const char*>(data), size);
  if (lakeforge::UnsafePathReason(key).empty()) {
    // Walk the joined path as the kernel would: every '..' pops, '.' and '' stay; depth below the
    // destination must never go under zero, and no NUL may reach a system call.
    if (key.find('\0') != std::string::npos || key.front() == '/') std::abort();
    std::string joined = lakeforge::JoinPath("/dest", key);
    if (joined.rfind("/dest/", 0) != 0) std::abort();
    long depth = 0;
    size_t pos = 6;
    while (pos <= joined.size()) {
      size_t slash = joined.find('/', pos);
      if (slash == std::string::npos) slash = joined.size();
      std::string seg = joined.substr(pos, slash - pos);
      if (seg == "..")
        --depth;
      else if (!seg.empty() && seg != ".")
        ++depth;
      if (depth < 0 || seg.empty() || seg == "." || seg == "..") std::abort();
      pos = slash + 1;
    }
  }
  try {
    auto loc = lakeforge::ResolveLocation("s3://bucket/" + key);
    if (loc.resolved.rfind("s3://bucket/", 0) != 0 || loc.resolved.back() != '/') std::abort();
  } catch (const lakeforge::Error&) {
  }
  return 0;
}
