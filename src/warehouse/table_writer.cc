// Partitioned Parquet table output; layout in table_writer.h. Writing, checking and publishing a
// table are separate steps so that a table is committed only after its files were checked.
#include "warehouse/table_writer.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "base/error.h"
#include "base/parallel.h"
#include "base/stage_timer.h"
#include "formats/parquet/file_writer.h"

namespace lakeforge {

std::string PartFileName(const std::string& run_id, Codec codec) {
  std::string tag = CodecFileTag(codec);
  return "part-00000-" + run_id + "-c000" + (tag.empty() ? "" : "." + tag) + ".parquet";
}

std::vector<TableReport> WriteTables(FileSystem& fs, const std::string& root, const std::vector<TableData>& tables,
                                     const std::string& run_id, const parquet::WriterOptions& options, int threads,
                                     Progress* progress, WorkerSpans* spans, const PartitionFilter& mine) {
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
    for (size_t p = 0; p < files; ++p)
      if (!mine || mine(t, p)) tasks.push_back({t, p});
  }
  // Each partition's batch is built by the worker that encodes it and freed right after.
  auto write = [&](size_t i) {
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
  };
  ParallelFor(tasks.size(), threads, [&](size_t i, int worker) {
    if (spans) {
      spans->Run(worker, [&] { write(i); });
    } else {
      write(i);
    }
  });
  std::vector<TableReport> reports;
  for (size_t t = 0; t < tables.size(); ++t) {
    const TableData& table = tables[t];
    TableReport report{.name = table.name, .rows = 0, .files = 0, .bytes = 0, .written = {}};
    for (size_t p = 0; p < sizes[t].size(); ++p) {
      if (mine && !mine(t, p)) continue;
      const std::string& dir = table.dirs.empty() ? std::string() : table.dirs[p];
      ++report.files;
      report.written.push_back({.path = (dir.empty() ? "" : dir + "/") + file_name,
                                .bytes = sizes[t][p],
                                .rows = rows[t][p],
                                .partition = p});
      report.bytes += sizes[t][p];
      report.rows += rows[t][p];
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

void VerifyWrittenTable(FileSystem& fs, const std::string& table_dir, const TableReport& table,
                        const std::string& run_id, int threads) {
  if (table.written.empty()) return;  // nothing to find (and an empty prefix does not list on S3)
  // Where a listing carries sizes (object stores: one request per 1000 objects) the table is listed,
  // which also finds files carrying this run's id that it did not write. Elsewhere each written file
  // is looked up by name, in parallel: a listing would open every partition folder, and the
  // songs table alone has one per (year, artist).
  std::unordered_map<std::string, int64_t> size_of;
  if (fs.listing_has_sizes()) {
    for (const auto& f : fs.ListFiles(table_dir, false)) size_of[f.path.substr(table_dir.size() + 1)] = f.size;
  }
  const size_t n = table.written.size();
  std::vector<int64_t> sizes(n, -1);
  if (fs.listing_has_sizes()) {
    for (size_t i = 0; i < n; ++i) {
      auto it = size_of.find(table.written[i].path);
      if (it != size_of.end()) sizes[i] = it->second;
    }
  } else {
    std::vector<std::string> rel(n);
    for (size_t i = 0; i < n; ++i) rel[i] = table.written[i].path;
    constexpr size_t kChunk = 4096;
    ParallelFor((n + kChunk - 1) / kChunk, threads, [&](size_t c, int) {
      size_t from = c * kChunk, count = std::min(kChunk, n - from);
      fs.FileSizesBelow(table_dir, rel.data() + from, count, sizes.data() + from);
    });
  }
  std::vector<std::string> problems(n);
  ParallelFor(n, threads, [&](size_t i, int) {
    const WrittenFile& w = table.written[i];
    std::string path = JoinPath(table_dir, w.path);
    int64_t size = sizes[i];
    if (size < 0) {
      problems[i] = "'" + path + "' is missing";
    } else if (size != static_cast<int64_t>(w.bytes)) {
      problems[i] =
          "'" + path + "' has " + std::to_string(size) + " bytes, " + std::to_string(w.bytes) + " were written";
    }
  });
  for (const auto& p : problems)
    if (!p.empty())
      throw Error::Io("table " + table.name + " failed its check before commit: " + p +
                      "; nothing of it was committed");
  std::unordered_set<std::string> mine;
  for (const auto& w : table.written) mine.insert(w.path);
  for (const auto& [rel, size] : size_of) {
    if (rel.find(run_id) != std::string::npos && !mine.count(rel))
      throw Error::Io("table " + table.name + " failed its check before commit: '" + JoinPath(table_dir, rel) +
                      "' carries this run's id but was not written by it; nothing of it was committed");
  }
}

void PublishManifest(FileSystem& fs, const std::string& table_dir, const TableReport& table) {
  std::string manifest;
  for (const auto& w : table.written) manifest += w.path + "\n";
  auto success = fs.OpenOutputStream(JoinPath(table_dir, "_SUCCESS"));
  success->Write(manifest);
  success->Close();
}

}  // namespace lakeforge
