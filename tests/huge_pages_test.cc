// BlockArena and HugePageAllocator: every array handed out is aligned, its own (no two overlap,
// checked by filling each with its own pattern and reading all back at the end), survives the
// arena's moves, and the memory mapped stays within the stated bounds.
#include "base/huge_pages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "base/block_arena.h"

namespace lakeforge {
namespace {

TEST(BlockArena, ArraysAreAlignedDisjointAndKeptAcrossMoves) {
  std::mt19937_64 rng(3);
  BlockArena arena(size_t{4} << 20);  // small blocks, so arrays cross many of them
  struct Given {
    uint8_t* p;
    size_t bytes;
    uint8_t fill;
  };
  std::vector<Given> given;
  size_t total = 0, largest = 0;
  for (int i = 0; i < 3000; ++i) {
    size_t align = size_t{1} << (rng() % 7);  // 1 .. 64
    // Mostly small, some of several MiB, a few larger than a block.
    size_t bytes = rng() % 50 == 0 ? (size_t{1} << 20) * (1 + rng() % 9) : 1 + rng() % 70000;
    auto* p = static_cast<uint8_t*>(arena.Allocate(bytes, align));
    ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u) << "allocation " << i;
    auto fill = static_cast<uint8_t>(i * 7 + 1);
    std::memset(p, fill, bytes);
    given.push_back({p, bytes, fill});
    total += bytes;
    largest = std::max(largest, bytes);
    if (i == 1500) {  // moved mid-way: what it handed out stays valid and it goes on handing out
      BlockArena moved(std::move(arena));
      arena = std::move(moved);
    }
  }
  for (size_t i = 0; i < given.size(); ++i) {
    const Given& g = given[i];
    for (size_t k = 0; k < g.bytes; k += 997) ASSERT_EQ(g.p[k], g.fill) << "allocation " << i << " byte " << k;
    ASSERT_EQ(g.p[g.bytes - 1], g.fill) << "allocation " << i;
  }
  // Left blocks are trimmed to what they hold: mapped memory is what was handed out (plus
  // alignment and page rounding per array) plus the current block.
  EXPECT_GE(arena.mapped_bytes(), total);
  EXPECT_LE(arena.mapped_bytes(), total + given.size() * 64 + 2000 * kSmallPageBytes + (size_t{4} << 20) + largest);
}

TEST(BlockArena, CopiesAndEmptyArrays) {
  BlockArena arena;
  EXPECT_EQ(arena.mapped_bytes(), 0u);
  std::span<int64_t> none = arena.Copy(std::span<const int64_t>());
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(arena.mapped_bytes(), 0u);  // nothing mapped for nothing
  std::vector<int64_t> v(100000);
  std::iota(v.begin(), v.end(), -500);
  std::span<int64_t> copy = arena.Copy(std::span<const int64_t>(v));
  ASSERT_EQ(copy.size(), v.size());
  EXPECT_NE(copy.data(), v.data());
  EXPECT_TRUE(std::equal(copy.begin(), copy.end(), v.begin()));
  // The first MiB is in small pages, a block as large as the array (800 KB) but no more.
  EXPECT_EQ(arena.mapped_bytes(), RoundUpTo(v.size() * sizeof(int64_t), kSmallPageBytes));
  EXPECT_EQ(arena.advised_bytes(), 0u);
  BlockArena tiny(0);  // huge blocks of at least one huge page whatever is asked
  EXPECT_NE(tiny.Allocate(10, 8), nullptr);
  EXPECT_NE(tiny.Allocate(kHugePageBytes, 8), nullptr);              // past the first MiB: a huge block
  EXPECT_EQ(tiny.mapped_bytes(), kSmallPageBytes + kHugePageBytes);  // the first block trimmed to its page
  EXPECT_EQ(tiny.advised_bytes(), kHugePageBytes);
}

// Past its first MiB an arena maps whole huge pages, advised: the blocks it leaves are trimmed to
// what they hold, and a block sized from those (not whole) once left each block's last part, and
// 16 MiB of an arena's first blocks, in small pages.
TEST(BlockArena, PastTheFirstMiBBlocksAreWholeHugePages) {
  std::mt19937_64 rng(5);
  for (size_t block_bytes : {size_t{4} << 20, size_t{16} << 20, size_t{64} << 20}) {
    SCOPED_TRACE("blocks of " + std::to_string(block_bytes));
    BlockArena arena(block_bytes);
    size_t total = 0;
    while (total < (size_t{48} << 20)) {  // never written: mapping costs no memory
      size_t bytes = 1 + rng() % 130000;
      ASSERT_NE(arena.Allocate(bytes, 8), nullptr);
      total += bytes;
    }
    EXPECT_EQ(arena.advised_bytes() % kHugePageBytes, 0u);
    // All but the first MiB (and the array that did not fit in it) is in advised blocks.
    EXPECT_GE(arena.advised_bytes() + BlockArena::kSmallPhaseBytes + 130000, total);
    EXPECT_LE(arena.mapped_bytes(), total + BlockArena::kSmallPhaseBytes + block_bytes);
  }
}

TEST(HugePageAllocator, LargeArraysAreHugePageAlignedAndBehaveAsVectors) {
  HugeVector<int64_t> big;
  big.reserve(size_t{1} << 20);  // 8 MiB: mapped
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big.data()) % kHugePageBytes, 0u);
  for (int64_t i = 0; i < (int64_t{1} << 20); ++i) big.push_back(i * 3);
  big.push_back(-1);  // grows past its capacity: a new mapping, the old one unmapped
  ASSERT_EQ(big.size(), (size_t{1} << 20) + 1);
  for (size_t i = 0; i + 1 < big.size(); i += 4099) ASSERT_EQ(big[i], static_cast<int64_t>(i) * 3);
  EXPECT_EQ(big.back(), -1);
  HugeVector<int64_t> small(10, 7);  // below 2 MiB: the ordinary heap
  HugeVector<int64_t> copy = big;
  copy.swap(small);
  EXPECT_EQ(small.size(), big.size());
  EXPECT_EQ(copy, HugeVector<int64_t>(10, 7));
  EXPECT_EQ(small, big);
}

