// DELTA_BINARY_PACKED; the layout is in delta_binary_packed.h.
#include "formats/parquet/delta_binary_packed.h"

#include <algorithm>
#include <bit>
#include <type_traits>

#include "formats/parquet/rle_hybrid.h"

namespace lakeforge::parquet {
namespace {

constexpr size_t kBlockValues = 128;
constexpr size_t kMiniblocks = 4;
constexpr size_t kMiniblockValues = kBlockValues / kMiniblocks;  // 32: a whole number of bytes at any width

void PutZigzag(int64_t v, std::string* out) {
  PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63), out);
}

// Packs 32 values of `width` bits (each below 2^width), least-significant bit first: 4 * width bytes.
template <typename U>
void PackMiniblock(const U* v, int width, std::string* out) {
  if (width == 0) return;
  unsigned __int128 acc = 0;
  int bits = 0;
  char bytes[8];
  for (size_t i = 0; i < kMiniblockValues; ++i) {
    acc |= static_cast<unsigned __int128>(v[i]) << bits;
    bits += width;
    if (bits >= 64) {
      auto word = static_cast<uint64_t>(acc);
      for (int b = 0; b < 8; ++b) bytes[b] = static_cast<char>(word >> (8 * b));
      out->append(bytes, 8);
      acc >>= 64;
      bits -= 64;
    }
  }
  // 32 * width bits in all: what is left is a whole number of bytes.
  auto word = static_cast<uint64_t>(acc);
  for (int b = 0; b < bits / 8; ++b) out->push_back(static_cast<char>(word >> (8 * b)));
}

template <typename T>
void Encode(const T* values, size_t n, std::string* out) {
  using U = std::make_unsigned_t<T>;
  PutVarint(kBlockValues, out);
  PutVarint(kMiniblocks, out);
  PutVarint(n, out);
  PutZigzag(n > 0 ? values[0] : 0, out);
  U deltas[kBlockValues];
  for (size_t at = 1; at < n; at += kBlockValues) {
    const size_t m = std::min(kBlockValues, n - at);
    T min_delta = 0;
    for (size_t j = 0; j < m; ++j) {
      deltas[j] = static_cast<U>(static_cast<U>(values[at + j]) - static_cast<U>(values[at + j - 1]));
      auto d = static_cast<T>(deltas[j]);
      min_delta = j == 0 ? d : std::min(min_delta, d);
    }
    std::fill(deltas + m, deltas + kBlockValues, static_cast<U>(min_delta));  // padding: 0 once rebased
    for (U& d : deltas) d = static_cast<U>(d - static_cast<U>(min_delta));
    PutZigzag(min_delta, out);
    const size_t used = (m + kMiniblockValues - 1) / kMiniblockValues;
    int width[kMiniblocks] = {};
    for (size_t k = 0; k < used; ++k) {
      U any = 0;
      for (size_t j = 0; j < kMiniblockValues; ++j) any |= deltas[k * kMiniblockValues + j];
      width[k] = static_cast<int>(std::bit_width(any));
    }
    for (int w : width) out->push_back(static_cast<char>(w));
    for (size_t k = 0; k < used; ++k) PackMiniblock(deltas + k * kMiniblockValues, width[k], out);
  }
}

}  // namespace

void EncodeDeltaBinaryPacked(const int32_t* values, size_t n, std::string* out) { Encode(values, n, out); }
void EncodeDeltaBinaryPacked(const int64_t* values, size_t n, std::string* out) { Encode(values, n, out); }

}  // namespace lakeforge::parquet
