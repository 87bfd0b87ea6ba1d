// Column chunk encoding: statistics, dictionary building, page cutting, compression.
#include "formats/parquet/column_chunk_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>

#include "base/error.h"
#include "base/hash.h"
#include "base/memory.h"
#include "formats/parquet/delta_binary_packed.h"
#include "formats/parquet/rle_hybrid.h"

namespace lakeforge::parquet {
namespace {

// Per-type access to a Column's values and their PLAIN encoding.
struct BoolTraits {
  using T = uint8_t;
  static T Get(const Column& c, size_t i) { return c.bools()[i]; }
  static size_t PlainSize(T) { return 1; }  // upper bound; bools are bit-packed
};
struct Int32Traits {
  using T = int32_t;
  static T Get(const Column& c, size_t i) { return c.int32s()[i]; }
  static const T* Data(const Column& c) { return c.int32s().data(); }
  static void Plain(T v, std::string* out) { out->append(reinterpret_cast<const char*>(&v), 4); }
  static size_t PlainSize(T) { return 4; }
  static uint64_t Key(T v) { return static_cast<uint32_t>(v); }
  static bool Less(T a, T b) { return a < b; }
};
struct Int64Traits {
  using T = int64_t;
  static T Get(const Column& c, size_t i) { return c.int64s()[i]; }
  static const T* Data(const Column& c) { return c.int64s().data(); }
  static void Plain(T v, std::string* out) { out->append(reinterpret_cast<const char*>(&v), 8); }
  static size_t PlainSize(T) { return 8; }
  static uint64_t Key(T v) { return static_cast<uint64_t>(v); }
  static bool Less(T a, T b) { return a < b; }
};
struct DoubleTraits {
  using T = double;
  static T Get(const Column& c, size_t i) { return c.doubles()[i]; }
  static void Plain(T v, std::string* out) { out->append(reinterpret_cast<const char*>(&v), 8); }
  static size_t PlainSize(T) { return 8; }
  static uint64_t Key(T v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    return bits;  // dictionary identity is bitwise: -0.0 and 0.0 stay distinct
  }
  static bool Less(T a, T b) { return a < b; }
};
struct StringTraits {
  using T = std::string_view;
  static T Get(const Column& c, size_t i) { return c.StringAt(i); }
  static void Plain(T v, std::string* out) {
    uint32_t n = static_cast<uint32_t>(v.size());
    out->append(reinterpret_cast<const char*>(&n), 4);
    out->append(v.data(), v.size());
  }
  static size_t PlainSize(T v) { return 4 + v.size(); }
  static bool Less(T a, T b) { return a < b; }  // memcmp order = unsigned byte order
};

inline uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// Open-addressing map from a value to its dictionary index, in first-seen order.
template <typename Traits>
class Dictionary {
 public:
  using T = typename Traits::T;

  explicit Dictionary(size_t expected) {
    size_t cap = 64;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, kEmpty);
  }

  // Returns the index of v, inserting it if new.
  uint32_t Insert(T v) {
    // Sorted and clustered columns repeat a value row after row (a time partition's hour, day, week
    // and weekday): the last answer is checked before hashing.
    if constexpr (!std::is_same_v<T, std::string_view>) {
      if (!values_.empty() && Equal(values_[last_], v)) return last_;
    }
    last_ = Find(v);
    return last_;
  }

  size_t plain_bytes() const { return plain_bytes_; }
  const std::vector<T>& values() const { return values_; }
  // Whether a and b are one dictionary value.
  static bool Equal(T a, T b) {
    if constexpr (std::is_same_v<T, std::string_view>) {
      return a == b;
    } else {
      return Traits::Key(a) == Traits::Key(b);
    }
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;

  uint32_t Find(T v) {
    uint64_t h = Hash(v);
    size_t mask = slots_.size() - 1;
    for (size_t pos = h & mask;; pos = (pos + 1) & mask) {
      uint32_t idx = slots_[pos];
      if (idx == kEmpty) {
        idx = static_cast<uint32_t>(values_.size());
        slots_[pos] = idx;
        values_.push_back(v);
        plain_bytes_ += Traits::PlainSize(v);
        if (values_.size() * 2 > slots_.size()) Grow();
        return idx;
      }
      if (Equal(values_[idx], v)) return idx;
    }
  }

  static uint64_t Hash(T v) {
    if constexpr (std::is_same_v<T, std::string_view>) {
      return lakeforge::HashBytes(v);
    } else {
      return Mix(Traits::Key(v));
    }
  }
  void Grow() {
    std::vector<uint32_t> old(slots_.size() * 2, kEmpty);
    old.swap(slots_);
    size_t mask = slots_.size() - 1;
    for (uint32_t idx = 0; idx < values_.size(); ++idx) {
      size_t pos = Hash(values_[idx]) & mask;
      while (slots_[pos] != kEmpty) pos = (pos + 1) & mask;
      slots_[pos] = idx;
    }
  }

  std::vector<uint32_t> slots_;
  std::vector<T> values_;
  size_t plain_bytes_ = 0;
  uint32_t last_ = 0;  // index of the value Insert answered last
};

// The same, for a dictionary-coded column: a chunk-local index per code, in first-seen order, so
// the pages equal those the hashing Dictionary writes for the same strings.
class CodedDictionary {
 public:
  explicit CodedDictionary(const StringDictionary& d) : strings_(d.values), local_(d.values.size(), kNone) {}

