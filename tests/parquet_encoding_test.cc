// Unit tests for the Thrift compact encoder, the RLE/bit-packing hybrid and DELTA_BINARY_PACKED,
// against bytes computed by hand from the specifications, plus decode round trips on random inputs
// with decoders written from the specifications.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <type_traits>

#include "base/error.h"
#include "formats/parquet/column_chunk_writer.h"
#include "formats/parquet/delta_binary_packed.h"
#include "formats/parquet/rle_hybrid.h"
#include "formats/parquet/thrift_compact.h"

namespace lakeforge::parquet {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

TEST(ThriftCompact, ShortFieldHeadersAndZigZag) {
  std::string out;
  CompactWriter w(&out);
  w.FieldI32(1, 1);        // 0x15 0x02
  w.FieldI64(3, -1);       // delta 2, type 6 -> 0x26; zigzag(-1) = 1
  w.FieldBinary(4, "ab");  // 0x18 0x02 'a' 'b'
  w.EndMessage();
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x15, 0x02, 0x26, 0x01, 0x18, 0x02, 'a', 'b', 0x00}));
  EXPECT_TRUE(w.balanced());
}

TEST(ThriftCompact, LongFieldDeltaBoolsListsAndVarints) {
  std::string out;
  CompactWriter w(&out);
  w.FieldI32(20, 150);     // delta 20 > 15: type byte 0x05, zigzag varint id 40 = 0x28; zigzag(150)=300 = 0xAC 0x02
  w.FieldBool(21, true);   // 0x11
  w.FieldBool(22, false);  // 0x12
  w.BeginListField(23, CompactType::kI32, 2);  // 0x19, (2 << 4) | 5 = 0x25
  w.ListI32(0);
  w.ListI32(-2);  // zigzag 3
  w.EndMessage();
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x05, 0x28, 0xAC, 0x02, 0x11, 0x12, 0x19, 0x25, 0x00, 0x03, 0x00}));
}

TEST(ThriftCompact, NestedStructsRestartFieldDeltas) {
  std::string out;
  CompactWriter w(&out);
  w.FieldI32(5, 0);                               // 0x55 0x00
  w.BeginStructField(7);                          // 0x2C
  w.FieldI32(1, 1);                               // 0x15 0x02 (delta from 0 inside the struct)
  w.EndStruct();                                  // 0x00
  w.FieldI32(8, 2);                               // delta 1 from 7: 0x15 0x04
  w.BeginListField(9, CompactType::kStruct, 16);  // 0x19, 0xFC, varint 16
  for (int i = 0; i < 16; ++i) {
    w.BeginListStruct();
    w.EndStruct();
  }
  w.EndMessage();
  std::vector<uint8_t> want{0x55, 0x00, 0x2C, 0x15, 0x02, 0x00, 0x15, 0x04, 0x19, 0xFC, 0x10};
  for (int i = 0; i < 16; ++i) want.push_back(0x00);
  want.push_back(0x00);
  EXPECT_EQ(Bytes(out), want);
}

TEST(RleHybrid, BitWidth) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(2), 2);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
}

TEST(RleHybrid, SpecExampleBitPacked) {
  // parquet-format Encodings.md: 0..7 with width 3 packs to 10001000 11000110 11111010.
  std::vector<uint32_t> v{0, 1, 2, 3, 4, 5, 6, 7};
  std::string out;
  EncodeRleHybrid(v.data(), v.size(), 3, &out);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x03, 0x88, 0xC6, 0xFA}));
}

TEST(RleHybrid, LongRunIsRle) {
  std::vector<uint32_t> v(10, 1);
  std::string out;
  EncodeRleHybrid(v.data(), v.size(), 1, &out);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x14, 0x01}));  // varint(10 << 1), value
  std::vector<uint32_t> w(300, 1000);
  out.clear();
  EncodeRleHybrid(w.data(), w.size(), 10, &out);  // varint(600) = 0xD8 0x04, 2-byte value 0x03E8
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0xD8, 0x04, 0xE8, 0x03}));
}

