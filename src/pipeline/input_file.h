// Reading one input file the way every pipeline stage does: whole (or in pieces of whole lines),
// with the requested padding after the bytes, and decompressed when its name ends in .gz or .zst.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "io/file_system.h"

namespace lakeforge {

// Reads `path` into *buf (`padding` readable bytes after buf->size). *stored_bytes is the size as
// stored, before decompression. Throws Error naming the file when it cannot be read or decoded.
void ReadInputFile(FileSystem& fs, const std::string& path, size_t padding, FileBuffer* buf, uint64_t* stored_bytes);

// Reads `path` in pieces of whole lines, about `piece_bytes` each, and calls fn(lines, first_line)
// for each; fn returns the number of lines in the piece (json::ForEachLine's count). `lines` ends
// at a newline (or at the end of the file) and has `padding` readable bytes after it; first_line
// is the 1-based number of its first line in the file. A line longer than a piece makes its piece
// longer. Memory stays bounded by the piece size, whatever the file's. Compressed files are
// decompressed whole and passed as one piece. *stored_bytes as for ReadInputFile.
void ReadInputLines(FileSystem& fs, const std::string& path, size_t padding, size_t piece_bytes, FileBuffer* buf,
                    uint64_t* stored_bytes, const std::function<uint32_t(std::string_view, uint32_t)>& fn);

}  // namespace lakeforge
