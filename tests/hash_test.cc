// BytesEqual against memcmp: every length up to 40, a difference at every position. Each string
// is its own heap block of exactly its size, so the ASan build fails on any load outside it.
#include "base/hash.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

namespace lakeforge {
namespace {

std::unique_ptr<char[]> Bytes(size_t n, char seed) {
  auto p = std::make_unique<char[]>(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<char>(seed + 7 * i);
  return p;
}

TEST(BytesEqual, AgreesWithMemcmpAtEveryLengthAndPosition) {
  for (size_t n = 0; n <= 40; ++n) {
    auto a = Bytes(n, 'a'), b = Bytes(n, 'a');
    EXPECT_TRUE(BytesEqual(a.get(), b.get(), n)) << n;
    for (size_t at = 0; at < n; ++at) {
      for (char flip : {char{1}, char{-128}}) {
        b[at] = static_cast<char>(b[at] ^ flip);
        bool expected = std::memcmp(a.get(), b.get(), n) == 0;
        EXPECT_EQ(BytesEqual(a.get(), b.get(), n), expected) << "length " << n << ", byte " << at;
        EXPECT_FALSE(expected);
        b[at] = static_cast<char>(b[at] ^ flip);
      }
    }
  }
}

}  // namespace
}  // namespace lakeforge