TEST(RleHybrid, ShortTailIsPaddedGroup) {
  std::vector<uint8_t> levels{1, 0, 1};
  std::string out;
  EncodeLevels(levels.data(), levels.size(), &out);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x03, 0x05}));  // one group; bits 1,0,1 -> 0b101
}

// Reference decoder, written from the spec, used to check the encoder on random inputs.
std::vector<uint32_t> Decode(const std::string& data, int width, size_t n) {
  std::vector<uint32_t> out;
  size_t pos = 0;
  auto varint = [&]() {
    uint64_t v = 0;
    int shift = 0;
    while (true) {
      uint8_t b = static_cast<uint8_t>(data.at(pos++));
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    return v;
  };
  while (out.size() < n) {
    uint64_t h = varint();
    if (h & 1) {
      size_t count = (h >> 1) * 8;
      uint64_t bitpos = pos * 8;
      for (size_t i = 0; i < count; ++i) {
        uint32_t v = 0;
        for (int b = 0; b < width; ++b, ++bitpos) {
          uint8_t byte = static_cast<uint8_t>(data.at(bitpos / 8));
          v |= static_cast<uint32_t>((byte >> (bitpos % 8)) & 1) << b;
        }
        if (out.size() < n) out.push_back(v);
      }
      pos += (h >> 1) * static_cast<size_t>(width);
    } else {
      uint32_t v = 0;
      for (int b = 0; b < (width + 7) / 8; ++b)
        v |= static_cast<uint32_t>(static_cast<uint8_t>(data.at(pos++))) << (8 * b);
      for (uint64_t i = 0; i < (h >> 1); ++i) out.push_back(v);
    }
  }
  EXPECT_EQ(pos, data.size()) << "trailing bytes after the encoded values";
  return out;
}

TEST(RleHybrid, RandomRoundTrip) {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 2000; ++iter) {
    int width = 1 + static_cast<int>(rng() % 32);
    size_t n = rng() % 200;
    std::vector<uint32_t> v;
    while (v.size() < n) {
      uint32_t x = static_cast<uint32_t>(rng() & ((uint64_t{1} << width) - 1));
      size_t rep = (rng() % 4 == 0) ? rng() % 30 : 1;  // mix of runs and literals
      for (size_t r = 0; r < rep && v.size() < n; ++r) v.push_back(x);
    }
    std::string out;
    EncodeRleHybrid(v.data(), v.size(), width, &out);
    ASSERT_EQ(Decode(out, width, n), v) << "width " << width << " n " << n;
  }
}

TEST(PackBits, LsbFirst) {
  std::vector<uint8_t> bits{1, 0, 0, 0, 0, 0, 0, 1, 1};
  std::string out;
  PackBits(bits.data(), bits.size(), &out);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x81, 0x01}));
}

// DELTA_BINARY_PACKED, parquet-format's two examples with this writer's block of 128 values in 4
// miniblocks of 32: header uleb(128) = 80 01, uleb(4), uleb(count), zigzag(first value).
TEST(DeltaBinaryPacked, SpecExamples) {
  std::vector<int64_t> one{1, 2, 3, 4, 5};  // deltas all 1: min delta 1, every width 0, no packed bytes
  std::string out;
  EncodeDeltaBinaryPacked(one.data(), one.size(), &out);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00}));
  // 7, 5, 3, 1, 2, 3, 4, 5: deltas -2 -2 -2 1 1 1 1, min -2 (zigzag 3), relative 0 0 0 3 3 3 3 on
  // 2 bits, padded to 32 values: 0b11000000, 0b00111111, then six zero bytes.
  std::vector<int32_t> two{7, 5, 3, 1, 2, 3, 4, 5};
  out.clear();
  EncodeDeltaBinaryPacked(two.data(), two.size(), &out);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00, 0xC0, 0x3F,
                                              0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
  // No values, and one: a header only.
  out.clear();
  EncodeDeltaBinaryPacked(one.data(), 0, &out);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x80, 0x01, 0x04, 0x00, 0x00}));
  out.clear();
  EncodeDeltaBinaryPacked(two.data(), 1, &out);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x80, 0x01, 0x04, 0x01, 0x0E}));
}

