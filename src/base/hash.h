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

// 8 bytes at a time; the tail is read as the last 8 bytes (overlapping the previous word) when the
// string has 8 or more, else with 4/2/1-byte loads, so no load ever touches a byte outside it.
inline uint64_t HashBytes(std::string_view s, uint64_t seed = 0) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = MixMul(seed ^ n, 0x9E3779B97F4A7C15ULL);
  auto load64 = [](const char* q) {
    uint64_t w;
    std::memcpy(&w, q, 8);
    return w;
  };
  if (n >= 8) {
    for (; n > 8; p += 8, n -= 8) h = MixMul(h ^ load64(p), 0xA0761D6478BD642FULL);
    return MixMul(h ^ load64(p + n - 8), 0xE7037ED1A0B428DBULL);
  }
  uint64_t w = 0;
  if (n >= 4) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    w = (static_cast<uint64_t>(hi) << 32) | lo;
  } else if (n > 0) {
    w = (static_cast<uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
        (static_cast<uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) | static_cast<unsigned char>(p[n - 1]);
  }
  return MixMul(h ^ w, 0xE7037ED1A0B428DBULL);
}

}  // namespace lakeforge
