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

// Sorts the n elements at `data` by less, which must order first by key(x) (an int64_t,
// ascending), with room for n elements at `scratch` as working memory (its contents on entry do
// not matter). Returns where the sorted elements are: `data` or `scratch`.
template <typename T, typename Key, typename Less>
T* RadixSortByKeyInto(T* data, T* scratch, size_t n, Key key, Less less) {
  if (n < 64) {
    std::sort(data, data + n, less);
    return data;
  }
  auto ukey = [&](const T& x) { return static_cast<uint64_t>(key(x)) ^ (uint64_t{1} << 63); };  // signed order
  std::array<std::array<size_t, 256>, 8> counts{};
  uint64_t first = ukey(data[0]), varies = 0;
  for (const T* x = data; x != data + n; ++x) {
    uint64_t k = ukey(*x);
    varies |= k ^ first;
    for (int b = 0; b < 8; ++b) ++counts[b][(k >> (8 * b)) & 0xFF];
  }
  T* from = data;
  T* to = scratch;
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
  for (size_t i = 0; i < n;) {  // runs of equal keys, in full order
    size_t j = i + 1;
    uint64_t k = ukey(from[i]);
    while (j < n && ukey(from[j]) == k) ++j;
    if (j - i > 1) std::sort(from + i, from + j, less);
    i = j;
  }
  return from;
}

// Sorts v the same way. `scratch` is working memory: it ends with at least v.size() elements
// (contents unspecified), so a caller that sorts many vectors keeps it and its pages between
// calls instead of faulting in fresh ones each time (v may come back holding scratch's former
// buffer, and scratch v's).
template <typename T, typename A, typename Key, typename Less>
void RadixSortByKey(std::vector<T, A>& v, Key key, Less less, std::vector<T, A>& scratch) {
  const size_t n = v.size();
  if (n >= 64 && scratch.size() < n) scratch.resize(n);  // only the growth is written
  if (RadixSortByKeyInto(v.data(), scratch.data(), n, key, less) != v.data()) {
    v.swap(scratch);  // the sorted elements are scratch's first n: trade buffers
    v.resize(n);      // shrinks: no writes
  }
}

// As above with working memory of its own (v.size() extra elements while it runs).
template <typename T, typename A, typename Key, typename Less>
void RadixSortByKey(std::vector<T, A>& v, Key key, Less less) {
  std::vector<T, A> scratch;
  RadixSortByKey(v, key, less, scratch);
}

}  // namespace lakeforge
