// Reading one input file the way every pipeline stage does: whole (song files) or in pieces of
// whole lines (log files, large song files), with the requested padding after the bytes, and
// decompressed as it is read when its name ends in .gz or .zst.
//
// Memory is bounded whatever the input: a line longer than max_record_bytes is never held whole.
// Its first kOversizedHeadBytes are kept and the rest is counted and skipped up to the next
// newline, so a 3 GB line (or a decompression bomb) costs at most max_record_bytes plus a piece.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "io/file_system.h"

namespace lakeforge {

inline constexpr size_t kOversizedHeadBytes = 4096;
inline constexpr uint64_t kDefaultMaxRecordBytes = uint64_t{16} << 20;  // DuckDB's maximum_object_size

// A record longer than the limit, reported instead of read.
struct OversizedRecord {
  uint32_t line;     // 1-based line it starts on
  uint64_t bytes;    // its whole length
  std::string head;  // its first bytes (at most kOversizedHeadBytes, cut at a UTF-8 boundary)
};

struct LineCallbacks {
  // Called with pieces of whole lines (`lines` ends at a newline or at the end of the file, with
  // `padding` readable bytes after it); first_line is the number of its first line. Returns the
  // number of lines in the piece (json::ForEachLine's count).
  std::function<uint32_t(std::string_view lines, uint32_t first_line)> lines;
  std::function<void(const OversizedRecord&)> oversized;
};

// Reads `path` in pieces of whole lines, about `piece_bytes` each. Lines over max_record_bytes go
// to callbacks.oversized. *stored_bytes is the size as stored, before decompression. Throws Error
// naming the file when it cannot be read or decoded.
//
// `read_ahead`, when not null, holds the file's stored bytes already (io/read_ahead.h; at least
// `padding` readable bytes after them): nothing is read from fs, and an uncompressed file is cut
// into pieces where it lies, without a copy. Its lines longer than max_record_bytes then reach
// callbacks.lines (the parser rejects them as too large, as it does any such line in a piece).
void ReadInputLines(FileSystem& fs, const std::string& path, size_t padding, size_t piece_bytes,
                    uint64_t max_record_bytes, FileBuffer* buf, uint64_t* stored_bytes, const LineCallbacks& callbacks,
                    const FileBuffer* read_ahead = nullptr);

// A song file: read whole and passed to whole(file) when it holds at most max_record_bytes (one
// record, pretty-printed or not, or a few lines); a larger file can only be line-delimited records
// (a compacted folder) and is read as ReadInputLines reads.
void ReadSongInput(FileSystem& fs, const std::string& path, size_t padding, size_t piece_bytes,
                   uint64_t max_record_bytes, FileBuffer* buf, uint64_t* stored_bytes,
                   const std::function<void(std::string_view)>& whole, const LineCallbacks& callbacks,
                   const FileBuffer* read_ahead = nullptr);

// Cuts `data` (followed by `padding` readable bytes) into pieces of whole lines of about
// piece_bytes, as ReadInputLines hands them over; an empty input is one empty piece.
void SplitLines(std::string_view data, size_t piece_bytes, const LineCallbacks& callbacks);

// An input read in order in chunks of at most chunk_bytes, decompressed as it is read: Open reads
// the first chunk (so that many small files can be read ahead in parallel), Next the following
// ones. Memory is one chunk, whatever the file's size. Errors name the file.
class ChunkedInput {
 public:
  // With `read_ahead` (the file's stored bytes, io/read_ahead.h; it must outlive the input) nothing
  // is read from fs; an uncompressed file is then one chunk, where it lies.
  void Open(FileSystem& fs, const std::string& path, size_t chunk_bytes, const FileBuffer* read_ahead = nullptr);
  std::string_view chunk() const { return whole_.data() ? whole_ : std::string_view(buf_.data(), size_); }
  bool Next();  // false at the end
  uint64_t stored_bytes() const { return stored_; }

 private:
  std::unique_ptr<InputStream> in_;
  std::string_view whole_;  // a file read ahead, uncompressed: all of it
  std::string buf_;
  size_t size_ = 0, max_ = 0;
  uint64_t stored_ = 0;
};

// The first bytes of an oversized record, cut back to a UTF-8 character boundary.
std::string OversizedHead(std::string_view text);

}  // namespace lakeforge
