// Compact-protocol serialisation of PageHeader and FileMetaData.
//
// FileMetaData as written: version 1; a flat schema (root "schema" + one leaf per column, REQUIRED or
// OPTIONAL); row groups with file_offset and total_compressed_size (Spark splits files by them);
// created_by; and column_orders = TYPE_ORDER for every leaf so readers trust min_value/max_value.
#include "formats/parquet/metadata.h"

#include "formats/parquet/thrift_compact.h"

namespace lakeforge::parquet {
namespace {

constexpr int32_t kConvertedUtf8 = 0;
constexpr int32_t kConvertedTimestampMillis = 9;
constexpr int32_t kRepetitionRequired = 0;
constexpr int32_t kRepetitionOptional = 1;

void WriteSchemaElement(CompactWriter& w, const Field& f) {
  w.BeginListStruct();
  w.FieldI32(1, static_cast<int32_t>(PhysicalTypeOf(f.type)));
  w.FieldI32(3, f.nullable ? kRepetitionOptional : kRepetitionRequired);
  w.FieldBinary(4, f.name);
  if (f.type == DataType::kString) {
    w.FieldI32(6, kConvertedUtf8);
    w.BeginStructField(10);  // logicalType
    w.BeginStructField(1);   // STRING
    w.EndStruct();
    w.EndStruct();
  } else if (f.type == DataType::kTimestampMillis) {
    w.FieldI32(6, kConvertedTimestampMillis);
    w.BeginStructField(10);  // logicalType
    w.BeginStructField(8);   // TIMESTAMP
    w.FieldBool(1, true);    // isAdjustedToUTC
    w.BeginStructField(2);   // unit
    w.BeginStructField(1);   // MILLIS
    w.EndStruct();
    w.EndStruct();
    w.EndStruct();
    w.EndStruct();
  }
  w.EndStruct();
}

void WriteStatistics(CompactWriter& w, const Statistics& s) {
  w.BeginStructField(12);
  w.FieldI64(3, s.null_count);
  if (s.max_value && s.min_value) {
    w.FieldBinary(5, *s.max_value);
    w.FieldBinary(6, *s.min_value);
  }
  w.EndStruct();
}

void WriteColumnChunk(CompactWriter& w, const ColumnChunkMeta& c) {
  w.BeginListStruct();
  w.FieldI64(2, c.chunk_start());  // file_offset
  w.BeginStructField(3);           // meta_data
  w.FieldI32(1, static_cast<int32_t>(c.type));
  w.BeginListField(2, CompactType::kI32, c.encodings.size());
  for (Encoding e : c.encodings) w.ListI32(static_cast<int32_t>(e));
  w.BeginListField(3, CompactType::kBinary, 1);
  w.ListBinary(c.path);
  w.FieldI32(4, c.codec);
  w.FieldI64(5, c.num_values);
  w.FieldI64(6, c.total_uncompressed_size);
  w.FieldI64(7, c.total_compressed_size);
  w.FieldI64(9, c.data_page_offset);
  if (c.dictionary_page_offset) w.FieldI64(11, *c.dictionary_page_offset);
  WriteStatistics(w, c.statistics);
  w.BeginListField(13, CompactType::kStruct, c.encoding_stats.size());
  for (const auto& es : c.encoding_stats) {
    w.BeginListStruct();
    w.FieldI32(1, static_cast<int32_t>(es.page_type));
    w.FieldI32(2, static_cast<int32_t>(es.encoding));
    w.FieldI32(3, es.count);
    w.EndStruct();
  }
  w.EndStruct();  // meta_data
  w.EndStruct();  // ColumnChunk
}

}  // namespace

PhysicalType PhysicalTypeOf(DataType type) {
  switch (type) {
    case DataType::kBool: return PhysicalType::kBoolean;
    case DataType::kInt32: return PhysicalType::kInt32;
    case DataType::kInt64:
    case DataType::kTimestampMillis: return PhysicalType::kInt64;
    case DataType::kDouble: return PhysicalType::kDouble;
    case DataType::kString: return PhysicalType::kByteArray;
  }
  return PhysicalType::kByteArray;
}

void SerializePageHeader(const PageHeader& h, std::string* out) {
  CompactWriter w(out);
  w.FieldI32(1, static_cast<int32_t>(h.type));
  w.FieldI32(2, h.uncompressed_size);
  w.FieldI32(3, h.compressed_size);
  if (h.type == PageType::kDataPage) {
    w.BeginStructField(5);
    w.FieldI32(1, h.num_values);
    w.FieldI32(2, static_cast<int32_t>(h.encoding));
    w.FieldI32(3, static_cast<int32_t>(Encoding::kRle));  // definition levels
    w.FieldI32(4, static_cast<int32_t>(Encoding::kRle));  // repetition levels (none: flat schema)
    w.EndStruct();
  } else {
    w.BeginStructField(7);
    w.FieldI32(1, h.num_values);
    w.FieldI32(2, static_cast<int32_t>(h.encoding));
    w.EndStruct();
  }
  w.EndMessage();
}

void SerializeFileMetaData(const Schema& schema, const std::vector<RowGroupMeta>& row_groups, int64_t num_rows,
                           const std::string& created_by, std::string* out) {
  CompactWriter w(out);
  w.FieldI32(1, 1);  // version
  w.BeginListField(2, CompactType::kStruct, schema.size() + 1);
  w.BeginListStruct();  // root
  w.FieldBinary(4, "schema");
  w.FieldI32(5, static_cast<int32_t>(schema.size()));
  w.EndStruct();
  for (const auto& f : schema) WriteSchemaElement(w, f);
  w.FieldI64(3, num_rows);
  w.BeginListField(4, CompactType::kStruct, row_groups.size());
  for (size_t g = 0; g < row_groups.size(); ++g) {
    const RowGroupMeta& rg = row_groups[g];
    w.BeginListStruct();
    w.BeginListField(1, CompactType::kStruct, rg.columns.size());
    int64_t uncompressed = 0, compressed = 0;
    for (const auto& c : rg.columns) {
      WriteColumnChunk(w, c);
      uncompressed += c.total_uncompressed_size;
      compressed += c.total_compressed_size;
    }
    w.FieldI64(2, uncompressed);  // total_byte_size
    w.FieldI64(3, rg.num_rows);
    w.FieldI64(5, rg.columns.empty() ? 4 : rg.columns.front().chunk_start());  // file_offset
    w.FieldI64(6, compressed);                                                   // total_compressed_size
    w.FieldI16(7, static_cast<int16_t>(g));                                      // ordinal
    w.EndStruct();
  }
  w.FieldBinary(6, created_by);
  w.BeginListField(7, CompactType::kStruct, schema.size());
  for (size_t i = 0; i < schema.size(); ++i) {
    w.BeginListStruct();  // ColumnOrder union
    w.BeginStructField(1);  // TYPE_ORDER
    w.EndStruct();
    w.EndStruct();
  }
  w.EndMessage();
}

}  // namespace lakeforge::parquet
