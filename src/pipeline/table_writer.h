// Writes a TableData as Spark lays tables out:
//   <root>/<table>/<partition dirs>/part-00000-<run-id>-c000.<codec>.parquet   then   _SUCCESS
// The partitions of all tables are encoded in one parallel loop; each file is one ParquetFileWriter.
#pragma once

#include <string>
#include <vector>

#include "formats/parquet/column_chunk_writer.h"
#include "io/file_system.h"
#include "pipeline/progress.h"
#include "pipeline/star_schema.h"

namespace lakeforge {

struct TableReport {
  std::string name;
  uint64_t rows = 0;
  uint64_t files = 0;
  uint64_t bytes = 0;
};

std::string PartFileName(const std::string& run_id, Codec codec);

// Reports in the order of `tables`.
std::vector<TableReport> WriteTables(FileSystem& fs, const std::string& root, const std::vector<TableData>& tables,
                                     const std::string& run_id, const parquet::WriterOptions& options, int threads,
                                     Progress* progress);

}  // namespace lakeforge
