// Input reads with streaming decompression and a bound on the record size; see input_file.h.
#include "formats/input_file.h"

#include <algorithm>
#include <cstring>

#include "formats/compression.h"
#include "formats/decompressing_stream.h"

namespace lakeforge {
namespace {

std::unique_ptr<InputStream> OpenInput(FileSystem& fs, const std::string& path, uint64_t* stored_bytes) {
  *stored_bytes = 0;
  return MakeDecompressingStream(CodecOfFileName(path), fs.OpenInputStream(path), path, stored_bytes);
}

// The stream to read: the file system's, or the read-ahead bytes; null for read-ahead bytes that
// need no decoding (the caller uses them where they lie).
std::unique_ptr<InputStream> OpenInput(FileSystem& fs, const std::string& path, const FileBuffer* read_ahead,
                                       uint64_t* stored_bytes) {
  if (read_ahead == nullptr) return OpenInput(fs, path, stored_bytes);
  Codec codec = CodecOfFileName(path);
  *stored_bytes = 0;
  if (codec == Codec::kUncompressed) {
    *stored_bytes = read_ahead->size;
    return nullptr;
  }
  return MakeDecompressingStream(codec, MakeViewInputStream(read_ahead->view()), path, stored_bytes);
}

// Reads until `want` bytes are in *buf (from `have` on) or the end; returns the new count.
size_t Fill(InputStream& in, FileBuffer* buf, size_t have, size_t want, size_t padding) {
  if (buf->data.size() < want + padding) buf->data.resize(want + padding);
  while (have < want) {
    size_t got = in.Read(buf->data.data() + have, want - have);
    if (got == 0) break;
    have += got;
  }
  return have;
}

// The line loop of ReadInputLines over an open stream, starting with `have` bytes already in *buf.
void ReadLines(InputStream& in, size_t have, size_t padding, size_t piece_bytes, uint64_t max_record_bytes,
               FileBuffer* buf, const LineCallbacks& cb) {
  uint32_t line = 1;
  size_t scanned = 0;  // bytes of buf already known to hold no newline
  bool any = have > 0;
  for (;;) {
    size_t nl = have > scanned ? std::string_view(buf->data.data() + scanned, have - scanned).rfind('\n')
                               : std::string_view::npos;
    if (nl != std::string_view::npos) {
      std::string_view lines(buf->data.data(), scanned + nl + 1);
      line += cb.lines(lines, line);
      std::memmove(buf->data.data(), buf->data.data() + lines.size(), have - lines.size());
      have -= lines.size();
      scanned = 0;
    } else {
      scanned = have;
    }
    if (have > max_record_bytes) {
      // One line longer than any record may be: keep its head, count and skip the rest.
      OversizedRecord big{.line = line, .bytes = have, .head = OversizedHead(std::string_view(buf->data.data(), have))};
      for (;;) {
        size_t got = in.Read(buf->data.data(), std::min(buf->data.size() - padding, piece_bytes));
        if (got == 0) {
          have = 0;
          break;
        }
        const char* end = static_cast<const char*>(std::memchr(buf->data.data(), '\n', got));
        size_t k = end == nullptr ? got : static_cast<size_t>(end - buf->data.data());
        if (big.head.size() < kOversizedHeadBytes)  // a limit below the head size: fill the head up
          big.head = OversizedHead(big.head + std::string(buf->data.data(), std::min(k, kOversizedHeadBytes)));
        big.bytes += k;
        if (end == nullptr) continue;
        std::memmove(buf->data.data(), buf->data.data() + k + 1, got - k - 1);
        have = got - k - 1;
        break;
      }
      cb.oversized(big);
      ++line;
      scanned = 0;
      any = true;
      continue;  // what followed the long line may hold whole lines already
    }
    size_t before = have;
    have = Fill(in, buf, have, have + piece_bytes, padding);
    if (have == before) break;  // the end
    any = true;
  }
  std::memset(buf->data.data() + have, 0, padding);
  buf->size = have;
  if (have > 0 || !any) cb.lines(buf->view(), line);  // the last line, or an empty file
}

}  // namespace

std::string OversizedHead(std::string_view text) {
  size_t n = std::min(text.size(), kOversizedHeadBytes);
  if (n < text.size())
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // not inside a character
  return std::string(text.substr(0, n));
}

void ChunkedInput::Open(FileSystem& fs, const std::string& path, size_t chunk_bytes, const FileBuffer* read_ahead) {
  whole_ = {};
  in_ = OpenInput(fs, path, read_ahead, &stored_);
  max_ = chunk_bytes;
  if (in_ == nullptr) {
    whole_ = read_ahead->view();
    if (whole_.empty()) whole_ = {"", 0};  // (an empty file: no chunk at all)
    size_ = 0;
    return;
  }
  Next();
}

bool ChunkedInput::Next() {
  if (in_ == nullptr) {  // read ahead: the one chunk was all
    whole_ = {};
    size_ = 0;
    return false;
  }
  // The buffer grows to the chunk size only for files that fill it: read-ahead of many small files
  // costs little memory.
  size_ = 0;
  for (;;) {
    if (size_ == buf_.size()) {
      if (buf_.size() >= max_) break;
      buf_.resize(std::min(max_, std::max<size_t>(size_t{64} << 10, buf_.size() * 2)));
    }
    size_t got = in_->Read(buf_.data() + size_, buf_.size() - size_);
    if (got == 0) break;
    size_ += got;
  }
  return size_ > 0;
}

void SplitLines(std::string_view data, size_t piece_bytes, const LineCallbacks& callbacks) {
  uint32_t line = 1;
  if (data.empty()) {
    callbacks.lines(data, line);
    return;
  }
  piece_bytes = std::max<size_t>(piece_bytes, 1);
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = data.size() - pos <= piece_bytes ? data.size() : pos + piece_bytes;
    size_t cut = data.size();
    if (end < data.size()) {
      size_t nl = data.substr(pos, end - pos).rfind('\n');
      if (nl != std::string_view::npos) {
        cut = pos + nl + 1;
      } else {  // one line longer than a piece: the whole of it
        size_t next = data.find('\n', end);
        cut = next == std::string_view::npos ? data.size() : next + 1;
      }
    }
    line += callbacks.lines(data.substr(pos, cut - pos), line);
    pos = cut;
  }
}

