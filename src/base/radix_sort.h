// Sorting records whose order starts with a 64-bit integer key: a stable LSD radix sort on the
// bytes of the key that vary (timestamps of one year vary in 5 of 8, user ids in 2 or 3), then the
// full comparison only inside runs of equal keys, which are short in event data. The result is
// std::sort's for the same order when `less` is a total order (equal keys: in `less` order).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace lakeforge {

// Sorts v by less, which must order first by key(x) (an int64_t, ascending). Uses v.size() extra
// elements of memory while it runs.
template <typename T, typename Key, typename Less>
void RadixSortByKey(std::vector<T>& v, Key key, Less less) {
  if (v.size() < 64) {
    std::sort(v.begin(), v.end(), less);
    return;
  }
  auto ukey = [&](const T& x) { return static_cast<uint64_t>(key(x)) ^ (uint64_t{1} << 63); };  // signed order
  std::array<std::array<size_t, 256>, 8> counts{};
  uint64_t first = ukey(v[0]), varies = 0;
  for (const T& x : v) {
    uint64_t k = ukey(x);
    varies |= k ^ first;
    for (int b = 0; b < 8; ++b) ++counts[b][(k >> (8 * b)) & 0xFF];
  }
  std::vector<T> scratch(v.size());
  std::vector<T>* from = &v;
  std::vector<T>* to = &scratch;
  for (int b = 0; b < 8; ++b) {
    if (((varies >> (8 * b)) & 0xFF) == 0) continue;  // every key has the same byte here
    std::array<size_t, 256> at{};
    size_t sum = 0;
    for (int d = 0; d < 256; ++d) {
      at[d] = sum;
      sum += counts[b][d];
    }
    for (const T& x : *from) (*to)[at[(ukey(x) >> (8 * b)) & 0xFF]++] = x;
    std::swap(from, to);
  }
  if (from != &v) v.swap(scratch);
  for (size_t i = 0; i < v.size();) {  // runs of equal keys, in full order
    size_t j = i + 1;
    uint64_t k = ukey(v[i]);
    while (j < v.size() && ukey(v[j]) == k) ++j;
    if (j - i > 1)
      std::sort(v.begin() + static_cast<std::ptrdiff_t>(i), v.begin() + static_cast<std::ptrdiff_t>(j), less);
    i = j;
  }
}

}  // namespace lakeforge
