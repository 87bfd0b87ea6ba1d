// Writes N rows of the songplays shape to one Parquet file (snappy) with lakeforge's writer and
// prints {"rows", "seconds", "plain_bytes", "file_bytes"}; only writing is timed. The rows follow the
// formulas in bench/parquet_bench.sh, which builds the same table in DuckDB.
// Usage: parquet_write_bench <rows> <output.parquet>
#include <chrono>
#include <cstdio>
#include <string>

#include "formats/parquet/file_writer.h"
#include "io/file_system.h"

using namespace lakeforge;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <rows> <output.parquet>\n", argv[0]);
    return 2;
  }
  const size_t rows = std::stoull(argv[1]);
  Schema schema{{"songplay_id", DataType::kInt64, false}, {"start_time", DataType::kTimestampMillis, false},
                {"user_id", DataType::kInt64, true},      {"level", DataType::kString, true},
                {"song_id", DataType::kString, false},    {"artist_id", DataType::kString, false},
                {"session_id", DataType::kInt64, true},   {"location", DataType::kString, true},
                {"user_agent", DataType::kString, true}};
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
    for (size_t i = begin; i < end; ++i) {
      auto& c = batch.columns;
      c[0].AppendInt64(static_cast<int64_t>(i + 1));
      c[1].AppendInt64(1541105830796 + static_cast<int64_t>(i) * 1000);
      c[2].AppendInt64(static_cast<int64_t>(i % 5000));
      c[3].AppendString(i % 3 == 0 ? "free" : "paid");
      c[4].AppendString("SO" + std::to_string(100000000 + (i * 7919) % 200000));
      c[5].AppendString("AR" + std::to_string(100000000 + (i * 104729) % 60000));
      c[6].AppendInt64(static_cast<int64_t>(i / 40));
      c[7].AppendString(i % 2 ? "San Francisco-Oakland-Hayward, CA" : "Dallas-Fort Worth-Arlington, TX");
      c[8].AppendString("Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/35 #" +
                        std::to_string(i % 40));
    }
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
