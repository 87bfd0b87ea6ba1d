// Whole-file reads with transparent decompression; see input_file.h.
#include "pipeline/input_file.h"

#include <algorithm>
#include <cstring>

#include "formats/compression.h"

namespace lakeforge {

void ReadInputFile(FileSystem& fs, const std::string& path, size_t padding, FileBuffer* buf, uint64_t* stored_bytes) {
  fs.ReadFile(path, padding, buf);
  *stored_bytes = buf->size;
  Codec codec = CodecOfFileName(path);
  if (codec == Codec::kUncompressed) return;
  std::string plain = codec == Codec::kGzip ? DecompressGzip(buf->view(), path) : DecompressZstd(buf->view(), path);
  buf->size = plain.size();
  plain.append(padding, '\0');
  buf->data = std::move(plain);
}

void ReadInputLines(FileSystem& fs, const std::string& path, size_t padding, size_t piece_bytes, FileBuffer* buf,
                    uint64_t* stored_bytes, const std::function<uint32_t(std::string_view, uint32_t)>& fn) {
  if (CodecOfFileName(path) != Codec::kUncompressed) {
    ReadInputFile(fs, path, padding, buf, stored_bytes);
    fn(buf->view(), 1);
    return;
  }
  auto in = fs.OpenInputStream(path);
  *stored_bytes = 0;
  uint32_t line = 1;
  size_t have = 0;  // bytes in buf->data: the unparsed tail of the last piece, then new bytes
  for (;;) {
    if (buf->data.size() < have + piece_bytes + padding) buf->data.resize(have + piece_bytes + padding);
    size_t got = in->Read(buf->data.data() + have, piece_bytes);
    *stored_bytes += got;
    have += got;
    if (got == 0) break;
    // Only the new bytes can hold a newline: what was left over is one unfinished line.
    size_t in_new = std::string_view(buf->data.data() + have - got, got).rfind('\n');
    if (in_new == std::string_view::npos) continue;  // one long line so far: read on
    std::string_view lines(buf->data.data(), have - got + in_new + 1);
    line += fn(lines, line);
    std::memmove(buf->data.data(), buf->data.data() + lines.size(), have - lines.size());
    have -= lines.size();
  }
  std::memset(buf->data.data() + have, 0, padding);
  buf->size = have;
  if (have > 0 || *stored_bytes == 0) fn(buf->view(), line);  // the last line, or an empty file
}

}  // namespace lakeforge
