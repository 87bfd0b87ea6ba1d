// Reduce stage: dedupe, choose winners, join and number; see star_schema.h for the semantics.
#include "pipeline/star_schema.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "pipeline/hive_path.h"

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

void SetEager(TableData* t, std::vector<std::string> dirs, std::vector<RecordBatch> batches) {
  t->dirs = std::move(dirs);
  auto shared = std::make_shared<std::vector<RecordBatch>>(std::move(batches));
  t->batch_of = [shared](size_t i) { return std::move((*shared)[i]); };
}

void AppendOptional(Column& c, const std::optional<std::string>& v) {
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

std::vector<SongRecord> DedupeSongs(const std::vector<SongRecord>& records) {
  std::vector<const SongRecord*> order;
  order.reserve(records.size());
  for (const auto& r : records) order.push_back(&r);
  std::sort(order.begin(), order.end(), [](const SongRecord* a, const SongRecord* b) {
    int c = a->song_id.compare(b->song_id);
    return c != 0 ? c < 0 : SourceBefore(*a, *b);
  });
  std::vector<SongRecord> out;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i > 0 && order[i]->song_id == order[i - 1]->song_id) continue;
    out.push_back(*order[i]);
  }
  return out;
}

TableData BuildSongsTable(const std::vector<SongRecord>& songs) {
  TableData t{"songs", SongsSchema(), true, {}, {}};
  std::vector<std::string> dirs;
  std::vector<RecordBatch> batches;
  std::vector<const SongRecord*> order;
  for (const auto& s : songs) order.push_back(&s);
  // Partition order: year (null first), artist_id; rows inside by song_id.
  std::sort(order.begin(), order.end(), [](const SongRecord* a, const SongRecord* b) {
    if (a->year != b->year) return a->year < b->year;
    int c = a->artist_id.compare(b->artist_id);
    return c != 0 ? c < 0 : a->song_id < b->song_id;
  });
  for (size_t i = 0; i < order.size(); ++i) {
    const SongRecord& s = *order[i];
    if (i == 0 || order[i - 1]->year != s.year || order[i - 1]->artist_id != s.artist_id) {
      std::optional<std::string> year;
      if (s.year) year = std::to_string(*s.year);
      dirs.push_back(HivePartitionDir("year", View(year)) + "/" + HivePartitionDir("artist_id", s.artist_id));
      batches.emplace_back(t.schema);
    }
    auto& cols = batches.back().columns;
    cols[0].AppendString(s.song_id);
    AppendOptional(cols[1], s.title);
    AppendOptional(cols[2], s.duration);
  }
  SetEager(&t, std::move(dirs), std::move(batches));
  return t;
}

TableData BuildArtistsTable(const std::vector<SongRecord>& records) {
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
  std::vector<const SongRecord*> order;
  for (const auto& r : records) order.push_back(&r);
  std::sort(order.begin(), order.end(), [&](const SongRecord* a, const SongRecord* b) {
    int c = a->artist_id.compare(b->artist_id);
    if (c != 0) return c < 0;
    int ca = completeness(*a), cb = completeness(*b);
    if (ca != cb) return ca > cb;
    return SourceBefore(*a, *b);
  });
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
