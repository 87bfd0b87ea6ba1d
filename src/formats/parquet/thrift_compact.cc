// Thrift compact protocol encoder; see thrift_compact.h for the wire format.
#include "formats/parquet/thrift_compact.h"

namespace lakeforge::parquet {

void CompactWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void CompactWriter::FieldHeader(int16_t id, CompactType type) {
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

void CompactWriter::FieldI32(int16_t id, int32_t v) {
  FieldHeader(id, CompactType::kI32);
  Varint(ZigZag32(v));
}

void CompactWriter::FieldI64(int16_t id, int64_t v) {
  FieldHeader(id, CompactType::kI64);
  Varint(ZigZag64(v));
}

void CompactWriter::FieldI16(int16_t id, int16_t v) {
  FieldHeader(id, CompactType::kI16);
  Varint(ZigZag32(v));
}

void CompactWriter::FieldBool(int16_t id, bool v) {
  FieldHeader(id, v ? CompactType::kBoolTrue : CompactType::kBoolFalse);
}

void CompactWriter::FieldBinary(int16_t id, std::string_view v) {
  FieldHeader(id, CompactType::kBinary);
  ListBinary(v);
}

void CompactWriter::ListBinary(std::string_view v) {
  Varint(v.size());
  out_->append(v.data(), v.size());
}

void CompactWriter::BeginStructField(int16_t id) {
  FieldHeader(id, CompactType::kStruct);
  last_field_.push_back(0);
}

void CompactWriter::BeginListField(int16_t id, CompactType elem_type, size_t size) {
  FieldHeader(id, CompactType::kList);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<uint8_t>(elem_type)));
  } else {
    out_->push_back(static_cast<char>(0xF0 | static_cast<uint8_t>(elem_type)));
    Varint(size);
  }
}

void CompactWriter::BeginListStruct() { last_field_.push_back(0); }

void CompactWriter::EndStruct() {
  out_->push_back(0);
  last_field_.pop_back();
  if (last_field_.empty()) last_field_.push_back(0);
}

}  // namespace lakeforge::parquet
