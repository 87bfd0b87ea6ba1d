// A minimal work-sharing loop: `threads` workers pull task indices from one atomic counter.
// Results must be written to per-task slots so that output never depends on scheduling.
#pragma once

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace lakeforge {

// Per-thread and per-task state that a loop writes (counters, a vector's end) is aligned to this,
// so that two threads' slots never share a cache line. Side by side in a vector they would: each
// write by one thread takes the line from the other's core (false sharing), which cost the log
// parsers 15% of the run's CPU. 64 bytes on x86-64 and most ARM cores.
inline constexpr size_t kCacheLineBytes = 64;

template <typename Fn>
void ParallelFor(size_t tasks, int threads, Fn&& fn) {
  if (threads <= 1 || tasks <= 1) {
    for (size_t i = 0; i < tasks; ++i) fn(i, 0);
    return;
  }
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mu;
  auto worker = [&](int id) {
    for (;;) {
      size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= tasks) return;
      try {
        fn(i, id);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!error) error = std::current_exception();
        next.store(tasks);  // stop handing out work
      }
    }
  };
  int n = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), tasks));
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(n - 1));
  for (int t = 1; t < n; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace lakeforge