  uint32_t Insert(uint32_t code) {
    uint32_t& idx = local_[code];
    if (idx == kNone) {
      idx = static_cast<uint32_t>(values_.size());
      values_.push_back(strings_[code]);
      plain_bytes_ += StringTraits::PlainSize(strings_[code]);
    }
    return idx;
  }
  size_t plain_bytes() const { return plain_bytes_; }
  const std::vector<std::string_view>& values() const { return values_; }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  const std::vector<std::string_view>& strings_;
  std::vector<uint32_t> local_;
  std::vector<std::string_view> values_;
  size_t plain_bytes_ = 0;
};

// Min/max in the column's sort order (TYPE_ORDER) over the values for_each(fn) passes to fn: the
// chunk's non-null values, or its dictionary, which holds the same set once each.
template <typename Traits, typename ForEach>
void ComputeMinMax(ForEach for_each, Statistics* stats) {
  using T = typename Traits::T;
  bool any = false;
  T lo{}, hi{};
  for_each([&](T v) {
    if constexpr (std::is_same_v<T, double>) {
      if (std::isnan(v)) return;  // NaN has no place in the order; readers expect it left out
    }
    if (!any) {
      lo = hi = v;
      any = true;
    } else {
      if (Traits::Less(v, lo)) lo = v;
      if (Traits::Less(hi, v)) hi = v;
    }
  });
  if (!any) return;
  if constexpr (std::is_same_v<T, double>) {
    // Parquet's rule for signed zeros: a zero min is written as -0.0, a zero max as +0.0.
    if (lo == 0.0) lo = -0.0;
    if (hi == 0.0) hi = 0.0;
  }
  if constexpr (std::is_same_v<T, std::string_view>) {
    constexpr size_t kMaxStatBytes = 4096;  // leave out huge bounds rather than bloat the footer
    if (lo.size() > kMaxStatBytes || hi.size() > kMaxStatBytes) return;
  }
  std::string a, b;
  if constexpr (std::is_same_v<T, std::string_view>) {
    a.assign(lo.data(), lo.size());
    b.assign(hi.data(), hi.size());
  } else {
    Traits::Plain(lo, &a);
    Traits::Plain(hi, &b);
  }
  stats->min_value = std::move(a);
  stats->max_value = std::move(b);
}

void ComputeBoolMinMax(const Column& col, Statistics* stats) {
  bool any = false, lo = true, hi = false;
  for (size_t i = 0; i < col.size(); ++i) {
    if (!col.IsValid(i)) continue;
    bool v = col.bools()[i] != 0;
    any = true;
    lo = lo && v;
    hi = hi || v;
  }
  if (!any) return;
  stats->min_value = std::string(1, lo ? '\1' : '\0');
  stats->max_value = std::string(1, hi ? '\1' : '\0');
}

// Writes pages and keeps the chunk's running totals.
class ChunkSink {
 public:
  ChunkSink(const WriterOptions& options, OutputStream* out, ColumnChunkMeta* meta)
      : options_(options), out_(out), meta_(meta) {}

  void WritePage(PageType type, Encoding encoding, int32_t num_values, const std::string& body) {
    compressed_.clear();
    Compress(options_.codec, body, &compressed_);
    header_.clear();
    SerializePageHeader(
        {type, static_cast<int32_t>(body.size()), static_cast<int32_t>(compressed_.size()), num_values, encoding},
        &header_);
    int64_t offset = out_->Tell();
    if (type == PageType::kDictionaryPage) {
      meta_->dictionary_page_offset = offset;
    } else if (data_pages_ == 0) {
      meta_->data_page_offset = offset;
    }
    if (type == PageType::kDataPage) ++data_pages_;
    out_->Write(header_);
    out_->Write(compressed_);
    meta_->total_uncompressed_size += static_cast<int64_t>(header_.size() + body.size());
    meta_->total_compressed_size += static_cast<int64_t>(header_.size() + compressed_.size());
  }
  int32_t data_pages() const { return data_pages_; }

