// ParquetFileWriter: streams record batches into one Parquet file.
//
// File layout: "PAR1" | row group* | FileMetaData (compact Thrift) | 4-byte LE footer length | "PAR1".
// Rows are buffered until the row group reaches options.row_group_bytes (uncompressed estimate) or
// options.row_group_rows, then every column chunk is encoded and written; memory is bounded by one
// row group, not by the file. A file with no rows has zero row groups.
//
// States: open -> (Close) closed, or -> (any error) aborted; an aborted writer rejects further calls.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "formats/parquet/column_chunk_writer.h"
#include "formats/parquet/metadata.h"
#include "io/output_stream.h"
#include "table/column.h"

namespace lakeforge::parquet {

// "lakeforge version X.Y.Z (build <hash>)", the form parquet-java parses to trust string statistics.
std::string CreatedBy();

class ParquetFileWriter {
 public:
  // `name` identifies the file in error messages. `out` must outlive the writer.
  ParquetFileWriter(OutputStream* out, Schema schema, WriterOptions options, std::string name);

  // Appends all rows of `batch`, whose schema must equal the writer's. A batch that fits in one row
  // group and arrives while nothing is buffered is written as its own row group without a copy.
  void Write(const RecordBatch& batch);
  // Appends rows [begin, end) of `batch`.
  void Write(const RecordBatch& batch, size_t begin, size_t end);
  // Flushes the last row group and writes the footer. Does not close `out`.
  void Close();

  int64_t rows_written() const { return rows_written_; }
  size_t row_groups() const { return row_groups_.size(); }

 private:
  enum class State { kOpen, kClosed, kAborted };
  void FlushRowGroup();
  void WriteRowGroup(const std::vector<Column>& columns, size_t rows);
  void Check(const RecordBatch& batch) const;

  OutputStream* out_;
  Schema schema_;
  WriterOptions options_;
  std::string name_;
  State state_ = State::kOpen;
  std::vector<Column> buffer_;
  size_t buffered_rows_ = 0;
  std::vector<RowGroupMeta> row_groups_;
  int64_t rows_written_ = 0;
};

}  // namespace lakeforge::parquet
