// Partitioned Parquet table output; layout in table_writer.h.
#include "pipeline/table_writer.h"

#include <atomic>

#include "base/parallel.h"
#include "formats/parquet/file_writer.h"

namespace lakeforge {

std::string PartFileName(const std::string& run_id, Codec codec) {
  std::string tag = CodecFileTag(codec);
  return "part-00000-" + run_id + "-c000" + (tag.empty() ? "" : "." + tag) + ".parquet";
}

TableReport WriteTable(FileSystem& fs, const std::string& root, const TableData& table, const std::string& run_id,
                       const parquet::WriterOptions& options, int threads, Progress* progress) {
  TableReport report{table.name, 0, 0, 0};
  std::string table_dir = JoinPath(root, table.name);
  fs.CreateDirs(table_dir);
  std::string file_name = PartFileName(run_id, options.codec);
  std::vector<uint64_t> sizes(std::max<size_t>(1, table.dirs.size()), 0);
  std::vector<uint64_t> rows(sizes.size(), 0);
  auto write_one = [&](size_t i, const RecordBatch* batch, const std::string& dir) {
    std::string path = JoinPath(dir.empty() ? table_dir : JoinPath(table_dir, dir), file_name);
    auto out = fs.OpenOutputStream(path);
    parquet::ParquetFileWriter writer(out.get(), table.schema, options, path);
    if (batch != nullptr) {
      writer.Write(*batch);
      rows[i] = batch->num_rows();
    }
    writer.Close();
    sizes[i] = static_cast<uint64_t>(out->Tell());
    out->Close();
    if (progress) progress->FileDone(sizes[i]);
  };
  if (table.dirs.empty() && !table.partitioned) {
    write_one(0, nullptr, "");  // an empty unpartitioned table is one valid file with no row groups
  } else if (table.dirs.empty()) {
    sizes.clear();  // an empty partitioned table has no files, only _SUCCESS (as Spark writes it)
  } else {
    // Each partition's batch is built by the worker that encodes it and freed right after.
    ParallelFor(table.dirs.size(), threads, [&](size_t i, int) {
      RecordBatch batch = table.batch_of(i);
      write_one(i, &batch, table.dirs[i]);
    });
  }
  for (uint64_t s : sizes) report.bytes += s;
  for (uint64_t n : rows) report.rows += n;
  report.files = sizes.size();
  // _SUCCESS, written last, is also the manifest: the table's files, one relative path per line.
  std::string manifest;
  if (table.dirs.empty() && !table.partitioned) manifest = file_name + "\n";
  for (const auto& d : table.dirs) manifest += (d.empty() ? "" : d + "/") + file_name + "\n";
  auto success = fs.OpenOutputStream(JoinPath(table_dir, "_SUCCESS"));
  success->Write(manifest);
  success->Close();
  return report;
}

}  // namespace lakeforge
