// Writes a TableData as Spark lays tables out:
//   <root>/<table>/<partition dirs>/part-00000-<run-id>-c000.<codec>.parquet   then   _SUCCESS
// The partitions of all tables are encoded in one parallel loop; each file is one ParquetFileWriter.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/progress.h"
#include "formats/parquet/column_chunk_writer.h"
#include "io/file_system.h"
#include "warehouse/table_data.h"

namespace lakeforge {

struct WrittenFile {
  std::string path;  // relative to the table's folder
  uint64_t bytes;
  uint64_t rows;
  uint64_t partition = 0;  // index in the table's partition list: manifests list files in this order
};

struct TableReport {
  std::string name;
  uint64_t rows = 0;
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::vector<WrittenFile> written;  // what _SUCCESS will list, in manifest order
};

std::string PartFileName(const std::string& run_id, Codec codec);

// Writes every table's data files under <root>/<table>/ (no _SUCCESS yet). Reports in the order of
// `tables`. With `mine`, only the partitions it accepts (table index, partition index) are
// written and reported: each rank of a distributed run writes its share.
class WorkerSpans;
using PartitionFilter = std::function<bool(size_t table, size_t partition)>;
std::vector<TableReport> WriteTables(FileSystem& fs, const std::string& root, const std::vector<TableData>& tables,
                                     const std::string& run_id, const parquet::WriterOptions& options, int threads,
                                     Progress* progress, WorkerSpans* spans = nullptr,
                                     const PartitionFilter& mine = {});

// Checks, before a table is committed, that every file it wrote is in `table_dir` with the size
// that was written and, where listings carry sizes, that no file of this run (names carrying
// `run_id`) is there that it did not write. Throws Error::Io naming the first difference: nothing
// must be committed then.
void VerifyWrittenTable(FileSystem& fs, const std::string& table_dir, const TableReport& table,
                        const std::string& run_id, int threads);

// Writes <table_dir>/_SUCCESS: the table's files, one relative path per line. On object stores this
// is the commit of the table.
void PublishManifest(FileSystem& fs, const std::string& table_dir, const TableReport& table);

}  // namespace lakeforge