 private:
  const WriterOptions& options_;
  OutputStream* out_;
  ColumnChunkMeta* meta_;
  std::string header_, compressed_;
  int32_t data_pages_ = 0;
};

// Cuts rows into pages of about page_bytes of PLAIN values and calls emit(begin, end) for each.
template <typename SizeOf, typename Emit>
void ForEachPage(size_t n, size_t page_bytes, SizeOf size_of, Emit emit) {
  size_t begin = 0, bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    bytes += size_of(i);
    if (bytes >= page_bytes) {
      emit(begin, i + 1);
      begin = i + 1;
      bytes = 0;
    }
  }
  if (begin < n || n == 0) emit(begin, n);
}

// Appends the definition levels of rows [begin, end) with their 4-byte length prefix.
void AppendLevels(const Column& col, size_t begin, size_t end, std::vector<uint8_t>* scratch, std::string* body) {
  scratch->resize(end - begin);
  for (size_t i = begin; i < end; ++i) (*scratch)[i - begin] = col.IsValid(i) ? 1 : 0;
  size_t at = body->size();
  body->append(4, '\0');
  EncodeLevels(scratch->data(), scratch->size(), body);
  uint32_t len = static_cast<uint32_t>(body->size() - at - 4);
  std::memcpy(body->data() + at, &len, 4);
}

// A chunk's dictionary indices, one per non-null row, as the data pages encode them.
class RowIndices {
 public:
  // `rows`: the chunk's non-null rows, as many as will be appended.
  explicit RowIndices(size_t rows) : indices_(rows) {}
  // Most runs are one row (a column of ids): a store each, not a call to vector's insert.
  [[gnu::always_inline]] void Append(uint32_t index, size_t rows) {
    if (rows > indices_.size() - size_) [[unlikely]]
      throw Error::Internal("a chunk's dictionary indices outnumber its non-null rows");
    uint32_t* at = indices_.data() + size_;
    size_ += rows;
    if (rows == 1) [[likely]]
      *at = index;
    else
      std::fill_n(at, rows, index);
  }
  size_t size() const { return size_; }
  // Appends the hybrid encoding of the next `rows` indices.
  void EncodeNext(size_t rows, int width, std::string* body) {
    EncodeRleHybrid(indices_.data() + next_, rows, width, body);
    next_ += rows;
  }

 private:
  UninitVector<uint32_t> indices_;  // [0, size_) appended
  size_t size_ = 0, next_ = 0;
};

// The same as runs, for a run-length column: a run of rows is one entry, never expanded.
class RunIndices {
 public:
  void Append(uint32_t index, size_t rows) {
    if (!runs_.empty() && runs_.back().value == index)
      runs_.back().count += rows;
    else
      runs_.push_back({.value = index, .count = rows});
    size_ += rows;
  }
  size_t size() const { return size_; }
  void EncodeNext(size_t rows, int width, std::string* body) {
    page_.clear();
    while (rows > 0) {
      size_t take = std::min(rows, runs_[at_].count - used_);
      page_.push_back({.value = runs_[at_].value, .count = take});
      rows -= take;
      used_ += take;
      if (used_ == runs_[at_].count) {
        ++at_;
        used_ = 0;
      }
    }
    EncodeRleHybrid(page_.data(), page_.size(), width, body);
  }

