// Unit tests for the Thrift compact encoder and the RLE/bit-packing hybrid, against bytes computed
// by hand from the specifications, plus a decode round trip on random inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "formats/parquet/column_chunk_writer.h"
#include "formats/parquet/rle_hybrid.h"
#include "formats/parquet/thrift_compact.h"

namespace lakeforge::parquet {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

TEST(ThriftCompact, ShortFieldHeadersAndZigZag) {
  std::string out;
  CompactWriter w(&out);
  w.FieldI32(1, 1);       // 0x15 0x02
  w.FieldI64(3, -1);      // delta 2, type 6 -> 0x26; zigzag(-1) = 1
  w.FieldBinary(4, "ab");  // 0x18 0x02 'a' 'b'
  w.EndMessage();
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x15, 0x02, 0x26, 0x01, 0x18, 0x02, 'a', 'b', 0x00}));
  EXPECT_TRUE(w.balanced());
}

TEST(ThriftCompact, LongFieldDeltaBoolsListsAndVarints) {
  std::string out;
  CompactWriter w(&out);
  w.FieldI32(20, 150);  // delta 20 > 15: type byte 0x05, zigzag varint id 40 = 0x28; zigzag(150)=300 = 0xAC 0x02
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
  w.FieldI32(5, 0);        // 0x55 0x00
  w.BeginStructField(7);   // 0x2C
  w.FieldI32(1, 1);        // 0x15 0x02 (delta from 0 inside the struct)
  w.EndStruct();           // 0x00
  w.FieldI32(8, 2);        // delta 1 from 7: 0x15 0x04
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
      for (int b = 0; b < (width + 7) / 8; ++b) v |= static_cast<uint32_t>(static_cast<uint8_t>(data.at(pos++))) << (8 * b);
      for (uint64_t i = 0; i < (h >> 1); ++i) out.push_back(v);
    }
  }
  EXPECT_EQ(pos, data.size()) << "trailing bytes after the encoded values";
  return out;
}

TEST(RleHybrid, RandomRoundTrip) {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 2000; ++iter) {
    int width = 1 + static_cast<int>(rng() % 20);
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

// Which encodings a chunk was written with: true when it has a dictionary page.
bool UsesDictionary(const Column& col, const WriterOptions& opt) {
  StringOutputStream out;
  ColumnChunkMeta meta = WriteColumnChunk(col, Field{"c", col.type(), true}, opt, &out);
  bool dict = meta.dictionary_page_offset.has_value();
  EXPECT_EQ(dict, std::find(meta.encodings.begin(), meta.encodings.end(), Encoding::kRleDictionary) !=
                      meta.encodings.end());
  return dict;
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
  opt.dictionary_probe_values = 0;          // the old rule: any dictionary that fits the limit
  EXPECT_TRUE(UsesDictionary(unique, opt));
  EXPECT_TRUE(UsesDictionary(one, opt));
  EXPECT_TRUE(UsesDictionary(late, opt));
}

}  // namespace
}  // namespace lakeforge::parquet
