// Fast non-cryptographic hashing for in-memory hash tables (join index, profile pool, Parquet
// dictionaries). Not stable across versions: never persist these values.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace lakeforge {

// The two halves of the 128-bit product, folded: one multiply mixes every input bit into both.
inline uint64_t MixMul(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

// Unaligned little-endian loads of 8 and 4 bytes.
inline uint64_t Load64(const char* q) {
  uint64_t w;
  std::memcpy(&w, q, 8);
  return w;
}
inline uint64_t Load32(const char* q) {
  uint32_t w;
  std::memcpy(&w, q, 4);
  return w;
}

// 16 bytes per multiply (the structure of wyhash): the tail is read as the last 16 bytes
// (overlapping what the loop hashed) when the string is longer, else with 8/4/1-byte loads, so no
// load ever touches a byte outside it.
inline uint64_t HashBytes(std::string_view s, uint64_t seed = 0) {
  constexpr uint64_t k0 = 0xA0761D6478BD642FULL, k1 = 0xE7037ED1A0B428DBULL, k2 = 0x8EBC6AF09C88C6E3ULL;
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = seed ^ MixMul(seed ^ k0, k1);
  uint64_t a = 0, b = 0;
  if (n <= 16) {
    if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
    } else if (n >= 4) {
      a = Load32(p);
      b = Load32(p + n - 4);
    } else if (n > 0) {
      a = (static_cast<uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
          (static_cast<uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) | static_cast<unsigned char>(p[n - 1]);
    }
  } else {
    const char* end = p + n;
    for (; end - p > 16; p += 16) h = MixMul(Load64(p) ^ k1, Load64(p + 8) ^ h);
    a = Load64(end - 16);
    b = Load64(end - 8);
  }
  return MixMul(k1 ^ n, MixMul(a ^ k1, b ^ h) ^ k2);
}

// Whether n bytes at a and at b are equal: memcmp without the call, for the short strings of hash
// table keys (names, levels, user agents), with the same loads as HashBytes (none outside either).
inline bool BytesEqual(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    uint64_t diff = 0;
    for (size_t i = 0; i + 8 < n; i += 8) diff |= Load64(a + i) ^ Load64(b + i);
    return (diff | (Load64(a + n - 8) ^ Load64(b + n - 8))) == 0;
  }
  if (n >= 4) return ((Load32(a) ^ Load32(b)) | (Load32(a + n - 4) ^ Load32(b + n - 4))) == 0;
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

}  // namespace lakeforge
