// Page compression codecs for Parquet column chunks (and for compressed JSON inputs).
#pragma once

#include <string>
#include <string_view>

namespace lakeforge {

enum class Codec { kUncompressed = 0, kSnappy = 1, kGzip = 2, kZstd = 6 };

// Parses "snappy", "zstd", "gzip", "none"/"uncompressed"; throws Error::Usage otherwise.
Codec ParseCodec(std::string_view name);
const char* CodecName(Codec codec);
// File-name infix Spark uses: "snappy", "zstd", "gz", "" for none.
const char* CodecFileTag(Codec codec);

// The codec a file name implies: ".gz" gzip, ".zst" zstd, anything else none; and its extension.
Codec CodecOfFileName(std::string_view path);
const char* CodecFileExtension(Codec codec);

// Appends the compressed form of `in` to *out (the Parquet page framing: raw snappy block,
// a gzip member, a zstd frame).
void Compress(Codec codec, std::string_view in, std::string* out);

// Decompresses a whole gzip (possibly multi-member) or zstd stream; `what` names the source in
// error messages.
std::string DecompressGzip(std::string_view in, const std::string& what);
std::string DecompressZstd(std::string_view in, const std::string& what);

}  // namespace lakeforge

namespace lakeforge {

class OutputStream;

// Streams bytes through a codec into an OutputStream: gzip (one member) or a zstd frame, or
// straight through for kUncompressed. Finish() writes the trailer; it does not close `out`.
class CompressingWriter {
 public:
  CompressingWriter(Codec codec, OutputStream* out);
  ~CompressingWriter();
  void Write(std::string_view data);
  void Finish();

 private:
  struct State;
  Codec codec_;
  OutputStream* out_;
  State* state_;
};

}  // namespace lakeforge
