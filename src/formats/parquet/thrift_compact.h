// A writer for the Thrift compact protocol, the encoding of every Parquet metadata structure
// (FileMetaData, PageHeader, ...). Only what Parquet needs is here: structs, i16/i32/i64 as
// zigzag varints, binary, bool fields and lists.
//
// Wire format summary: a field header is one byte (delta << 4 | type) when the field id grows by
// 1..15 over the previous field of the same struct, otherwise the type byte followed by the id as a
// zigzag varint. A struct ends with a 0 byte. A bool field carries its value in the type nibble
// (1 = true, 2 = false). A list header is (size << 4 | elem_type) for size < 15, else
// (0xF0 | elem_type) followed by the size as a varint.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lakeforge::parquet {

enum class CompactType : uint8_t {
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

// Every method is inline: a footer or page header is dozens of one-byte writes, and on the songs
// table (149k one-row files) the calls themselves showed up in profiles.
class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) {}

  void FieldI32(int16_t id, int32_t v) {
    FieldHeader(id, CompactType::kI32);
    Varint(ZigZag32(v));
  }
  void FieldI64(int16_t id, int64_t v) {
    FieldHeader(id, CompactType::kI64);
    Varint(ZigZag64(v));
  }
  void FieldI16(int16_t id, int16_t v) {
    FieldHeader(id, CompactType::kI16);
    Varint(ZigZag32(v));
  }
  void FieldBool(int16_t id, bool v) { FieldHeader(id, v ? CompactType::kBoolTrue : CompactType::kBoolFalse); }
  void FieldBinary(int16_t id, std::string_view v) {
    FieldHeader(id, CompactType::kBinary);
    ListBinary(v);
  }
  // Opens a nested struct as field `id`; close it with EndStruct().
  void BeginStructField(int16_t id) {
    FieldHeader(id, CompactType::kStruct);
    last_field_.push_back(0);
  }
  // Opens a list field; elements follow as ListI32 / ListBinary / BeginListStruct.
  void BeginListField(int16_t id, CompactType elem_type, size_t size) {
    FieldHeader(id, CompactType::kList);
    if (size < 15) {
      out_->push_back(static_cast<char>((size << 4) | static_cast<uint8_t>(elem_type)));
    } else {
      out_->push_back(static_cast<char>(0xF0 | static_cast<uint8_t>(elem_type)));
      Varint(size);
    }
  }
  void ListI32(int32_t v) { Varint(ZigZag32(v)); }
  void ListBinary(std::string_view v) {
    Varint(v.size());
    out_->append(v.data(), v.size());
  }
  // A struct element of a list: fields, then EndStruct().
  void BeginListStruct() { last_field_.push_back(0); }
  // Closes the innermost open struct (writes the stop byte).
  void EndStruct() {
    out_->push_back(0);
    last_field_.pop_back();
    if (last_field_.empty()) last_field_.push_back(0);
  }
  // Closes the top-level message (writes the stop byte); the writer must be balanced afterwards.
  void EndMessage() { EndStruct(); }
  bool balanced() const { return last_field_.size() == 1; }

  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  static uint32_t ZigZag32(int32_t v) { return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31); }
  static uint64_t ZigZag64(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

 private:
  void FieldHeader(int16_t id, CompactType type) {
    int16_t& last = last_field_.back();
    int delta = id - last;
    if (delta > 0 && delta <= 15) {
      out_->push_back(static_cast<char>((delta << 4) | static_cast<uint8_t>(type)));
    } else {
      out_->push_back(static_cast<char>(type));
      Varint(ZigZag32(id));
    }
    last = id;
  }

  std::string* out_;
  std::vector<int16_t> last_field_{0};  // last field id of each open struct
};

}  // namespace lakeforge::parquet