// Reference decoder, written from the spec: any block size and miniblock count, widths of unused
// miniblocks ignored, arithmetic wrapping in T's width. Checks that nothing follows the values.
template <typename T>
std::vector<T> DecodeDelta(const std::string& data) {
  using U = std::make_unsigned_t<T>;
  size_t pos = 0;
  auto uleb = [&] {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      auto b = static_cast<uint8_t>(data.at(pos++));
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
  };
  auto zigzag = [&] {
    uint64_t z = uleb();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  };
  const uint64_t block = uleb(), miniblocks = uleb(), count = uleb();
  const uint64_t per_mini = block / miniblocks;
  EXPECT_EQ(block % 128, 0u);
  EXPECT_EQ(per_mini % 32, 0u);
  std::vector<T> out;
  if (count == 0) {
    zigzag();
    EXPECT_EQ(pos, data.size());
    return out;
  }
  auto last = static_cast<U>(zigzag());
  out.push_back(static_cast<T>(last));
  while (out.size() < count) {
    auto min_delta = static_cast<U>(zigzag());
    std::vector<int> widths(miniblocks);
    for (auto& w : widths) w = static_cast<uint8_t>(data.at(pos++));
    for (uint64_t m = 0; m < miniblocks && out.size() < count; ++m) {
      EXPECT_LE(widths[m], static_cast<int>(8 * sizeof(T)));
      uint64_t bitpos = pos * 8;
      for (uint64_t i = 0; i < per_mini; ++i) {
        U rel = 0;
        for (int b = 0; b < widths[m]; ++b, ++bitpos)
          rel |= static_cast<U>((static_cast<uint8_t>(data.at(bitpos / 8)) >> (bitpos % 8)) & 1) << b;
        if (out.size() < count) {
          last = static_cast<U>(last + min_delta + rel);
          out.push_back(static_cast<T>(last));
        }
      }
      pos += per_mini * static_cast<uint64_t>(widths[m]) / 8;
    }
  }
  EXPECT_EQ(pos, data.size()) << "trailing bytes after the encoded values";
  return out;
}

template <typename T>
void DeltaRoundTrips(uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int iter = 0; iter < 600; ++iter) {
    size_t n = rng() % 5 == 0 ? rng() % 3 : rng() % 1100;
    std::vector<T> v(n);
    int shape = static_cast<int>(rng() % 5);
    T x = static_cast<T>(rng());
    for (size_t i = 0; i < n; ++i) {
      switch (shape) {
        case 0: v[i] = static_cast<T>(rng()); break;  // any value: deltas wrap, widths up to the type's
        case 1:  // ascending, like timestamps (and wrapping past the largest value: unsigned arithmetic)
          v[i] = x = static_cast<T>(static_cast<std::make_unsigned_t<T>>(x) + rng() % 5000);
          break;
        case 2: v[i] = static_cast<T>(1000 + i); break;  // sequential ids
        case 3: v[i] = rng() % 2 ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max(); break;
        default: v[i] = static_cast<T>(static_cast<int64_t>(rng() % 64) - 32); break;  // small, both signs
      }
    }
    std::string out;
    EncodeDeltaBinaryPacked(v.data(), v.size(), &out);
    ASSERT_EQ(DecodeDelta<T>(out), v) << "shape " << shape << " n " << n;
  }
}

TEST(DeltaBinaryPacked, RandomRoundTrip) {
  DeltaRoundTrips<int32_t>(7);
  DeltaRoundTrips<int64_t>(8);
}

TEST(DeltaBinaryPacked, SequentialIdsTakeNoBits) {
  std::vector<int64_t> ids(100000);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i) + 1;
  std::string out;
  EncodeDeltaBinaryPacked(ids.data(), ids.size(), &out);
  // Per block of 128: the min delta (1 byte) and 4 widths of 0; 782 blocks after the first value.
  EXPECT_EQ(out.size(), 2 + 1 + 3 + 1 + 782 * 5u);
}

// Which encodings a chunk was written with: true when it has a dictionary page.
bool UsesDictionary(const Column& col, const WriterOptions& opt) {
  StringOutputStream out;
  ColumnChunkMeta meta = WriteColumnChunk(col, Field{"c", col.type(), true}, opt, &out);
  bool dict = meta.dictionary_page_offset.has_value();
  EXPECT_EQ(dict,
            std::find(meta.encodings.begin(), meta.encodings.end(), Encoding::kRleDictionary) != meta.encodings.end());
  return dict;
}

