// RLE / bit-packing hybrid encoder; the format is described in rle_hybrid.h.
#include "formats/parquet/rle_hybrid.h"

#include <algorithm>
#include <vector>

namespace lakeforge::parquet {
namespace {

// Appends values[0..count) bit-packed, padding to a multiple of 8 values. The bits gather in a
// 64-bit accumulator that is written out 4 bytes at a time: with width <= 32 it holds fewer than 32
// pending bits before each value, so it never overflows. (Value by value, byte by byte, the packing
// of dictionary indices was a sixth of a songplays partition's encoding.)
template <typename T>
void PutBitPacked(const T* values, size_t count, int width, std::string* out) {
  size_t groups = (count + 7) / 8;
  PutVarint((groups << 1) | 1, out);
  size_t nbytes = groups * static_cast<size_t>(width);
  size_t base = out->size();
  out->resize(base + nbytes);
  auto* dst = reinterpret_cast<uint8_t*>(out->data() + base);
  uint8_t* const end = dst + nbytes;
  const uint64_t mask = (uint64_t{1} << width) - 1;
  uint64_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < count; ++i) {
    acc |= (static_cast<uint64_t>(values[i]) & mask) << bits;
    bits += width;
    if (bits >= 32) {
      for (int b = 0; b < 4; ++b) dst[b] = static_cast<uint8_t>(acc >> (8 * b));  // one little-endian store
      dst += 4;
      acc >>= 32;
      bits -= 32;
    }
  }
  // The pending bits, then zeros: the padding values of the last group.
  for (; dst < end; acc >>= 8) *dst++ = static_cast<uint8_t>(acc);
}

void PutRleRun(uint32_t value, size_t count, int width, std::string* out) {
  PutVarint(static_cast<uint64_t>(count) << 1, out);
  int bytes = (width + 7) / 8;
  for (int b = 0; b < bytes; ++b) out->push_back(static_cast<char>((value >> (8 * b)) & 0xFF));
}

// The hybrid encoding of a sequence given as its maximal runs of equal values: next_run(&value,
// &count) yields them in order and returns false at the end; pack(from, count, out) bit-packs the
// `count` values at positions [from, from + count) of the sequence (PutBitPacked). Runs of 8 or more
// become RLE runs, after the pending literals are completed to a multiple of 8 from the run.
template <typename NextRun, typename Pack>
void EncodeRuns(NextRun next_run, Pack pack, int width, std::string* out) {
  size_t pos = 0, literal_start = 0;  // positions [literal_start, pos) are pending literals
  uint32_t value;
  size_t run;
  while (next_run(&value, &run)) {
    size_t pending = pos - literal_start;
    if (run >= 8 && pending % 8 != 0) {
      size_t take = 8 - pending % 8;
      pos += take;
      run -= take;
      if (run < 8) {
        pos += run;
        continue;
      }
      pending = pos - literal_start;
    }
    if (run >= 8) {
      if (pending > 0) pack(literal_start, pending, out);
      PutRleRun(value, run, width, out);
      pos += run;
      literal_start = pos;
    } else {
      pos += run;
    }
  }
  if (pos > literal_start) pack(literal_start, pos - literal_start, out);
}

template <typename T>
void EncodeHybrid(const T* values, size_t n, int width, std::string* out) {
  size_t i = 0;
  auto next_run = [&](uint32_t* value, size_t* run) {
    if (i == n) return false;
    size_t len = 1;
    while (i + len < n && values[i + len] == values[i]) ++len;
    *value = static_cast<uint32_t>(values[i]);
    *run = len;
    i += len;
    return true;
  };
  EncodeRuns(
      next_run, [&](size_t from, size_t count, std::string* o) { PutBitPacked(values + from, count, width, o); }, width,
      out);
}

}  // namespace

int BitWidth(uint32_t max_value) {
  int w = 0;
  while (max_value != 0) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void EncodeRleHybrid(const uint32_t* values, size_t n, int width, std::string* out) {
  EncodeHybrid(values, n, width, out);
}

void EncodeRleHybrid(const RleRun* runs, size_t n, int width, std::string* out) {
  // Equal neighbours are one run (the encoding decides on maximal runs, as the values' does).
  size_t next = 0;
  auto next_run = [&](uint32_t* value, size_t* run) {
    while (next < n && runs[next].count == 0) ++next;
    if (next == n) return false;
    *value = runs[next].value;
    *run = 0;
    for (; next < n && (runs[next].value == *value || runs[next].count == 0); ++next) *run += runs[next].count;
    return true;
  };
  // Literals are the short runs, expanded here: a cursor walks the runs as pack's positions advance.
  size_t at = 0, at_start = 0;  // runs[at] holds positions [at_start, at_start + runs[at].count)
  std::vector<uint32_t> literals;
  auto pack = [&](size_t from, size_t count, std::string* o) {
    literals.clear();
    for (size_t p = from; p < from + count;) {
      while (p >= at_start + runs[at].count) at_start += runs[at++].count;
      size_t take = std::min(from + count, at_start + runs[at].count) - p;
      literals.insert(literals.end(), take, runs[at].value);
      p += take;
    }
    PutBitPacked(literals.data(), literals.size(), width, o);
  };
  EncodeRuns(next_run, pack, width, out);
}

void EncodeLevels(const uint8_t* levels, size_t n, std::string* out) {
  EncodeHybrid(levels, n, 1, out);
}

void PackBits(const uint8_t* bits, size_t n, std::string* out) {
  size_t base = out->size();
  out->resize(base + (n + 7) / 8, '\0');
  auto* dst = reinterpret_cast<uint8_t*>(out->data() + base);
  for (size_t i = 0; i < n; ++i) dst[i >> 3] |= static_cast<uint8_t>((bits[i] & 1) << (i & 7));
}

}  // namespace lakeforge::parquet
