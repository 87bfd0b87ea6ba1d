// Whole-file reads with transparent decompression; see input_file.h.
#include "pipeline/input_file.h"

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

}  // namespace lakeforge
