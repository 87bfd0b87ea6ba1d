// The synthetic songplays-shaped rows the Parquet benchmarks write. Row i follows fixed formulas,
// which bench/parquet_duckdb.mjs repeats in SQL so that DuckDB writes the very same table.
#pragma once

#include <string>

#include "table/column.h"

namespace lakeforge::bench {

inline Schema SongplaysSchema() {
  return {{"songplay_id", DataType::kInt64, false}, {"start_time", DataType::kTimestampMillis, false},
          {"user_id", DataType::kInt64, true},      {"level", DataType::kString, true},
          {"song_id", DataType::kString, false},    {"artist_id", DataType::kString, false},
          {"session_id", DataType::kInt64, true},   {"location", DataType::kString, true},
          {"user_agent", DataType::kString, true}};
}

inline void AppendSongplaysRow(RecordBatch& batch, size_t i) {
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

}  // namespace lakeforge::bench