// A Thrift compact-protocol reader for page headers, from the spec: a struct's integer fields by
// id, its struct fields read the same way one level down, everything else skipped.
struct ThriftStruct {
  std::map<int, int64_t> ints;
  std::map<int, ThriftStruct> structs;
};

class ThriftReader {
 public:
  ThriftReader(const std::string& data, size_t pos) : d_(data), pos_(pos) {}
  size_t pos() const { return pos_; }

  ThriftStruct Struct() {
    ThriftStruct out;
    int id = 0;
    while (true) {
      auto h = static_cast<uint8_t>(d_.at(pos_++));
      if (h == 0) return out;
      int type = h & 0x0F;
      id = (h >> 4) ? id + (h >> 4) : static_cast<int>(Zigzag());
      if (type == 4 || type == 5 || type == 6)
        out.ints[id] = Zigzag();
      else if (type == 12)
        out.structs[id] = Struct();
      else
        Skip(type);
    }
  }

 private:
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      auto b = static_cast<uint8_t>(d_.at(pos_++));
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
  }
  int64_t Zigzag() {
    uint64_t z = Varint();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  void Skip(int type) {
    switch (type) {
      case 1:
      case 2: break;                    // booleans live in the type nibble
      case 3: ++pos_; break;            // byte
      case 7: pos_ += 8; break;         // double
      case 8: pos_ += Varint(); break;  // binary
      case 9:
      case 10: {  // list, set
        auto h = static_cast<uint8_t>(d_.at(pos_++));
        uint64_t n = h >> 4 == 15 ? Varint() : h >> 4;
        for (uint64_t i = 0; i < n; ++i) (h & 0x0F) == 12 ? static_cast<void>(Struct()) : Skip(h & 0x0F);
        break;
      }
      case 12: Struct(); break;
      default: Zigzag();  // i16, i32, i64
    }
  }
  const std::string& d_;
  size_t pos_;
};

// The values a chunk holds, read back from its pages (PageHeader: 3 compressed size, 5 data page
// header: 1 num_values, 2 encoding): RLE definition levels and DELTA_BINARY_PACKED values,
// uncompressed (the test writes no codec). Nulls are nullopt.
std::vector<std::optional<int64_t>> ReadDeltaChunk(const std::string& file, const ColumnChunkMeta& meta,
                                                   bool nullable) {
  std::vector<std::optional<int64_t>> rows;
  size_t pos = static_cast<size_t>(meta.data_page_offset);
  while (rows.size() < static_cast<size_t>(meta.num_values)) {
    ThriftReader r(file, pos);
    ThriftStruct h = r.Struct();
    const auto body_bytes = static_cast<size_t>(h.ints.at(3));
    const ThriftStruct& data_page = h.structs.at(5);
    std::string body = file.substr(r.pos(), body_bytes);
    EXPECT_EQ(data_page.ints.at(2), static_cast<int64_t>(Encoding::kDeltaBinaryPacked));
    std::vector<bool> valid(static_cast<size_t>(data_page.ints.at(1)), true);
    size_t at = 0;
    if (nullable) {
      uint32_t len;
      std::memcpy(&len, body.data(), 4);
      std::vector<uint32_t> levels = Decode(body.substr(4, len), 1, valid.size());
      for (size_t i = 0; i < valid.size(); ++i) valid[i] = levels[i] == 1;
      at = 4 + len;
    }
    std::vector<int64_t> values = DecodeDelta<int64_t>(body.substr(at));
    size_t next = 0;
    for (bool v : valid) rows.push_back(v ? std::optional<int64_t>(values.at(next++)) : std::nullopt);
    EXPECT_EQ(next, values.size());
    pos = r.pos() + body_bytes;
  }
  return rows;
}

