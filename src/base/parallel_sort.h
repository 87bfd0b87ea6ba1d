// A parallel std::sort: equal chunks sorted by the workers, then merged pairwise (also in parallel).
// Same result as std::sort for a strict weak order; stable only where the order is total.
#pragma once

#include <algorithm>
#include <vector>

#include "base/parallel.h"

namespace lakeforge {

template <typename T, typename Less>
void ParallelSort(std::vector<T>& v, Less less, int threads) {
  size_t parts = static_cast<size_t>(std::max(1, threads));
  if (parts == 1 || v.size() < 50'000) {
    std::sort(v.begin(), v.end(), less);
    return;
  }
  auto at = [&](size_t i) { return v.begin() + static_cast<std::ptrdiff_t>(i); };
  std::vector<size_t> bounds;
  for (size_t i = 0; i <= parts; ++i) bounds.push_back(v.size() * i / parts);
  ParallelFor(parts, threads, [&](size_t i, int) { std::sort(at(bounds[i]), at(bounds[i + 1]), less); });
  while (bounds.size() > 2) {
    std::vector<size_t> next{0};
    size_t pairs = (bounds.size() - 1) / 2;
    ParallelFor(pairs, threads, [&](size_t p, int) {
      std::inplace_merge(at(bounds[2 * p]), at(bounds[2 * p + 1]), at(bounds[2 * p + 2]), less);
    });
    for (size_t p = 0; p < pairs; ++p) next.push_back(bounds[2 * p + 2]);
    if ((bounds.size() - 1) % 2 == 1) next.push_back(bounds.back());
    bounds.swap(next);
  }
}

}  // namespace lakeforge
