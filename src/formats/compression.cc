// Codec adapters over snappy, zlib and zstd.
#include "formats/compression.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include "base/error.h"

namespace lakeforge {

Codec ParseCodec(std::string_view name) {
  if (name == "snappy") return Codec::kSnappy;
  if (name == "zstd") return Codec::kZstd;
  if (name == "gzip") return Codec::kGzip;
  if (name == "none" || name == "uncompressed") return Codec::kUncompressed;
  throw Error::Usage("unknown compression '" + std::string(name) + "': expected snappy, zstd, gzip or none");
}

const char* CodecName(Codec codec) {
  switch (codec) {
    case Codec::kSnappy: return "snappy";
    case Codec::kZstd: return "zstd";
    case Codec::kGzip: return "gzip";
    case Codec::kUncompressed: return "none";
  }
  return "?";
}

const char* CodecFileTag(Codec codec) {
  switch (codec) {
    case Codec::kSnappy: return "snappy";
    case Codec::kZstd: return "zstd";
    case Codec::kGzip: return "gz";
    case Codec::kUncompressed: return "";
  }
  return "";
}

Codec CodecOfFileName(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".gz")) return Codec::kGzip;
  if (ends(".zst")) return Codec::kZstd;
  return Codec::kUncompressed;
}

const char* CodecFileExtension(Codec codec) {
  return codec == Codec::kGzip ? ".gz" : codec == Codec::kZstd ? ".zst" : "";
}

void Compress(Codec codec, std::string_view in, std::string* out) {
  size_t base = out->size();
  switch (codec) {
    case Codec::kUncompressed:
      out->append(in.data(), in.size());
      return;
    case Codec::kSnappy: {
      out->resize(base + snappy::MaxCompressedLength(in.size()));
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out->data() + base, &n);
      out->resize(base + n);
      return;
    }
    case Codec::kZstd: {
      size_t bound = ZSTD_compressBound(in.size());
      out->resize(base + bound);
      size_t n = ZSTD_compress(out->data() + base, bound, in.data(), in.size(), 3);
      if (ZSTD_isError(n)) throw Error::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
      out->resize(base + n);
      return;
    }
    case Codec::kGzip: {
      z_stream zs{};
      if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw Error::Internal("gzip: deflateInit2 failed");
      uLong bound = deflateBound(&zs, static_cast<uLong>(in.size())) + 32;
      out->resize(base + bound);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs.avail_in = static_cast<uInt>(in.size());
      zs.next_out = reinterpret_cast<Bytef*>(out->data() + base);
      zs.avail_out = static_cast<uInt>(bound);
      int rc = deflate(&zs, Z_FINISH);
      deflateEnd(&zs);
      if (rc != Z_STREAM_END) throw Error::Internal("gzip: deflate did not finish");
      out->resize(base + zs.total_out);
      return;
    }
  }
}

std::string DecompressGzip(std::string_view in, const std::string& what) {
  std::string out;
  size_t pos = 0;
  // A .gz file may hold several members back to back (cat a.gz b.gz); decode them all.
  while (pos < in.size()) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) throw Error::Internal("gzip: inflateInit2 failed");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + pos));
    zs.avail_in = static_cast<uInt>(in.size() - pos);
    int rc = Z_OK;
    char buf[1 << 16];
    while (rc != Z_STREAM_END) {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof(buf);
      rc = inflate(&zs, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END) {
        size_t at = pos + zs.total_in;
        inflateEnd(&zs);
        throw Error::InvalidInput(what + ": corrupt gzip data at byte " + std::to_string(at) +
                                  ": expected a valid deflate stream");
      }
      out.append(buf, sizeof(buf) - zs.avail_out);
      if (rc != Z_STREAM_END && zs.avail_in == 0) {
        inflateEnd(&zs);
        throw Error::InvalidInput(what + ": truncated gzip data at byte " + std::to_string(in.size()) +
                                  ": expected the end of the gzip member");
      }
    }
    pos += zs.total_in;
    inflateEnd(&zs);
  }
  return out;
}