TEST(ColumnChunk, IntegersWithoutDictionaryAreDelta) {
  WriterOptions opt;
  opt.codec = Codec::kUncompressed;
  opt.page_bytes = 8 * 1000;  // several pages, each its own delta stream
  Column ts(DataType::kInt64);
  std::vector<std::optional<int64_t>> want;
  std::mt19937_64 rng(3);
  int64_t t = 1541030402376;
  for (int i = 0; i < 10000; ++i) {
    t += static_cast<int64_t>(rng() % 9000);
    if (i % 7 == 3) {
      ts.AppendNull();
      want.push_back(std::nullopt);
    } else {
      ts.AppendInt64(t);
      want.push_back(t);
    }
  }
  StringOutputStream out;
  ColumnChunkMeta meta = WriteColumnChunk(ts, Field{"start_time", DataType::kTimestampMillis, true}, opt, &out);
  EXPECT_EQ(meta.encodings, (std::vector<Encoding>{Encoding::kRle, Encoding::kDeltaBinaryPacked}));
  EXPECT_GT(meta.encoding_stats.at(0).count, 1);
  EXPECT_EQ(ReadDeltaChunk(out.str(), meta, true), want);
  EXPECT_LT(meta.total_compressed_size, 10000 * 3);  // PLAIN: 8 bytes a value
  opt.delta_integers = false;
  StringOutputStream plain;
  meta = WriteColumnChunk(ts, Field{"start_time", DataType::kTimestampMillis, true}, opt, &plain);
  EXPECT_EQ(meta.encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle}));
}

TEST(ColumnChunk, DictionaryOnlyWhenItPays) {
  WriterOptions opt;
  Column unique(DataType::kInt64), one(DataType::kString), levels(DataType::kString), late(DataType::kInt64);
  for (int64_t i = 0; i < 10000; ++i) unique.AppendInt64(i * 7919);
  one.AppendString("SOAAAAA12AB0183C2A");
  for (int i = 0; i < 10000; ++i) levels.AppendString(i % 3 ? "paid" : "free");
  // Unique for the whole probe, repeating after it: the probe decides, so PLAIN.
  for (int64_t i = 0; i < 10000; ++i) late.AppendInt64(i < 4096 ? i : 0);
  EXPECT_FALSE(UsesDictionary(unique, opt));  // not hashed up to the 1 MiB limit first
  EXPECT_FALSE(UsesDictionary(one, opt));     // a one-row chunk: one PLAIN page, no dictionary page
  EXPECT_TRUE(UsesDictionary(levels, opt));
  EXPECT_FALSE(UsesDictionary(late, opt));
  Column twice(DataType::kString);
  twice.AppendString("x");
  twice.AppendString("x");
  EXPECT_TRUE(UsesDictionary(twice, opt));  // 1-byte dictionary + 0-bit indices beat 2 values
  // Runs that cross the probe's end (the writer takes a run of equal rows at once): only the
  // rows within the probe count. 2048 distinct values, then one repeated, pays over the probe;
  // 4095 distinct, then one repeated 1000 times, does not (counting the whole run would say it does).
  Column half(DataType::kInt64), full(DataType::kInt64);
  for (int64_t i = 0; i < 5000; ++i) half.AppendInt64(i < 2048 ? i * 31 : -1);
  for (int64_t i = 0; i < 5095; ++i) full.AppendInt64(i < 4095 ? i * 31 : -1);
  EXPECT_TRUE(UsesDictionary(half, opt));
  EXPECT_FALSE(UsesDictionary(full, opt));
  opt.dictionary_probe_values = 0;  // the old rule: any dictionary that fits the limit
  EXPECT_TRUE(UsesDictionary(unique, opt));
  EXPECT_TRUE(UsesDictionary(one, opt));
  EXPECT_TRUE(UsesDictionary(late, opt));
}

