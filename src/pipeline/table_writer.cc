// Partitioned Parquet table output; layout in table_writer.h.
#include "pipeline/table_writer.h"

#include <algorithm>
#include <numeric>

#include "base/parallel.h"
#include "formats/parquet/file_writer.h"

namespace lakeforge {

std::string PartFileName(const std::string& run_id, Codec codec) {
  std::string tag = CodecFileTag(codec);
  return "part-00000-" + run_id + "-c000" + (tag.empty() ? "" : "." + tag) + ".parquet";
}

std::vector<TableReport> WriteTables(FileSystem& fs, const std::string& root, const std::vector<TableData>& tables,
                                     const std::string& run_id, const parquet::WriterOptions& options, int threads,
                                     Progress* progress) {
  std::string file_name = PartFileName(run_id, options.codec);
  struct Task {
    size_t table, partition;
  };
  // One file per partition; an empty unpartitioned table is one valid file with no row groups; an
  // empty partitioned table has no files, only _SUCCESS (as Spark writes it).
  std::vector<std::vector<uint64_t>> sizes(tables.size()), rows(tables.size());
  std::vector<size_t> order(tables.size());
  std::iota(order.begin(), order.end(), 0);
  // Tables with few partitions first: theirs are the big files, and the many small ones that follow
  // keep both threads busy to the end (largest-first scheduling, without knowing sizes up front).
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return tables[a].dirs.size() < tables[b].dirs.size(); });
  std::vector<Task> tasks;
  for (size_t t : order) {
    const TableData& table = tables[t];
    fs.CreateDirs(JoinPath(root, table.name));
    size_t files = table.dirs.empty() && !table.partitioned ? 1 : table.dirs.size();
    sizes[t].assign(files, 0);
    rows[t].assign(files, 0);
    for (size_t p = 0; p < files; ++p) tasks.push_back({t, p});
  }
  // Each partition's batch is built by the worker that encodes it and freed right after.
  ParallelFor(tasks.size(), threads, [&](size_t i, int) {
    auto [t, p] = tasks[i];
    const TableData& table = tables[t];
    std::string dir = JoinPath(root, table.name);
    if (!table.dirs.empty() && !table.dirs[p].empty()) dir = JoinPath(dir, table.dirs[p]);
    std::string path = JoinPath(dir, file_name);
    auto out = fs.OpenOutputStream(path);
    parquet::ParquetFileWriter writer(out.get(), table.schema, options, path);
    if (!table.dirs.empty()) {
      RecordBatch batch = table.batch_of(p);
      writer.Write(batch);
      rows[t][p] = batch.num_rows();
    }
    writer.Close();
    sizes[t][p] = static_cast<uint64_t>(out->Tell());
    out->Close();
    if (progress) progress->FileDone(sizes[t][p]);
  });
  std::vector<TableReport> reports;
  for (size_t t = 0; t < tables.size(); ++t) {
    const TableData& table = tables[t];
    TableReport report{.name = table.name, .rows = 0, .files = sizes[t].size(), .bytes = 0};
    for (uint64_t s : sizes[t]) report.bytes += s;
    for (uint64_t n : rows[t]) report.rows += n;
    // _SUCCESS, written after every file of its table, is also the manifest: the table's files,
    // one relative path per line.
    std::string manifest;
    if (table.dirs.empty() && !table.partitioned) manifest = file_name + "\n";
    for (const auto& d : table.dirs) manifest += (d.empty() ? "" : d + "/") + file_name + "\n";
    auto success = fs.OpenOutputStream(JoinPath(JoinPath(root, table.name), "_SUCCESS"));
    success->Write(manifest);
    success->Close();
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace lakeforge
