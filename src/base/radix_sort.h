// Sorting records whose order starts with a 64-bit integer key: a stable LSD radix sort on the
// key's offset from the least key, in as few passes of at most 11 bits as its span needs (a year of
// millisecond timestamps spans 35 bits: 4 passes of 9; a day's user ids 17: 2 of 9), then the full
// comparison only inside runs of equal keys, which are short in event data. The result is
// std::sort's for the same order when `less` is a total order (equal keys: in `less` order).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

namespace lakeforge {

// v as an unsigned integer in the same order (the sign bit flipped): for sorts and merges that
// compare unsigned keys.
inline uint64_t UnsignedOrder(int64_t v) { return static_cast<uint64_t>(v) ^ (uint64_t{1} << 63); }

// Sorts the n elements at `data` by less, which must order first by key(x) (an int64_t,
// ascending), with room for n elements at `scratch` as working memory (its contents on entry do
// not matter). Returns where the sorted elements are: `data` or `scratch` (`data` whenever the
// passes that move elements are even in number, as they are for a year of timestamps).
template <typename T, typename Key, typename Less>
T* RadixSortByKeyInto(T* data, T* scratch, size_t n, Key key, Less less) {
  if (n < 64) {
    std::sort(data, data + n, less);
    return data;
  }
  auto ukey = [&](const T& x) { return UnsignedOrder(key(x)); };
  uint64_t lo = UINT64_MAX, hi = 0;
  for (const T* x = data; x != data + n; ++x) {
    uint64_t k = ukey(*x);
    lo = std::min(lo, k);
    hi = std::max(hi, k);
  }
  // Digits of equal width: wider digits mean fewer passes over the elements, and 11 bits (2048
  // buckets) is as wide as the buckets' write positions stay in the L1 cache.
  constexpr int kMaxDigitBits = 11;
  const int bits = std::bit_width(hi - lo);
  const int passes = (bits + kMaxDigitBits - 1) / kMaxDigitBits;
  T* from = data;
  T* to = scratch;
  if (passes > 0) {
    const int width = (bits + passes - 1) / passes;
    const size_t buckets = size_t{1} << width;
    const uint64_t mask = buckets - 1;
    std::vector<size_t> counts(static_cast<size_t>(passes) * buckets);
    for (const T* x = data; x != data + n; ++x) {
      uint64_t d = ukey(*x) - lo;
      for (int p = 0; p < passes; ++p) ++counts[static_cast<size_t>(p) * buckets + ((d >> (p * width)) & mask)];
    }
    for (int p = 0; p < passes; ++p) {
      size_t* at = &counts[static_cast<size_t>(p) * buckets];
      const int shift = p * width;
      if (at[((ukey(*from) - lo) >> shift) & mask] == n) continue;  // every key has this digit
      size_t sum = 0;
      for (size_t d = 0; d < buckets; ++d) sum += std::exchange(at[d], sum);
      for (const T* x = from; x != from + n; ++x) to[at[((ukey(*x) - lo) >> shift) & mask]++] = *x;
      std::swap(from, to);
    }
  }
  for (size_t i = 0; i < n;) {  // runs of equal keys, in full order
    size_t j = i + 1;
    uint64_t k = ukey(from[i]);
    while (j < n && ukey(from[j]) == k) ++j;
    if (j - i > 1 && !std::is_sorted(from + i, from + j, less)) std::sort(from + i, from + j, less);
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
