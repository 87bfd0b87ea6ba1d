// Version and build identity, stamped into every Parquet file's created_by.
#pragma once

namespace lakeforge {

inline constexpr const char* kVersion = "0.1.0";
// The short git hash of the source tree; defined in a file CMake generates (build_hash.cc), so a
// new commit recompiles one file, not the project.
extern const char* const kBuildHash;

}  // namespace lakeforge
