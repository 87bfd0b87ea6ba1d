// Version and build identity, stamped into every Parquet file's created_by.
#pragma once

namespace lakeforge {

inline constexpr const char* kVersion = "0.1.0";
// The short git hash of the source tree, passed in by CMake (LAKEFORGE_BUILD_HASH).
#ifndef LAKEFORGE_BUILD_HASH
#define LAKEFORGE_BUILD_HASH "unknown"
#endif
inline constexpr const char* kBuildHash = LAKEFORGE_BUILD_HASH;

}  // namespace lakeforge