std::string DecompressZstd(std::string_view in, const std::string& what) {
  std::string out;
  ZSTD_DStream* ds = ZSTD_createDStream();
  ZSTD_initDStream(ds);
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  size_t last = 0;
  for (;;) {
    ZSTD_outBuffer ob{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(ds, &ob, &ib);
    if (ZSTD_isError(last)) {
      ZSTD_freeDStream(ds);
      throw Error::InvalidInput(what + ": corrupt zstd data near byte " + std::to_string(ib.pos) + ": " +
                                ZSTD_getErrorName(last));
    }
    out.append(buf.data(), ob.pos);
    // Done when all input is consumed and the decoder did not stop for lack of output space.
    if (ib.pos == ib.size && ob.pos < ob.size) break;
  }
  ZSTD_freeDStream(ds);
  if (last != 0)
    throw Error::InvalidInput(what + ": truncated zstd data at byte " + std::to_string(in.size()) +
                              ": expected the end of the zstd frame");
  return out;
}

}  // namespace lakeforge

#include "io/output_stream.h"

namespace lakeforge {

struct CompressingWriter::State {
  z_stream zs{};
  ZSTD_CStream* zstd = nullptr;
  std::string buf = std::string(size_t{1} << 17, '\0');
};

CompressingWriter::CompressingWriter(Codec codec, OutputStream* out) : codec_(codec), out_(out), state_(new State) {
  if (codec_ == Codec::kGzip) {
    if (deflateInit2(&state_->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw Error::Internal("gzip: deflateInit2 failed");
  } else if (codec_ == Codec::kZstd) {
    state_->zstd = ZSTD_createCStream();
    ZSTD_initCStream(state_->zstd, 3);
  } else if (codec_ == Codec::kSnappy) {
    throw Error::Usage("snappy is a Parquet page codec, not a file codec: expected none, gzip or zstd");
  }
}

CompressingWriter::~CompressingWriter() {
  if (codec_ == Codec::kGzip) deflateEnd(&state_->zs);
  if (state_->zstd) ZSTD_freeCStream(state_->zstd);
  delete state_;
}

void CompressingWriter::Write(std::string_view data) {
  if (codec_ == Codec::kUncompressed) {
    out_->Write(data);
    return;
  }
  if (codec_ == Codec::kGzip) {
    z_stream& zs = state_->zs;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    while (zs.avail_in > 0) {
      zs.next_out = reinterpret_cast<Bytef*>(state_->buf.data());
      zs.avail_out = static_cast<uInt>(state_->buf.size());
      deflate(&zs, Z_NO_FLUSH);
      out_->Write(std::string_view(state_->buf.data(), state_->buf.size() - zs.avail_out));
    }
    return;
  }
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer ob{state_->buf.data(), state_->buf.size(), 0};
    size_t rc = ZSTD_compressStream2(state_->zstd, &ob, &in, ZSTD_e_continue);
    if (ZSTD_isError(rc)) throw Error::Internal(std::string("zstd: ") + ZSTD_getErrorName(rc));
    out_->Write(std::string_view(state_->buf.data(), ob.pos));
  }
}

void CompressingWriter::Finish() {
  if (codec_ == Codec::kGzip) {
    z_stream& zs = state_->zs;
    zs.avail_in = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      zs.next_out = reinterpret_cast<Bytef*>(state_->buf.data());
      zs.avail_out = static_cast<uInt>(state_->buf.size());
      rc = deflate(&zs, Z_FINISH);
      out_->Write(std::string_view(state_->buf.data(), state_->buf.size() - zs.avail_out));
    }
  } else if (codec_ == Codec::kZstd) {
    ZSTD_inBuffer in{nullptr, 0, 0};
    size_t remaining = 1;
    while (remaining != 0) {
      ZSTD_outBuffer ob{state_->buf.data(), state_->buf.size(), 0};
      remaining = ZSTD_compressStream2(state_->zstd, &ob, &in, ZSTD_e_end);
      if (ZSTD_isError(remaining)) throw Error::Internal(std::string("zstd: ") + ZSTD_getErrorName(remaining));
      out_->Write(std::string_view(state_->buf.data(), ob.pos));
    }
  }
}

}  // namespace lakeforge
