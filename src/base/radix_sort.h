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

// Sorts v by less, which must order first by key(x) (an int64_t, ascending). `scratch` is working
// memory: it ends with at least v.size() elements (contents unspecified), so a caller that sorts
// many vectors keeps it and its pages between calls instead of faulting in fresh ones each time
// (v may come back holding scratch's former buffer, and scratch v's).
template <typename T, typename A, typename Key, typename Less>
void RadixSortByKey(std::vector<T, A>& v, Key key, Less less, std::vector<T, A>& scratch) {
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
  const size_t n = v.size();
  if (scratch.size() < n) scratch.resize(n);  // only the growth is written
  T* from = v.data();
  T* to = scratch.data();
  for (int b = 0; b < 8; ++b) {
    if (((varies >> (8 * b)) & 0xFF) == 0) continue;  // every key has the same byte here
    std::array<size_t, 256> at{};
    size_t sum = 0;
    for (int d = 0; d < 256; ++d) {
      at[d] = sum;
      sum += counts[b][d];
    }
    for (const T* x = from; x != from + n; ++x) to[at[(ukey(*x) >> (8 * b)) & 0xFF]++] = *x;
    std::swap(from, to);
  }
  if (from != v.data()) {  // the sorted elements are scratch's first n: trade buffers
    v.swap(scratch);
    v.resize(n);  // shrinks: no writes
  }
  for (size_t i = 0; i < n;) {  // runs of equal keys, in full order
    size_t j = i + 1;
    uint64_t k = ukey(v[i]);
    while (j < n && ukey(v[j]) == k) ++j;
    if (j - i > 1)
      std::sort(v.begin() + static_cast<std::ptrdiff_t>(i), v.begin() + static_cast<std::ptrdiff_t>(j), less);
    i = j;
  }
}

// As above with working memory of its own (v.size() extra elements while it runs).
template <typename T, typename A, typename Key, typename Less>
void RadixSortByKey(std::vector<T, A>& v, Key key, Less less) {
  std::vector<T, A> scratch;
  RadixSortByKey(v, key, less, scratch);
}

}  // namespace lakeforge
