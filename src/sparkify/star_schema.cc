// Reduce stage: dedupe, choose winners, join and number; see star_schema.h for the semantics.
#include "sparkify/star_schema.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "base/parallel_sort.h"
#include "warehouse/hive_path.h"

namespace lakeforge {
namespace {

std::optional<std::string_view> View(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string_view(*s);
}

bool SourceBefore(const SongRecord& a, const SongRecord& b) {
  return a.file != b.file ? a.file < b.file : a.line < b.line;
}

Schema SongsSchema() {
  // year and artist_id are partition columns: they live in the folder names only, as Spark writes them.
  return {
      {"song_id", DataType::kString, false}, {"title", DataType::kString, true}, {"duration", DataType::kDouble, true}};
}

}  // namespace

void AppendOptional(Column& c, const std::optional<std::string_view>& v) {
  if (v)
    c.AppendString(*v);
  else
    c.AppendNull();
}

void AppendOptional(Column& c, const std::optional<double>& v) {
  if (v)
    c.AppendDouble(*v);
  else
    c.AppendNull();
}

SongRefs DedupeSongs(SongRefs order, int threads) {
  ParallelSort(
      order,
      [](const SongRecord* a, const SongRecord* b) {
        int c = a->song_id.compare(b->song_id);
        return c != 0 ? c < 0 : SourceBefore(*a, *b);
      },
      threads);
  size_t kept = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    if (kept > 0 && order[i]->song_id == order[kept - 1]->song_id) continue;
    order[kept++] = order[i];
  }
  order.resize(kept);
  return order;
}

TableData BuildSongsTable(SongRefs songs, int threads) {
  TableData t{"songs", SongsSchema(), true, {}, {}};
  // Partition order: year (null first), artist_id; rows inside by song_id.
  ParallelSort(
      songs,
      [](const SongRecord* a, const SongRecord* b) {
        if (a->year != b->year) return a->year < b->year;
        int c = a->artist_id.compare(b->artist_id);
        return c != 0 ? c < 0 : a->song_id < b->song_id;
      },
      threads);
  auto bounds = std::make_shared<std::vector<size_t>>();
  for (size_t i = 0; i < songs.size(); ++i) {
    const SongRecord& s = *songs[i];
    if (i == 0 || songs[i - 1]->year != s.year || songs[i - 1]->artist_id != s.artist_id) {
      std::optional<std::string> year;
      if (s.year) year = std::to_string(*s.year);
      t.dirs.push_back(HivePartitionDir("year", View(year)) + "/" + HivePartitionDir("artist_id", s.artist_id));
      bounds->push_back(i);
    }
  }
  bounds->push_back(songs.size());
  auto rows = std::make_shared<SongRefs>(std::move(songs));
  Schema schema = t.schema;
  t.batch_of = [rows, bounds, schema](size_t p) {
    RecordBatch batch(schema);
    auto& cols = batch.columns;
    for (size_t i = (*bounds)[p]; i < (*bounds)[p + 1]; ++i) {
      const SongRecord& s = *(*rows)[i];
      cols[0].AppendString(s.song_id);
      AppendOptional(cols[1], s.title);
      AppendOptional(cols[2], s.duration);
    }
    return batch;
  };
  return t;
}

TableData BuildArtistsTable(SongRefs order, int threads) {
  TableData t{"artists",
              {{"artist_id", DataType::kString, false},
               {"name", DataType::kString, true},
               {"location", DataType::kString, true},
               {"latitude", DataType::kDouble, true},
               {"longitude", DataType::kDouble, true}},
              false,
              {},
              {}};
  auto completeness = [](const SongRecord& r) {
    return int{r.artist_latitude.has_value()} + int{r.artist_longitude.has_value()} +
           int{r.artist_location.has_value() && !r.artist_location->empty()};
  };
  ParallelSort(
      order,
      [&](const SongRecord* a, const SongRecord* b) {
        int c = a->artist_id.compare(b->artist_id);
        if (c != 0) return c < 0;
        int ca = completeness(*a), cb = completeness(*b);
        if (ca != cb) return ca > cb;
        return SourceBefore(*a, *b);
      },
      threads);
  std::vector<RecordBatch> batches;
  batches.emplace_back(t.schema);
  auto& cols = batches.back().columns;
  for (size_t i = 0; i < order.size(); ++i) {
    const SongRecord& r = *order[i];
    if (i > 0 && order[i - 1]->artist_id == r.artist_id) continue;
    cols[0].AppendString(r.artist_id);
    AppendOptional(cols[1], r.artist_name);
    AppendOptional(cols[2], r.artist_location);
    AppendOptional(cols[3], r.artist_latitude);
    AppendOptional(cols[4], r.artist_longitude);
  }
  SetEager(&t, {""}, std::move(batches));
  return t;
}

}  // namespace lakeforge
