// Handing freed memory back to the operating system between stages.
//
// glibc keeps freed heap memory mapped for reuse, so after a stage frees hundreds of MB of small
// vectors the process's resident size does not shrink, and the next stage's allocations stack on
// top. Calling this after such a stage keeps peak RSS at the largest stage, not the sum of them.
#pragma once

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace lakeforge {

inline void ReleaseFreeMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace lakeforge
