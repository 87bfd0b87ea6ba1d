// Large memory from the kernel directly, asking for transparent huge pages.
//
// Why: every 4 KiB page of fresh memory costs a page fault on first touch, and on the virtual
// machines lakeforge runs on a fault is a trap to the hypervisor, about 10 µs: touching 400 MB page
// by page took 1.1 s here, against 0.03-0.1 s in 2 MiB pages. The event stages fill hundreds of MB
// of arrays that are written once and live until a later stage, which is where this matters.
// Mappings are 2 MiB-aligned and advised MADV_HUGEPAGE (the kernel's "madvise" mode, Debian's
// default, grants huge pages only to such ranges); where it grants none they are ordinary pages and
// nothing else changes. Only whole aligned 2 MiB ranges inside a mapping become huge pages, and a
// mapping ends at the 4 KiB page its last byte is in, so no more memory is resident than with
// malloc.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace lakeforge {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;
inline constexpr size_t kSmallPageBytes = 4096;

inline size_t RoundUpTo(size_t n, size_t to) { return (n + to - 1) & ~(to - 1); }

// `bytes` (> 0) of zeroed memory starting on a 2 MiB boundary, advised MADV_HUGEPAGE unless
// `advise` is false; throws std::bad_alloc when the kernel maps no more. Give it back with
// UnmapHugePages(p, bytes).
inline void* MapHugePages(size_t bytes, bool advise = true) {
  size_t size = RoundUpTo(bytes, kSmallPageBytes);
  // One huge page more than needed, then both ends trimmed to the aligned range.
  void* raw = mmap(nullptr, size + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  auto begin = reinterpret_cast<uintptr_t>(raw);
  uintptr_t aligned = RoundUpTo(begin, kHugePageBytes), end = begin + size + kHugePageBytes;
  if (aligned > begin) munmap(raw, aligned - begin);
  if (end > aligned + size) munmap(reinterpret_cast<void*>(aligned + size), end - aligned - size);
#ifdef MADV_HUGEPAGE
  if (advise) madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);  // refused (THP off): no change
#endif
  return reinterpret_cast<void*>(aligned);
}

inline void UnmapHugePages(void* p, size_t bytes) { munmap(p, RoundUpTo(bytes, kSmallPageBytes)); }

// std::allocator, except that arrays of 2 MiB or more are MapHugePages mappings. For vectors
// filled once to a known size (reserve), not for ones grown by doubling (each growth is a fresh
// mapping, and its first touch is the cost this avoids).
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT(google-explicit-constructor): rebinding

  T* allocate(size_t n) {
    if (n * sizeof(T) < kHugePageBytes) return std::allocator<T>().allocate(n);
    return static_cast<T*>(MapHugePages(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < kHugePageBytes)
      std::allocator<T>().deallocate(p, n);
    else
      UnmapHugePages(p, n * sizeof(T));
  }
  // Default-initialises (a trivial T is left as it is) where a std::allocator value-initialises:
  // resize() then writes nothing, and capacity it grows into is not touched until it is filled.
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    if constexpr (sizeof...(Args) == 0)
      ::new (static_cast<void*>(p)) U;
    else
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

// n elements of T, uninitialised, in one MapHugePages mapping (advised when it can hold a huge
// page), unmapped when it goes. For an array filled once to a size known in advance, where a
// vector's resize would write every element before the real contents do.
template <typename T>
class MappedArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  MappedArray() = default;
  explicit MappedArray(size_t n) : n_(n) {
    if (n > 0) data_ = static_cast<T*>(MapHugePages(n * sizeof(T), /*advise=*/n * sizeof(T) >= kHugePageBytes));
  }
  MappedArray(MappedArray&& o) noexcept : data_(std::exchange(o.data_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  MappedArray& operator=(MappedArray&& o) noexcept {
    if (this != &o) {
      Reset();
      data_ = std::exchange(o.data_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  MappedArray(const MappedArray&) = delete;
  MappedArray& operator=(const MappedArray&) = delete;
  ~MappedArray() { Reset(); }

  T* data() const { return data_; }
  size_t size() const { return n_; }
  void Reset() {
    if (data_ != nullptr) UnmapHugePages(data_, n_ * sizeof(T));
    data_ = nullptr;
    n_ = 0;
  }

 private:
  T* data_ = nullptr;
  size_t n_ = 0;
};

}  // namespace lakeforge
