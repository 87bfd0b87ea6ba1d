// Streaming gzip and zstd decompression; see decompressing_stream.h.
#include "formats/decompressing_stream.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>

#include "base/error.h"

namespace lakeforge {
namespace {

constexpr size_t kInBytes = size_t{1} << 16;

// Counts what passes through, for stored_bytes.
class CountingStream final : public InputStream {
 public:
  CountingStream(std::unique_ptr<InputStream> raw, uint64_t* consumed) : raw_(std::move(raw)), consumed_(consumed) {}
  size_t Read(char* out, size_t n) override {
    size_t got = raw_->Read(out, n);
    *consumed_ += got;
    return got;
  }

 private:
  std::unique_ptr<InputStream> raw_;
  uint64_t* consumed_;
};

class GzipStream final : public InputStream {
 public:
  GzipStream(std::unique_ptr<InputStream> raw, std::string what, uint64_t* consumed)
      : raw_(std::move(raw)), what_(std::move(what)), consumed_(consumed), in_(kInBytes, '\0') {
    if (inflateInit2(&zs_, 15 + 16) != Z_OK) throw Error::Internal("gzip: inflateInit2 failed");
  }
  ~GzipStream() override { inflateEnd(&zs_); }

  size_t Read(char* out, size_t n) override {
    const size_t cap = std::min<size_t>(n, size_t{1} << 30);
    zs_.next_out = reinterpret_cast<Bytef*>(out);
    zs_.avail_out = static_cast<uInt>(cap);
    while (zs_.avail_out == cap) {  // until something came out, or the end
      if (zs_.avail_in == 0) {
        size_t got = raw_->Read(in_.data(), in_.size());
        *consumed_ += got;
        if (got == 0) {
          if (!in_member_) return 0;  // the end, between members
          throw Error::InvalidInput(what_ + ": truncated gzip data at byte " + std::to_string(*consumed_) +
                                    ": expected the end of the gzip member");
        }
        zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
        zs_.avail_in = static_cast<uInt>(got);
      }
      if (!in_member_) {  // a member begins (several may follow each other: cat a.gz b.gz)
        inflateReset(&zs_);
        in_member_ = true;
      }
      int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw Error::InvalidInput(what_ + ": corrupt gzip data at byte " + std::to_string(*consumed_ - zs_.avail_in) +
                                  ": expected a valid deflate stream");
      }
    }
    return cap - zs_.avail_out;
  }

 private:
  std::unique_ptr<InputStream> raw_;
  std::string what_;
  uint64_t* consumed_;
  std::string in_;
  z_stream zs_{};
  bool in_member_ = false;
};

class ZstdStream final : public InputStream {
 public:
  ZstdStream(std::unique_ptr<InputStream> raw, std::string what, uint64_t* consumed)
      : raw_(std::move(raw)),
        what_(std::move(what)),
        consumed_(consumed),
        in_(ZSTD_DStreamInSize(), '\0'),
        ds_(ZSTD_createDStream()) {
    ZSTD_initDStream(ds_);
  }
  ~ZstdStream() override { ZSTD_freeDStream(ds_); }

  size_t Read(char* out, size_t n) override {
    ZSTD_outBuffer ob{out, n, 0};
    while (ob.pos == 0) {
      if (ib_.pos == ib_.size) {
        size_t got = raw_->Read(in_.data(), in_.size());
        *consumed_ += got;
        if (got == 0) {
          if (last_ != 0)
            throw Error::InvalidInput(what_ + ": truncated zstd data at byte " + std::to_string(*consumed_) +
                                      ": expected the end of the frame");
          return 0;
        }
        ib_ = {in_.data(), got, 0};
      }
      last_ = ZSTD_decompressStream(ds_, &ob, &ib_);
      if (ZSTD_isError(last_))
        throw Error::InvalidInput(what_ + ": corrupt zstd data at byte " +
                                  std::to_string(*consumed_ - (ib_.size - ib_.pos)) + ": " + ZSTD_getErrorName(last_));
    }
    return ob.pos;
  }

 private:
  std::unique_ptr<InputStream> raw_;
  std::string what_;
  uint64_t* consumed_;
  std::string in_;
  ZSTD_DStream* ds_;
  ZSTD_inBuffer ib_{nullptr, 0, 0};
  size_t last_ = 0;
};

}  // namespace

std::unique_ptr<InputStream> MakeDecompressingStream(Codec codec, std::unique_ptr<InputStream> raw,
                                                     const std::string& what, uint64_t* consumed) {
  switch (codec) {
    case Codec::kGzip: return std::make_unique<GzipStream>(std::move(raw), what, consumed);
    case Codec::kZstd: return std::make_unique<ZstdStream>(std::move(raw), what, consumed);
    default: return std::make_unique<CountingStream>(std::move(raw), consumed);
  }
}

}  // namespace lakeforge
