// Memory for many arrays that live and die together: large blocks mapped from the kernel (see
// huge_pages.h for why), handed out front to back and unmapped when the arena goes.
//
// The map stage keeps every event of the lake until the reduce, one sorted array per file: as
// vectors they cost a page fault per 4 KiB, in an arena one per 2 MiB. A block's untouched tail is
// never resident and the tail of a block left for the next is unmapped, so an arena costs no more
// memory than the arrays in it plus at most one huge page (its current block's last). An arena's
// first MiB is in blocks of small pages, so a small run stays small; after it, blocks are whole
// huge pages, advised.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/huge_pages.h"

namespace lakeforge {

class BlockArena {
 public:
  // An arena's first kSmallPhaseBytes are in blocks of small pages, of kSmallBlockBytes (or the
  // array, if larger).
  static constexpr size_t kSmallPhaseBytes = size_t{1} << 20;
  static constexpr size_t kSmallBlockBytes = size_t{256} << 10;

  // Blocks grow to block_bytes (rounded up to huge pages); an array larger than that gets a block
  // of its own.
  explicit BlockArena(size_t block_bytes = size_t{64} << 20)
      : block_bytes_(std::max(RoundUpTo(block_bytes, kHugePageBytes), kHugePageBytes)) {}
  BlockArena(BlockArena&& o) noexcept
      : block_bytes_(o.block_bytes_),
        advised_bytes_(o.advised_bytes_),
        blocks_(std::move(o.blocks_)),
        next_(o.next_),
        end_(o.end_) {
    o.blocks_.clear();
    o.next_ = o.end_ = nullptr;
  }
  BlockArena& operator=(BlockArena&& o) noexcept {
    if (this != &o) {
      Release();
      block_bytes_ = o.block_bytes_;
      advised_bytes_ = o.advised_bytes_;
      blocks_ = std::move(o.blocks_);
      next_ = o.next_;
      end_ = o.end_;
      o.blocks_.clear();
      o.next_ = o.end_ = nullptr;
    }
    return *this;
  }
  BlockArena(const BlockArena&) = delete;
  BlockArena& operator=(const BlockArena&) = delete;
  ~BlockArena() { Release(); }

  // `bytes` (> 0) of uninitialised memory aligned to `align` (a power of two up to 4096); throws
  // std::bad_alloc when the kernel maps no more.
  void* Allocate(size_t bytes, size_t align) {
    auto at = RoundUpTo(reinterpret_cast<uintptr_t>(next_), align);
    if (next_ == nullptr || at + bytes > reinterpret_cast<uintptr_t>(end_)) {
      NewBlock(bytes);
      at = reinterpret_cast<uintptr_t>(next_);
    }
    next_ = reinterpret_cast<char*>(at + bytes);
    return reinterpret_cast<void*>(at);
  }

  // Room for n elements of T, uninitialised (nullptr for none).
  template <typename T>
  T* AllocateArray(size_t n) {
    static_assert(std::is_trivially_copyable_v<T>);
    return n == 0 ? nullptr : static_cast<T*>(Allocate(n * sizeof(T), alignof(T)));
  }

  // A copy of `from` in the arena.
  template <typename T>
  std::span<T> Copy(std::span<const T> from) {
    T* to = AllocateArray<T>(from.size());
    if (to != nullptr) std::memcpy(to, from.data(), from.size_bytes());
    return {to, from.size()};
  }

  // Hands over the blocks as (address, bytes), the current one trimmed to what it holds, and
  // leaves the arena empty: the caller gives each back with UnmapHugePages when it is done with
  // the arrays in it, so that memory goes block by block rather than all at once.
  std::vector<std::pair<char*, size_t>> TakeBlocks() {
    TrimLastBlock();
    std::vector<std::pair<char*, size_t>> blocks;
    blocks.swap(blocks_);
    next_ = end_ = nullptr;
    return blocks;
  }

  // Bytes of the blocks mapped in huge pages (advised), as mapped, over the arena's life.
  size_t advised_bytes() const { return advised_bytes_; }

  // Bytes mapped (blocks, not what was handed out).
  size_t mapped_bytes() const {
    size_t n = 0;
    for (const auto& b : blocks_) n += b.second;
    return n;
  }

 private:
  void NewBlock(size_t at_least) {
    TrimLastBlock();
    const size_t mapped = mapped_bytes();
    size_t size = 0;
    bool advise = false;
    if (mapped + at_least <= kSmallPhaseBytes) {
      // The first MiB in small pages: a huge page is resident whole from its first byte, and a
      // small lake's few events would make 2 MiB of each.
      size = RoundUpTo(std::max(at_least, kSmallBlockBytes), kSmallPageBytes);
    } else {
      // Then whole huge pages, doubling up to block_bytes_. Whole: the blocks left behind are
      // trimmed, so a size taken from them as it is would leave each block's last part in small
      // pages, a fault per 4 KiB.
      size = RoundUpTo(std::max(std::clamp(mapped, kHugePageBytes, block_bytes_), at_least), kHugePageBytes);
      advise = true;
      advised_bytes_ += size;
    }
    auto* block = static_cast<char*>(MapHugePages(size, advise));
    blocks_.emplace_back(block, size);
    next_ = block;
    end_ = block + size;
  }

  // The unused tail of the block being left: unmapped, so that the huge page it shares with the
  // last array (resident whole) shrinks to the 4 KiB pages in use.
  void TrimLastBlock() {
    if (blocks_.empty()) return;
    auto& [base, size] = blocks_.back();
    size_t used = RoundUpTo(static_cast<size_t>(next_ - base), kSmallPageBytes);
    if (used < size) munmap(base + used, size - used);
    size = used;
    if (used == 0) blocks_.pop_back();
  }

  void Release() {
    for (const auto& [base, size] : blocks_) munmap(base, size);
    blocks_.clear();
    next_ = end_ = nullptr;
  }

  size_t block_bytes_;
  size_t advised_bytes_ = 0;
  std::vector<std::pair<char*, size_t>> blocks_;
  char* next_ = nullptr;
  char* end_ = nullptr;
};

}  // namespace lakeforge
