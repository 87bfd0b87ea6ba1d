// Writes N rows of the songplays shape to one Parquet file (snappy) with lakeforge's writer and
// prints {"rows", "seconds", "plain_bytes", "file_bytes"}; only writing is timed. The rows are
// bench/songplays_rows.h, which bench/parquet_duckdb.mjs builds in DuckDB too.
// Usage: parquet_write_bench <rows> <output.parquet>
#include <chrono>
#include <cstdio>
#include <string>

#include "formats/parquet/file_writer.h"
#include "io/file_system.h"
#include "songplays_rows.h"

using namespace lakeforge;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <rows> <output.parquet>\n", argv[0]);
    return 2;
  }
  const size_t rows = std::stoull(argv[1]);
  Schema schema = bench::SongplaysSchema();
  // Built in batches of one row group so memory stays bounded, as in the ETL.
  const size_t batch_rows = 1'000'000;
  auto fs = MakeLocalFileSystem();
  auto out = fs->OpenOutputStream(argv[2]);
  parquet::ParquetFileWriter writer(out.get(), schema, {}, argv[2]);
  double seconds = 0;
  size_t plain = 0;
  for (size_t begin = 0; begin < rows; begin += batch_rows) {
    size_t end = std::min(rows, begin + batch_rows);
    RecordBatch batch(schema);
    for (size_t i = begin; i < end; ++i) bench::AppendSongplaysRow(batch, i);
    for (const auto& c : batch.columns) plain += c.ByteSize();
    auto t0 = std::chrono::steady_clock::now();
    writer.Write(batch);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  auto t0 = std::chrono::steady_clock::now();
  writer.Close();
  out->Close();
  seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"rows\":%zu,\"seconds\":%.3f,\"plain_bytes\":%zu,\"file_bytes\":%lld}\n", rows, seconds, plain,
              static_cast<long long>(out->Tell()));
  return 0;
}