// TakeBlocks hands over blocks that hold every array given out, do not overlap, and leave the
// arena empty but usable; the arrays stay readable until their block is unmapped.
TEST(BlockArena, TakeBlocksCoversEveryArrayAndEmptiesTheArena) {
  BlockArena arena;
  std::vector<std::span<int64_t>> arrays;
  for (size_t i = 0; i < 40; ++i) {
    std::vector<int64_t> v(1 + i * 9000, static_cast<int64_t>(i));  // 3 KiB .. 2.8 MiB
    arrays.push_back(arena.Copy(std::span<const int64_t>(v)));
  }
  std::vector<std::pair<char*, size_t>> blocks = arena.TakeBlocks();
  EXPECT_EQ(arena.mapped_bytes(), 0u);
  EXPECT_GT(blocks.size(), 1u);
  std::sort(blocks.begin(), blocks.end());
  for (size_t b = 0; b + 1 < blocks.size(); ++b) EXPECT_LE(blocks[b].first + blocks[b].second, blocks[b + 1].first);
  for (size_t i = 0; i < arrays.size(); ++i) {
    auto* begin = reinterpret_cast<char*>(arrays[i].data());
    bool held = std::any_of(blocks.begin(), blocks.end(), [&](const auto& b) {
      return begin >= b.first && begin + arrays[i].size_bytes() <= b.first + b.second;
    });
    EXPECT_TRUE(held) << "array " << i;
    EXPECT_TRUE(
        std::all_of(arrays[i].begin(), arrays[i].end(), [&](int64_t x) { return x == static_cast<int64_t>(i); }));
  }
  for (const auto& [base, bytes] : blocks) UnmapHugePages(base, bytes);
  EXPECT_NE(arena.Allocate(100, 8), nullptr);  // empty, not broken
  EXPECT_EQ(arena.mapped_bytes(), BlockArena::kSmallBlockBytes);  // a small block again
}

TEST(MappedArray, HoldsItsElementsAndMovesOwnership) {
  MappedArray<int64_t> none;
  EXPECT_EQ(none.data(), nullptr);
  EXPECT_EQ(MappedArray<int64_t>(0).data(), nullptr);
  MappedArray<int64_t> big(size_t{1} << 19);  // 4 MiB: huge-page aligned
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big.data()) % kHugePageBytes, 0u);
  for (size_t i = 0; i < big.size(); ++i) big.data()[i] = static_cast<int64_t>(i) - 7;
  int64_t* data = big.data();
  MappedArray<int64_t> moved(std::move(big));
  EXPECT_EQ(big.data(), nullptr);
  EXPECT_EQ(big.size(), 0u);
  ASSERT_EQ(moved.data(), data);
  none = std::move(moved);
  ASSERT_EQ(none.size(), size_t{1} << 19);
  for (size_t i = 0; i < none.size(); i += 1021) ASSERT_EQ(none.data()[i], static_cast<int64_t>(i) - 7);
  none.Reset();
  EXPECT_EQ(none.data(), nullptr);
}

}  // namespace
}  // namespace lakeforge