void ReadInputLines(FileSystem& fs, const std::string& path, size_t padding, size_t piece_bytes,
                    uint64_t max_record_bytes, FileBuffer* buf, uint64_t* stored_bytes, const LineCallbacks& callbacks,
                    const FileBuffer* read_ahead) {
  auto in = OpenInput(fs, path, read_ahead, stored_bytes);
  if (in == nullptr) {
    SplitLines(read_ahead->view(), piece_bytes, callbacks);
    return;
  }
  ReadLines(*in, 0, padding, piece_bytes, max_record_bytes, buf, callbacks);
}

void ReadSongInput(FileSystem& fs, const std::string& path, size_t padding, size_t piece_bytes,
                   uint64_t max_record_bytes, FileBuffer* buf, uint64_t* stored_bytes,
                   const std::function<void(std::string_view)>& whole, const LineCallbacks& callbacks,
                   const FileBuffer* read_ahead) {
  auto in = OpenInput(fs, path, read_ahead, stored_bytes);
  if (in == nullptr) {  // read ahead, uncompressed: used where it lies
    if (read_ahead->size <= max_record_bytes)
      whole(read_ahead->view());
    else
      SplitLines(read_ahead->view(), piece_bytes, callbacks);
    return;
  }
  // One read of up to the limit: for the usual small file that is the whole of it (open, read,
  // read = 0, close, as a whole-file read costs).
  // The buffer grows with the file (doubling from 64 KiB), never past the limit + 1 byte.
  const size_t limit = static_cast<size_t>(max_record_bytes) + 1;
  size_t have = 0;
  for (size_t want = std::min(limit, size_t{64} << 10);; want = std::min(limit, want * 2)) {
    have = Fill(*in, buf, have, want, padding);
    if (have < want || want == limit) break;
  }
  if (have <= max_record_bytes) {
    std::memset(buf->data.data() + have, 0, padding);
    buf->size = have;
    whole(buf->view());
    return;
  }
  ReadLines(*in, have, padding, piece_bytes, max_record_bytes, buf, callbacks);
}

}  // namespace lakeforge