// A run appended at once is the same column as its values appended one by one: values, validity,
// and the chunk written from it, with nulls before, between and after runs (and empty runs).
TEST(Column, Int32RunsEqualSingleAppends) {
  std::mt19937_64 rng(17);
  for (int round = 0; round < 20; ++round) {
    Column runs(DataType::kInt32), singles(DataType::kInt32);
    for (int piece = 0; piece < 50; ++piece) {
      if (round % 2 && rng() % 4 == 0) {
        runs.AppendNull();
        singles.AppendNull();
        continue;
      }
      auto v = static_cast<int32_t>(rng() % 5) - 2;
      size_t n = rng() % 300;
      runs.AppendInt32(v, n);
      for (size_t i = 0; i < n; ++i) singles.AppendInt32(v);
    }
    ASSERT_EQ(runs.size(), singles.size());
    ASSERT_EQ(runs.null_count(), singles.null_count());
    ASSERT_EQ(runs.int32s(), singles.int32s());
    for (size_t i = 0; i < runs.size(); ++i) ASSERT_EQ(runs.IsValid(i), singles.IsValid(i)) << i;
    WriterOptions opt;
    StringOutputStream a, b;
    WriteColumnChunk(runs, Field{"hour", DataType::kInt32, true}, opt, &a);
    WriteColumnChunk(singles, Field{"hour", DataType::kInt32, true}, opt, &b);
    ASSERT_EQ(a.str(), b.str()) << "round " << round;
  }
}

// A bulk fill (BeginInt64/EndInt64, BeginCodes/EndCodes) makes the column that appending the same
// rows one by one makes: values, nulls (before, among and after appended rows), the size
// estimate the row groups are cut by, and the encoded chunk.
TEST(Column, BulkFillsEqualSingleAppends) {
  std::mt19937_64 rng(41);
  auto dict = std::make_shared<StringDictionary>();
  dict->values = {"Dallas", "New York", "San Francisco", "paid"};
  dict->sorted = true;
  constexpr int64_t kNullInt = -7;
  constexpr uint32_t kNullCode = 99;
  for (int round = 0; round < 40; ++round) {
    Column bulk_i(DataType::kInt64), single_i(DataType::kInt64);
    Column bulk_c(dict), single_c(dict);
    for (int piece = 0; piece < 6; ++piece) {
      size_t n = rng() % 200;
      bool nulls = round % 3 != 0;
      if (rng() % 3 == 0) {  // single appends between fills
        bulk_i.AppendNull();
        single_i.AppendNull();
        bulk_c.AppendCode(1);
        single_c.AppendCode(1);
      }
      int64_t* iv = bulk_i.BeginInt64(n);
      uint32_t* cv = bulk_c.BeginCodes(n);
      for (size_t k = 0; k < n; ++k) {
        bool null = nulls && rng() % 5 == 0;
        int64_t v = null ? kNullInt : static_cast<int64_t>(rng() % 1000);
        uint32_t c = nulls && rng() % 5 == 0 ? kNullCode : static_cast<uint32_t>(rng() % 4);
        iv[k] = v;
        cv[k] = c;
        if (v == kNullInt)
          single_i.AppendNull();
        else
          single_i.AppendInt64(v);
        if (c == kNullCode)
          single_c.AppendNull();
        else
          single_c.AppendCode(c);
      }
      bulk_i.EndInt64(n, nulls ? std::optional<int64_t>(kNullInt) : std::nullopt);
      bulk_c.EndCodes(n, nulls ? std::optional<uint32_t>(kNullCode) : std::nullopt);
    }
    for (auto [bulk, single] : {std::pair{&bulk_i, &single_i}, std::pair{&bulk_c, &single_c}}) {
      ASSERT_EQ(bulk->size(), single->size());
      ASSERT_EQ(bulk->null_count(), single->null_count());
      ASSERT_EQ(bulk->ByteSize(), single->ByteSize());
      for (size_t i = 0; i < bulk->size(); ++i) ASSERT_EQ(bulk->IsValid(i), single->IsValid(i)) << i;
    }
    ASSERT_EQ(bulk_i.int64s(), single_i.int64s());
    ASSERT_EQ(bulk_c.codes(), single_c.codes());
    WriterOptions opt;
    StringOutputStream a, b, c, d;
    WriteColumnChunk(bulk_i, Field{"user_id", DataType::kInt64, true}, opt, &a);
    WriteColumnChunk(single_i, Field{"user_id", DataType::kInt64, true}, opt, &b);
    ASSERT_EQ(a.str(), b.str()) << "round " << round;
    WriteColumnChunk(bulk_c, Field{"location", DataType::kString, true}, opt, &c);
    WriteColumnChunk(single_c, Field{"location", DataType::kString, true}, opt, &d);
    ASSERT_EQ(c.str(), d.str()) << "round " << round;
  }
}