 private:
  std::vector<RleRun> runs_, page_;
  size_t size_ = 0;
  size_t at_ = 0, used_ = 0;  // the next index to encode: the used_-th row of runs_[at_]
};

// Dict is Dictionary<Traits>, or CodedDictionary for a coded column. for_each_run(dict, add) calls
// add(index, rows) for each run of equal non-null values in row order (index: the value's, from
// dict), and stops when add returns false. Indices is RowIndices or RunIndices.
template <typename Traits, typename Dict, typename Indices, typename ForEachRun>
bool TryWriteDictionary(const Column& col, const Field& field, const WriterOptions& options, Dict& dict,
                        Indices& indices, ForEachRun for_each_run, ChunkSink* sink, ColumnChunkMeta* meta) {
  using T = typename Traits::T;
  size_t n = col.size();
  size_t probe = options.dictionary_probe_values, probe_plain_bytes = 0;
  auto pays = [&](size_t values) {  // over `values` so far: dictionary page + packed indices < PLAIN values
    size_t width = static_cast<size_t>(BitWidth(static_cast<uint32_t>(dict.values().size() - 1)));
    return dict.plain_bytes() + (values * width + 7) / 8 < probe_plain_bytes;
  };
  // A run adds nothing to the dictionary after its first row, so its size and the probe's verdict
  // are the same as row by row.
  bool refused = false;
  for_each_run(dict, [&](uint32_t index, size_t rows) {
    const size_t before = indices.size();
    indices.Append(index, rows);
    if (dict.plain_bytes() > options.dictionary_limit_bytes) return !(refused = true);
    if (before < probe) {
      probe_plain_bytes += (std::min(indices.size(), probe) - before) * Traits::PlainSize(dict.values()[index]);
      if (indices.size() >= probe && !pays(probe)) return !(refused = true);
    }
    return true;
  });
  if (refused) return false;
  if (probe != 0 && indices.size() < probe && !pays(indices.size())) return false;
  ComputeMinMax<Traits>(
      [&](auto&& fn) {
        for (const T& v : dict.values()) fn(v);
      },
      &meta->statistics);
  std::string body;
  for (const auto& v : dict.values()) Traits::Plain(v, &body);
  sink->WritePage(PageType::kDictionaryPage, Encoding::kPlain, static_cast<int32_t>(dict.values().size()), body);

  int width = std::max(1, BitWidth(static_cast<uint32_t>(dict.values().size() - 1)));
  std::vector<uint8_t> levels;
  const size_t index_bytes_per_row = 4;  // page cut on a nominal 4 bytes per row
  ForEachPage(
      n, options.page_bytes, [&](size_t) { return index_bytes_per_row; },
      [&](size_t begin, size_t end) {
        body.clear();
        if (field.nullable) AppendLevels(col, begin, end, &levels, &body);
        size_t valid = end - begin;
        if (col.has_nulls())
          for (size_t i = begin; i < end; ++i) valid -= col.IsValid(i) ? 0 : 1;
        body.push_back(static_cast<char>(width));
        indices.EncodeNext(valid, width, &body);
        sink->WritePage(PageType::kDataPage, Encoding::kRleDictionary, static_cast<int32_t>(end - begin), body);
      });
  meta->encodings = field.nullable ? std::vector<Encoding>{Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary}
                                   : std::vector<Encoding>{Encoding::kPlain, Encoding::kRleDictionary};
  meta->encoding_stats = {{PageType::kDictionaryPage, Encoding::kPlain, 1},
                          {PageType::kDataPage, Encoding::kRleDictionary, sink->data_pages()}};
  return true;
}

// for_each_run of TryWriteDictionary over a column's rows: insert(dict, row) adds a row's value and
// returns its index; same(a, b) says whether rows a and b hold the same value.
template <typename Insert, typename Same>
auto RowRuns(const Column& col, Insert insert, Same same) {
  return [&col, insert, same](auto& dict, auto&& add) {
    const size_t n = col.size();
    for (size_t i = 0; i < n;) {
      if (!col.IsValid(i)) {
        ++i;
        continue;
      }
      uint32_t index = insert(dict, i);
      // The valid rows after it with the same value (a clustered level): one insert for the run.
      size_t end = i + 1;
      while (end < n && col.IsValid(end) && same(i, end)) ++end;
      if (!add(index, end - i)) return;
      i = end;
    }
  };
}

// The ForEach of ComputeMinMax over a column's non-null values, in row order.
template <typename Traits>
auto NonNullValues(const Column& col) {
  return [&col](auto&& fn) {
    for (size_t i = 0; i < col.size(); ++i)
      if (col.IsValid(i)) fn(Traits::Get(col, i));
  };
}

template <typename Traits>
void WritePlain(const Column& col, const Field& field, const WriterOptions& options, ChunkSink* sink,
                ColumnChunkMeta* meta) {
  auto over_rows = NonNullValues<Traits>(col);
  if constexpr (std::is_same_v<Traits, StringTraits>) {
    if (col.dictionary_coded() && col.dictionary().sorted) {
      // Code order is string order: find the smallest and largest code, compare no bytes.
      uint32_t lo = UINT32_MAX, hi = 0;
      for (size_t i = 0; i < col.size(); ++i) {
        if (!col.IsValid(i)) continue;
        lo = std::min(lo, col.codes()[i]);
        hi = std::max(hi, col.codes()[i]);
      }
      auto bounds = [&](auto&& fn) {
        if (lo > hi) return;  // no valid row
        fn(col.dictionary().values[lo]);
        fn(col.dictionary().values[hi]);
      };
      ComputeMinMax<Traits>(bounds, &meta->statistics);
    } else {
      ComputeMinMax<Traits>(over_rows, &meta->statistics);
    }
  } else if constexpr (!std::is_same_v<Traits, BoolTraits>) {
    ComputeMinMax<Traits>(over_rows, &meta->statistics);
  }
  std::string body;
  std::vector<uint8_t> levels, bits;
  ForEachPage(
      col.size(), options.page_bytes,
      [&](size_t i) { return col.IsValid(i) ? Traits::PlainSize(Traits::Get(col, i)) : 0; },
      [&](size_t begin, size_t end) {
        body.clear();
        if (field.nullable) AppendLevels(col, begin, end, &levels, &body);
        if constexpr (std::is_same_v<Traits, BoolTraits>) {
          bits.clear();
          for (size_t i = begin; i < end; ++i)
            if (col.IsValid(i)) bits.push_back(col.bools()[i]);
          PackBits(bits.data(), bits.size(), &body);
        } else {
          for (size_t i = begin; i < end; ++i)
            if (col.IsValid(i)) Traits::Plain(Traits::Get(col, i), &body);
        }
        sink->WritePage(PageType::kDataPage, Encoding::kPlain, static_cast<int32_t>(end - begin), body);
      });
  meta->encodings = field.nullable ? std::vector<Encoding>{Encoding::kPlain, Encoding::kRle}
                                   : std::vector<Encoding>{Encoding::kPlain};
  meta->encoding_stats = {{PageType::kDataPage, Encoding::kPlain, sink->data_pages()}};
}

// INT32 and INT64 (and timestamps) without a dictionary: DELTA_BINARY_PACKED pages, cut where
// PLAIN pages would be, each page's non-null values one delta stream.
template <typename Traits>
void WriteDelta(const Column& col, const Field& field, const WriterOptions& options, ChunkSink* sink,
                ColumnChunkMeta* meta) {
  using T = typename Traits::T;
  ComputeMinMax<Traits>(NonNullValues<Traits>(col), &meta->statistics);
  std::string body;
  std::vector<uint8_t> levels;
  std::vector<T> valid;
  ForEachPage(
      col.size(), options.page_bytes, [&](size_t i) { return col.IsValid(i) ? sizeof(T) : 0; },
      [&](size_t begin, size_t end) {
        body.clear();
        const T* values = Traits::Data(col) + begin;
        size_t n = end - begin;
        if (field.nullable) AppendLevels(col, begin, end, &levels, &body);
        if (col.null_count() > 0) {  // only the non-null values are encoded, as in WritePlain
          valid.clear();
          for (size_t i = begin; i < end; ++i)
            if (col.IsValid(i)) valid.push_back(Traits::Get(col, i));
          values = valid.data();
          n = valid.size();
        }
        EncodeDeltaBinaryPacked(values, n, &body);
        sink->WritePage(PageType::kDataPage, Encoding::kDeltaBinaryPacked, static_cast<int32_t>(end - begin), body);
      });
  meta->encodings = field.nullable ? std::vector<Encoding>{Encoding::kRle, Encoding::kDeltaBinaryPacked}
                                   : std::vector<Encoding>{Encoding::kDeltaBinaryPacked};
  meta->encoding_stats = {{PageType::kDataPage, Encoding::kDeltaBinaryPacked, sink->data_pages()}};
}

// Tries the dictionary that fits the column: codes mapped to chunk indices for a coded column,
// else values hashed.
template <typename Traits>
bool TryDictionary(const Column& col, const Field& field, const WriterOptions& options, ChunkSink* sink,
                   ColumnChunkMeta* meta) {
  RowIndices indices(col.size() - col.null_count());
  if constexpr (std::is_same_v<Traits, StringTraits>) {
    if (col.dictionary_coded()) {
      CodedDictionary dict(col.dictionary());
      const uint32_t* codes = col.codes().data();
      auto insert = [codes](CodedDictionary& d, size_t i) { return d.Insert(codes[i]); };
      auto same = [codes](size_t a, size_t b) { return codes[a] == codes[b]; };
      return TryWriteDictionary<Traits>(col, field, options, dict, indices, RowRuns(col, insert, same), sink, meta);
    }
  }
  // Sized for a few distinct values and grown as they come: most chunks that try a dictionary
  // have few (a level, an hour) or give up after the probe, and a table sized for the whole chunk
  // was half a MiB of fresh memory cleared for each.
  Dictionary<Traits> dict(std::min<size_t>(col.size(), 512));
  auto insert = [&col](Dictionary<Traits>& d, size_t i) { return d.Insert(Traits::Get(col, i)); };
  auto same = [&col](size_t a, size_t b) {
    return Dictionary<Traits>::Equal(Traits::Get(col, a), Traits::Get(col, b));
  };
  return TryWriteDictionary<Traits>(col, field, options, dict, indices, RowRuns(col, insert, same), sink, meta);
}

// A run-length INT32 column (Column::Int32Runs): a dictionary of its runs' values, the runs encoded
// as they are; the same pages as the expanded column's. Where the dictionary is refused, the column
// is expanded and written as any other.
void WriteInt32Runs(const Column& col, const Field& field, const WriterOptions& options, OutputStream* out,
                    ColumnChunkMeta* meta);

template <typename Traits>
void WriteTyped(const Column& col, const Field& field, const WriterOptions& options, OutputStream* out,
                ColumnChunkMeta* meta) {
  if constexpr (std::is_same_v<Traits, Int32Traits>) {
    if (col.run_length()) return WriteInt32Runs(col, field, options, out, meta);
  }
  ChunkSink sink(options, out, meta);
  // TryWriteDictionary decides before it writes a byte, so a refused dictionary leaves nothing behind.
  bool use_dictionary = options.enable_dictionary && col.null_count() < col.size();
  if (use_dictionary && TryDictionary<Traits>(col, field, options, &sink, meta)) return;
  if constexpr (std::is_same_v<Traits, Int32Traits> || std::is_same_v<Traits, Int64Traits>) {
    // An all-null chunk stays PLAIN (no values to encode; see the header).
    if (options.delta_integers && col.null_count() < col.size())
      return WriteDelta<Traits>(col, field, options, &sink, meta);
  }
  WritePlain<Traits>(col, field, options, &sink, meta);
}

void WriteInt32Runs(const Column& col, const Field& field, const WriterOptions& options, OutputStream* out,
                    ColumnChunkMeta* meta) {
  if (options.enable_dictionary && col.size() > 0) {
    ChunkSink sink(options, out, meta);
    Dictionary<Int32Traits> dict(64);
    RunIndices indices;
    auto runs = [&col](Dictionary<Int32Traits>& d, auto&& add) {
      size_t begin = 0;
      for (const Column::Int32Run& r : col.int32_runs()) {
        if (!add(d.Insert(r.value), r.end - begin)) return;
        begin = r.end;
      }
    };
    // TryWriteDictionary decides before it writes a byte, so a refused dictionary leaves nothing behind.
    if (TryWriteDictionary<Int32Traits>(col, field, options, dict, indices, runs, &sink, meta)) return;
  }
  Column expanded(DataType::kInt32);
  expanded.Reserve(col.size());
  expanded.AppendRange(col, 0, col.size());  // run by run
  WriteTyped<Int32Traits>(expanded, field, options, out, meta);
}

}  // namespace

ColumnChunkMeta WriteColumnChunk(const Column& col, const Field& field, const WriterOptions& options,
                                 OutputStream* out) {
  ColumnChunkMeta meta;
  meta.type = PhysicalTypeOf(field.type);
  meta.path = field.name;
  meta.codec = static_cast<int32_t>(options.codec);
  meta.num_values = static_cast<int64_t>(col.size());
  meta.statistics.null_count = static_cast<int64_t>(col.null_count());
  switch (field.type) {
    case DataType::kBool: {
      ComputeBoolMinMax(col, &meta.statistics);
      ChunkSink sink(options, out, &meta);
      WritePlain<BoolTraits>(col, field, options, &sink, &meta);
      break;
    }
    case DataType::kInt32: WriteTyped<Int32Traits>(col, field, options, out, &meta); break;
    case DataType::kInt64:
    case DataType::kTimestampMillis: WriteTyped<Int64Traits>(col, field, options, out, &meta); break;
    case DataType::kDouble: WriteTyped<DoubleTraits>(col, field, options, out, &meta); break;
    case DataType::kString: WriteTyped<StringTraits>(col, field, options, out, &meta); break;
  }
  return meta;
}

}  // namespace lakeforge::parquet
