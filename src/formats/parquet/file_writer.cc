// ParquetFileWriter; the file layout is described in file_writer.h.
#include "formats/parquet/file_writer.h"

#include <algorithm>
#include <cstring>

#include "base/error.h"
#include "base/version.h"

namespace lakeforge::parquet {

std::string CreatedBy() { return std::string("lakeforge version ") + kVersion + " (build " + kBuildHash + ")"; }

ParquetFileWriter::ParquetFileWriter(OutputStream* out, Schema schema, WriterOptions options, std::string name)
    : out_(out), schema_(std::move(schema)), options_(options), name_(std::move(name)) {
  out_->Write("PAR1");
}

void ParquetFileWriter::Check(const RecordBatch& batch) const {
  if (state_ != State::kOpen) throw Error::Internal("Parquet file '" + name_ + "': write after close or abort");
  if (batch.columns.size() != schema_.size())
    throw Error::Internal("Parquet file '" + name_ + "': batch has " + std::to_string(batch.columns.size()) +
                          " columns, expected " + std::to_string(schema_.size()));
  for (size_t c = 0; c < schema_.size(); ++c) {
    if (batch.columns[c].type() != schema_[c].type)
      throw Error::Internal("Parquet file '" + name_ + "': column '" + schema_[c].name + "' has type " +
                            DataTypeName(batch.columns[c].type()) + ", expected " + DataTypeName(schema_[c].type));
    if (!schema_[c].nullable && batch.columns[c].has_nulls())
      throw Error::Internal("Parquet file '" + name_ + "': REQUIRED column '" + schema_[c].name + "' holds nulls");
  }
}

void ParquetFileWriter::Write(const RecordBatch& batch) { Write(batch, 0, batch.num_rows()); }

void ParquetFileWriter::Write(const RecordBatch& batch, size_t begin, size_t end) {
  Check(batch);
  try {
    if (buffered_rows_ == 0 && begin == 0 && end == batch.num_rows() && end < options_.row_group_rows) {
      size_t bytes = 0;
      for (const auto& col : batch.columns) bytes += col.ByteSize();
      if (bytes < options_.row_group_bytes) {
        // A whole batch that fits one row group is encoded straight from its columns, no copy.
        // It closes the row group, as a full buffer would.
        WriteRowGroup(batch.columns, end);
        return;
      }
    }
    if (buffer_.empty()) {  // made on first use: most files are written straight from one batch
      buffer_.reserve(schema_.size());
      for (const auto& f : schema_) buffer_.emplace_back(f.type);
    }
    while (begin < end) {
      // Append in slices so a huge batch still honours the row-group row limit.
      size_t take = std::min(end - begin, options_.row_group_rows - buffered_rows_);
      for (size_t c = 0; c < schema_.size(); ++c) buffer_[c].AppendRange(batch.columns[c], begin, begin + take);
      buffered_rows_ += take;
      begin += take;
      size_t bytes = 0;
      for (const auto& col : buffer_) bytes += col.ByteSize();
      if (buffered_rows_ >= options_.row_group_rows || bytes >= options_.row_group_bytes) FlushRowGroup();
    }
  } catch (...) {
    state_ = State::kAborted;
    throw;
  }
}

void ParquetFileWriter::WriteRowGroup(const std::vector<Column>& columns, size_t rows) {
  if (rows == 0) return;  // never a 0-row row group
  RowGroupMeta rg;
  rg.num_rows = static_cast<int64_t>(rows);
  rg.columns.reserve(schema_.size());
  for (size_t c = 0; c < schema_.size(); ++c)
    rg.columns.push_back(WriteColumnChunk(columns[c], schema_[c], options_, out_));
  rows_written_ += rg.num_rows;
  row_groups_.push_back(std::move(rg));
}

void ParquetFileWriter::FlushRowGroup() {
  if (buffered_rows_ == 0) return;
  WriteRowGroup(buffer_, buffered_rows_);
  for (auto& col : buffer_) col.Clear();
  buffered_rows_ = 0;
}

void ParquetFileWriter::Close() {
  if (state_ != State::kOpen) throw Error::Internal("Parquet file '" + name_ + "': close after close or abort");
  try {
    FlushRowGroup();
    std::string footer;
    footer.reserve(512 + 256 * schema_.size() * std::max<size_t>(1, row_groups_.size()));
    SerializeFileMetaData(schema_, row_groups_, rows_written_, CreatedBy(), &footer);
    uint32_t len = static_cast<uint32_t>(footer.size());
    char tail[8];
    std::memcpy(tail, &len, 4);
    std::memcpy(tail + 4, "PAR1", 4);
    footer.append(tail, 8);
    out_->Write(footer);
    state_ = State::kClosed;
  } catch (...) {
    state_ = State::kAborted;
    throw;
  }
}

}  // namespace lakeforge::parquet
