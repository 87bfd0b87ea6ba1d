// Encodes one column of one row group into a Parquet column chunk: an optional dictionary page
// followed by data pages (format v1), each with its compact-Thrift PageHeader.
//
// Data page v1 body: [definition levels: 4-byte LE length + RLE hybrid, OPTIONAL columns only]
//                    [values: PLAIN, DELTA_BINARY_PACKED, or 1 byte bit width + RLE hybrid
//                     dictionary indices]
// The body is compressed as a whole with the column codec.
//
// Dictionary encoding is tried first (not for BOOLEAN). The whole chunk falls back to PLAIN
// (DELTA_BINARY_PACKED for INT32, INT64 and timestamps: delta_integers) when
//  - the dictionary's PLAIN size would pass WriterOptions::dictionary_limit_bytes, or
//  - it does not pay: over the first dictionary_probe_values non-null values (or the whole chunk,
//    if shorter), dictionary + bit-packed indices are not smaller than the PLAIN values. This is
//    parquet-mr's check after its first page, on a shorter prefix, so that a column of unique ids
//    is not hashed up to the limit before giving up, and a one-row chunk has no dictionary page.
// Both depend only on the values, so output never depends on how the work was split.
// An all-null chunk is written PLAIN, whatever its type: an empty dictionary page trips some
// readers (DuckDB), and it has no values to delta-encode.
#pragma once

#include <cstddef>

#include "formats/compression.h"
#include "formats/parquet/metadata.h"
#include "io/output_stream.h"
#include "table/column.h"

namespace lakeforge::parquet {

struct WriterOptions {
  Codec codec = Codec::kSnappy;
  size_t row_group_bytes = size_t{128} << 20;  // uncompressed PLAIN estimate
  size_t row_group_rows = 1'000'000;
  size_t page_bytes = size_t{1} << 20;
  size_t dictionary_limit_bytes = size_t{1} << 20;
  size_t dictionary_probe_values = 4096;  // 0: keep the dictionary whenever it fits the limit
  bool enable_dictionary = true;
  // INT32/INT64 chunks without a dictionary are DELTA_BINARY_PACKED (false: PLAIN, for readers that
  // predate it, such as Spark's vectorized reader before 3.3).
  bool delta_integers = true;
};

// Writes rows [0, col.size()) of `col` at out->Tell() and returns the chunk's metadata.
ColumnChunkMeta WriteColumnChunk(const Column& col, const Field& field, const WriterOptions& options,
                                 OutputStream* out);

}  // namespace lakeforge::parquet