// A code outside the dictionary, a fill of the wrong type, an End of another size and a second
// Begin before the End are errors, as the single appends' are.
TEST(Column, BulkFillMisuseIsAnError) {
  auto dict = std::make_shared<StringDictionary>();
  dict->values = {"free", "paid"};
  Column codes(dict);
  uint32_t* c = codes.BeginCodes(2);
  c[0] = 1;
  c[1] = 2;
  EXPECT_THROW(codes.EndCodes(2, std::nullopt), Error);
  Column strings(DataType::kString);
  EXPECT_THROW(strings.BeginCodes(1), Error);
  Column ints(DataType::kInt32);
  EXPECT_THROW(ints.BeginInt64(1), Error);
  Column longs(DataType::kInt64);
  longs.BeginInt64(3);
  EXPECT_THROW(longs.BeginInt64(1), Error);
  EXPECT_THROW(longs.EndInt64(2, std::nullopt), Error);
  longs.EndInt64(3, std::nullopt);
  EXPECT_EQ(longs.size(), 3u);
}

// A fill bounded in advance and shrunk to the rows written holds those rows and nothing after
// them; shrinking past what was begun, or a column with no bulk kind, is an error.
TEST(Column, ShrunkBulkFillKeepsTheRowsWritten) {
  Column longs(DataType::kTimestampMillis);
  longs.AppendInt64(5);
  int64_t* v = longs.BeginInt64(10);
  v[0] = 7;
  v[1] = -3;
  v[2] = 11;
  EXPECT_THROW(longs.ShrinkBulk(11), Error);
  longs.ShrinkBulk(3);
  EXPECT_THROW(longs.EndInt64(10, std::nullopt), Error);
  longs.EndInt64(3, std::int64_t{-3});
  ASSERT_EQ(longs.size(), 4u);
  EXPECT_EQ(longs.int64s().size(), 4u);
  EXPECT_EQ(longs.null_count(), 1u);
  EXPECT_EQ(longs.int64s()[1], 7);
  EXPECT_FALSE(longs.IsValid(2));
  EXPECT_EQ(longs.int64s()[3], 11);
  longs.AppendInt64(1);  // single appends carry on after the shrunk fill
  EXPECT_EQ(longs.size(), 5u);

  auto dict = std::make_shared<StringDictionary>();
  dict->values = {"free", "paid"};
  Column codes(dict);
  uint32_t* c = codes.BeginCodes(4);
  c[0] = 1;
  codes.ShrinkBulk(1);
  codes.EndCodes(1, std::nullopt);
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes.StringAt(0), "paid");
  Column none(DataType::kInt64);
  none.BeginInt64(0);
  none.ShrinkBulk(0);
  none.EndInt64(0, std::nullopt);
  EXPECT_EQ(none.size(), 0u);
  Column ints(DataType::kInt32);
  EXPECT_THROW(ints.ShrinkBulk(0), Error);
}

// Runs given as runs encode to the bytes of their values expanded: random runs of short and long
// lengths (straddling the 8-value rule), equal neighbours and empty runs, at several widths.
TEST(RleHybrid, RunsEncodeAsTheirValues) {
  std::mt19937_64 rng(29);
  for (int round = 0; round < 300; ++round) {
    int width = 1 + static_cast<int>(rng() % 12);
    std::vector<RleRun> runs;
    std::vector<uint32_t> values;
    size_t pieces = rng() % 40;
    for (size_t k = 0; k < pieces; ++k) {
      uint32_t v = static_cast<uint32_t>(rng() % 3) & ((1u << width) - 1);
      size_t count = rng() % 4 == 0 ? rng() % 40 : rng() % 10;
      runs.push_back({.value = v, .count = count});
      values.insert(values.end(), count, v);
    }
    std::string from_runs, from_values;
    EncodeRleHybrid(runs.data(), runs.size(), width, &from_runs);
    EncodeRleHybrid(values.data(), values.size(), width, &from_values);
    ASSERT_EQ(Bytes(from_runs), Bytes(from_values)) << "round " << round;
  }
}

