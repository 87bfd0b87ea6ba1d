// RLE / bit-packing hybrid encoder; the format is described in rle_hybrid.h.
#include "formats/parquet/rle_hybrid.h"

#include <algorithm>

namespace lakeforge::parquet {
namespace {

// Appends values[0..count) bit-packed, padding to a multiple of 8 values.
template <typename T>
void PutBitPacked(const T* values, size_t count, int width, std::string* out) {
  size_t groups = (count + 7) / 8;
  PutVarint((groups << 1) | 1, out);
  size_t nbytes = groups * static_cast<size_t>(width);
  size_t base = out->size();
  out->resize(base + nbytes, '\0');
  auto* dst = reinterpret_cast<uint8_t*>(out->data() + base);
  uint64_t bitpos = 0;
  for (size_t i = 0; i < count; ++i, bitpos += width) {
    uint64_t v = static_cast<uint64_t>(values[i]);
    uint64_t byte = bitpos >> 3;
    int shift = static_cast<int>(bitpos & 7);
    int remaining = width;
    v <<= shift;
    remaining += shift;
    while (remaining > 0) {
      dst[byte++] |= static_cast<uint8_t>(v & 0xFF);
      v >>= 8;
      remaining -= 8;
    }
  }
}

void PutRleRun(uint32_t value, size_t count, int width, std::string* out) {
  PutVarint(static_cast<uint64_t>(count) << 1, out);
  int bytes = (width + 7) / 8;
  for (int b = 0; b < bytes; ++b) out->push_back(static_cast<char>((value >> (8 * b)) & 0xFF));
}

template <typename T>
void EncodeHybrid(const T* values, size_t n, int width, std::string* out) {
  size_t literal_start = 0;  // values[literal_start, i) are pending literals
  size_t i = 0;
  while (i < n) {
    size_t run = 1;
    while (i + run < n && values[i + run] == values[i]) ++run;
    size_t pending = i - literal_start;
    if (run >= 8 && pending % 8 != 0) {
      // Complete the pending literals to a multiple of 8 with values of this run.
      size_t take = 8 - pending % 8;
      i += take;
      run -= take;
      if (run < 8) {
        i += run;
        continue;
      }
      pending = i - literal_start;
    }
    if (run >= 8) {
      if (pending > 0) PutBitPacked(values + literal_start, pending, width, out);
      PutRleRun(static_cast<uint32_t>(values[i]), run, width, out);
      i += run;
      literal_start = i;
    } else {
      i += run;
    }
  }
  if (i > literal_start) PutBitPacked(values + literal_start, i - literal_start, width, out);
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
