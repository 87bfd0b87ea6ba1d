// Handing freed memory back to the operating system between stages, and vectors that do not
// clear what they grow by.
//
// glibc keeps freed heap memory mapped for reuse, so after a stage frees hundreds of MB of small
// vectors the process's resident size does not shrink, and the next stage's allocations stack on
// top. Calling this after such a stage keeps peak RSS at the largest stage, not the sum of them.
// Under jemalloc (the executable's allocator, see CMakeLists.txt) it does nothing: jemalloc hands
// idle memory back over ten seconds by itself, and purging its huge pages here made the next
// stage fault them in again (logs-heavy: 9.7k -> 12.8k page faults, and slower; bench/results.md).
#pragma once

#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// jemalloc's control call, null unless the executable links jemalloc (CMake's LAKEFORGE_JEMALLOC).
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen) __attribute__((weak));

namespace lakeforge {

// Whether jemalloc serves this process's malloc (the executable links it), not glibc.
inline bool JemallocLinked() { return mallctl != nullptr; }

inline void ReleaseFreeMemory() {
  if (JemallocLinked()) return;
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

// An allocator whose vectors leave the slots that resize() makes uninitialised (default-, not
// value-initialised): for a vector grown to a size and then written in full (a column filled in
// bulk), where the zeroing was a pass over the memory of its own.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    std::allocator_traits<std::allocator<T>>::construct(static_cast<std::allocator<T>&>(*this), p,
                                                        std::forward<Args>(args)...);
  }
};

// A vector of trivial values whose resize() does not clear what it adds.
template <typename T>
using UninitVector = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace lakeforge