// A run-length column (Column::Int32Runs) holds the rows of its runs, merges equal neighbours,
// refuses nulls and single values, and slices (AppendRange) run by run into either kind.
TEST(Column, RunLengthInt32Rows) {
  Column c = Column::Int32Runs();
  c.AppendInt32(5, 3);
  c.AppendInt32(5, 2);
  c.AppendInt32(-1, 0);
  c.AppendInt32(7, 1);
  c.AppendInt32(-2, 4);
  ASSERT_EQ(c.size(), 10u);
  EXPECT_TRUE(c.run_length());
  EXPECT_TRUE(c.int32s().empty());
  ASSERT_EQ(c.int32_runs().size(), 3u);
  EXPECT_EQ(c.int32_runs()[0].end, 5u);
  std::vector<int32_t> rows;
  for (size_t i = 0; i < c.size(); ++i) rows.push_back(c.Int32At(i));
  EXPECT_EQ(rows, (std::vector<int32_t>{5, 5, 5, 5, 5, 7, -2, -2, -2, -2}));
  EXPECT_THROW(c.Int32At(10), Error);
  Column plain_rows(DataType::kInt32);
  plain_rows.AppendInt32(3);
  EXPECT_EQ(plain_rows.Int32At(0), 3);
  EXPECT_THROW(plain_rows.Int32At(1), Error);
  EXPECT_THROW(Column(DataType::kInt64).Int32At(0), Error);
  EXPECT_THROW(c.AppendNull(), Error);
  EXPECT_THROW(c.AppendInt32(1), Error);
  EXPECT_FALSE(c.has_nulls());
  EXPECT_EQ(c.ByteSize(), 40u);
  Column plain(DataType::kInt32);
  plain.AppendRange(c, 3, 8);
  EXPECT_EQ(plain.int32s(), (std::vector<int32_t>{5, 5, 7, -2, -2}));
  Column runs = Column::Int32Runs();
  runs.AppendRange(c, 4, 10);
  runs.AppendRange(plain, 3, 5);
  ASSERT_EQ(runs.int32_runs().size(), 3u);
  EXPECT_EQ(runs.size(), 8u);
  EXPECT_EQ(runs.int32_runs()[2].value, -2);
  EXPECT_EQ(runs.int32_runs()[2].end, 8u);
}

// A run-length column writes the chunk its expanded values write, byte for byte: with the
// dictionary, with it refused (the limit, or a probe it does not pay for), with it off, REQUIRED or
// OPTIONAL, in one page or many.
TEST(ColumnChunk, RunLengthInt32EqualsExpanded) {
  std::mt19937_64 rng(31);
  for (int round = 0; round < 60; ++round) {
    Column runs = Column::Int32Runs(), expanded(DataType::kInt32);
    size_t distinct = round % 3 == 0 ? 5000 : 30;
    for (int piece = 0; piece < 400; ++piece) {
      auto v = static_cast<int32_t>(rng() % distinct) - 7;
      size_t n = rng() % 3 == 0 ? 1 : rng() % 900;
      runs.AppendInt32(v, n);
      expanded.AppendInt32(v, n);
    }
    WriterOptions opt;
    opt.page_bytes = round % 2 ? 4096 : size_t{1} << 20;
    if (round % 5 == 1) opt.dictionary_limit_bytes = 64;
    if (round % 5 == 2) opt.enable_dictionary = false;
    if (round % 5 == 3) opt.delta_integers = false;
    Field field{"hour", DataType::kInt32, round % 4 == 0};
    StringOutputStream a, b;
    ColumnChunkMeta ma = WriteColumnChunk(runs, field, opt, &a);
    ColumnChunkMeta mb = WriteColumnChunk(expanded, field, opt, &b);
    ASSERT_EQ(a.str(), b.str()) << "round " << round;
    EXPECT_EQ(ma.encodings, mb.encodings);
    EXPECT_EQ(ma.statistics.min_value, mb.statistics.min_value);
    EXPECT_EQ(ma.statistics.max_value, mb.statistics.max_value);
    EXPECT_EQ(ma.total_compressed_size, mb.total_compressed_size);
  }
}

}  // namespace
}  // namespace lakeforge::parquet
