// What first-touched memory costs on this machine: maps `mib` MiB (MapHugePages, advised or not),
// writes one byte per 4 KiB page, unmaps it, `rounds` times in one process, after sleeping
// `pause` seconds before each round. Prints one line per round: seconds and GB/s.
//
// On the 2-core VM the benchmarks run on, memory the guest has not touched for a few seconds is
// given back to the host, and touching it again faults to the hypervisor: a first round is ~40x
// slower than a round right after (which gets the pages the last one freed), and 4 KiB pages are
// slow every round. This is why the event stages reuse memory instead of mapping more.
//
// Usage: touch_memory <mib> <huge: 0|1> <rounds> [pause seconds]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "base/huge_pages.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s <mib> <huge: 0|1> <rounds> [pause seconds]\n", argv[0]);
    return 2;
  }
  size_t bytes = static_cast<size_t>(std::atoll(argv[1])) << 20;
  bool huge = std::atoi(argv[2]) != 0;
  int rounds = std::atoi(argv[3]);
  double pause = argc > 4 ? std::atof(argv[4]) : 0;
  for (int r = 0; r < rounds; ++r) {
    if (pause > 0) std::this_thread::sleep_for(std::chrono::duration<double>(pause));
    auto t0 = std::chrono::steady_clock::now();
    auto* p = static_cast<volatile char*>(lakeforge::MapHugePages(bytes, huge));
    for (size_t i = 0; i < bytes; i += lakeforge::kSmallPageBytes) p[i] = 1;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    lakeforge::UnmapHugePages(const_cast<char*>(p), bytes);
    std::printf("round %d: %.3f s, %.2f GB/s\n", r, s, static_cast<double>(bytes) / s / 1e9);
  }
  return 0;
}
