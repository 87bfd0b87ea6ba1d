// The subset of Parquet's Thrift metadata that lakeforge writes, as plain structs, and their
// compact-protocol serialisation. Field ids follow parquet.thrift from apache/parquet-format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "table/column.h"

namespace lakeforge::parquet {

// parquet.thrift enums (only the values we emit).
enum class PhysicalType : int32_t { kBoolean = 0, kInt32 = 1, kInt64 = 2, kDouble = 5, kByteArray = 6 };
enum class Encoding : int32_t { kPlain = 0, kRle = 3, kDeltaBinaryPacked = 5, kRleDictionary = 8 };
enum class PageType : int32_t { kDataPage = 0, kDictionaryPage = 2 };

PhysicalType PhysicalTypeOf(DataType type);

struct Statistics {
  int64_t null_count = 0;
  std::optional<std::string> min_value;  // PLAIN-encoded bytes
  std::optional<std::string> max_value;
};

struct EncodingStat {
  PageType page_type;
  Encoding encoding;
  int32_t count;
};

struct ColumnChunkMeta {
  PhysicalType type;
  std::string path;  // single-level schema: the column name
  int32_t codec = 0;
  std::vector<Encoding> encodings;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;  // page headers included
  int64_t total_compressed_size = 0;    // page headers included
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  Statistics statistics;
  std::vector<EncodingStat> encoding_stats;

  int64_t chunk_start() const { return dictionary_page_offset.value_or(data_page_offset); }
};

struct RowGroupMeta {
  std::vector<ColumnChunkMeta> columns;
  int64_t num_rows = 0;
};

struct PageHeader {
  PageType type;
  int32_t uncompressed_size;
  int32_t compressed_size;
  int32_t num_values;  // values in the page, nulls included
  Encoding encoding;
};

void SerializePageHeader(const PageHeader& h, std::string* out);

void SerializeFileMetaData(const Schema& schema, const std::vector<RowGroupMeta>& row_groups, int64_t num_rows,
                           const std::string& created_by, std::string* out);

}  // namespace lakeforge::parquet
