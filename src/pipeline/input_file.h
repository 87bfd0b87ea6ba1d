// Reading one input file the way every pipeline stage does: whole, with the requested padding after
// the bytes, and decompressed when its name ends in .gz or .zst.
#pragma once

#include <cstdint>
#include <string>

#include "io/file_system.h"

namespace lakeforge {

// Reads `path` into *buf (`padding` readable bytes after buf->size). *stored_bytes is the size as
// stored, before decompression. Throws Error naming the file when it cannot be read or decoded.
void ReadInputFile(FileSystem& fs, const std::string& path, size_t padding, FileBuffer* buf, uint64_t* stored_bytes);

}  // namespace lakeforge
