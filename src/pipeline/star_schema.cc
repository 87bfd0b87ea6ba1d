// Reduce stage: dedupe, choose winners, join and number; see star_schema.h for the semantics.
#include "pipeline/star_schema.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "pipeline/calendar.h"
#include "pipeline/hive_path.h"
#include "base/parallel.h"

namespace lakeforge {
namespace {

std::optional<std::string_view> View(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string_view(*s);
}

void AppendOpt(Column& c, const std::optional<std::string>& v) {
  if (v) c.AppendString(*v);
  else c.AppendNull();
}
void AppendOpt(Column& c, const std::optional<double>& v) {
  if (v) c.AppendDouble(*v);
  else c.AppendNull();
}
void AppendOptInt64(Column& c, int64_t v) {
  if (v == kNull) c.AppendNull();
  else c.AppendInt64(v);
}

bool SourceBefore(const SongRecord& a, const SongRecord& b) {
  return a.file != b.file ? a.file < b.file : a.line < b.line;
}

// Sorts in parallel: sorted chunks, then pairwise merges.
template <typename T, typename Less>
void ParallelSort(std::vector<T>& v, Less less, int threads) {
  size_t parts = static_cast<size_t>(std::max(1, threads));
  if (parts == 1 || v.size() < 100'000) {
    std::sort(v.begin(), v.end(), less);
    return;
  }
  std::vector<size_t> bounds;
  for (size_t i = 0; i <= parts; ++i) bounds.push_back(v.size() * i / parts);
  ParallelFor(parts, threads, [&](size_t i, int) {
    std::sort(v.begin() + static_cast<std::ptrdiff_t>(bounds[i]), v.begin() + static_cast<std::ptrdiff_t>(bounds[i + 1]),
              less);
  });
  while (bounds.size() > 2) {
    std::vector<size_t> next{0};
    size_t pairs = (bounds.size() - 1) / 2;
    ParallelFor(pairs, threads, [&](size_t p, int) {
      auto b = v.begin();
      std::inplace_merge(b + static_cast<std::ptrdiff_t>(bounds[2 * p]), b + static_cast<std::ptrdiff_t>(bounds[2 * p + 1]),
                         b + static_cast<std::ptrdiff_t>(bounds[2 * p + 2]), less);
    });
    for (size_t p = 0; p < pairs; ++p) next.push_back(bounds[2 * p + 2]);
    if ((bounds.size() - 1) % 2 == 1) next.push_back(bounds.back());
    bounds.swap(next);
  }
}

// Wraps batches built up front as a TableData.
void SetEager(TableData* t, std::vector<std::string> dirs, std::vector<RecordBatch> batches) {
  t->dirs = std::move(dirs);
  auto shared = std::make_shared<std::vector<RecordBatch>>(std::move(batches));
  t->batch_of = [shared](size_t i) { return std::move((*shared)[i]); };
}

// Partition boundaries of a ts-sorted range: [bounds[i], bounds[i+1]) share year and month.
template <typename TsOf>
std::vector<size_t> MonthBounds(size_t n, TsOf ts_of, std::vector<std::string>* dirs) {
  std::vector<size_t> bounds;
  int32_t cur_year = INT32_MIN, cur_month = 0;
  for (size_t i = 0; i < n; ++i) {
    CalendarFields f = CalendarOf(ts_of(i));
    if (f.year != cur_year || f.month != cur_month) {
      cur_year = f.year;
      cur_month = f.month;
      bounds.push_back(i);
      dirs->push_back("year=" + std::to_string(f.year) + "/month=" + std::to_string(f.month));
    }
  }
  bounds.push_back(n);
  return bounds;
}

Schema SongsSchema() {
  // year and artist_id are partition columns: they live in the folder names only, as Spark writes them.
  return {{"song_id", DataType::kString, false},
          {"title", DataType::kString, true},
          {"duration", DataType::kDouble, true}};
}

}  // namespace

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
  TableData t{"songs", SongsSchema(), true, {}, {}, songs.size()};
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
    AppendOpt(cols[1], s.title);
    AppendOpt(cols[2], s.duration);
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
              {},
              0};
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
    AppendOpt(cols[1], r.artist_name);
    AppendOpt(cols[2], r.artist_location);
    AppendOpt(cols[3], r.artist_latitude);
    AppendOpt(cols[4], r.artist_longitude);
    ++t.rows;
  }
  SetEager(&t, {""}, std::move(batches));
  return t;
}

EventTables BuildEventTables(std::vector<Event> events, const std::vector<Profile>& profiles,
                             const std::vector<SongRecord>& songs, int threads) {
  EventTables out;
  // Identity order: an event's identity is (user, session, item); the earliest ts, then the first
  // in (file, line) order, comes first and is the one kept. Sorted in place: no bucket copies.
  ParallelSort(
      events,
      [](const Event& a, const Event& c) {
        if (a.user_id != c.user_id) return a.user_id < c.user_id;
        if (a.session_id != c.session_id) return a.session_id < c.session_id;
        if (a.item != c.item) return a.item < c.item;
        if (a.ts != c.ts) return a.ts < c.ts;
        if (a.file != c.file) return a.file < c.file;
        return a.line < c.line;
      },
      threads);
  size_t kept = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (kept > 0 && events[i].user_id == events[kept - 1].user_id && events[i].session_id == events[kept - 1].session_id &&
        events[i].item == events[kept - 1].item) {
      ++out.duplicates;
      continue;
    }
    events[kept++] = events[i];
  }
  events.resize(kept);
  out.events = kept;

  // users: the latest event of each user by (ts, sessionId, itemInSession).
  out.users = TableData{"users",
                        {{"user_id", DataType::kInt64, false},
                         {"first_name", DataType::kString, true},
                         {"last_name", DataType::kString, true},
                         {"gender", DataType::kString, true},
                         {"level", DataType::kString, true}},
                        false,
                        {},
                        {},
                        0};
  {
    std::vector<RecordBatch> batches;
    batches.emplace_back(out.users.schema);
    auto& cols = batches.back().columns;
    for (size_t i = 0; i < events.size();) {
      const Event* best = &events[i];
      size_t j = i;
      for (; j < events.size() && events[j].user_id == events[i].user_id; ++j) {
        const Event& e = events[j];
        if (std::tie(e.ts, e.session_id, e.item) > std::tie(best->ts, best->session_id, best->item)) best = &e;
      }
      if (events[i].user_id != kNull) {
        const Profile& p = profiles[best->profile];
        cols[0].AppendInt64(events[i].user_id);
        AppendOpt(cols[1], p.first_name);
        AppendOpt(cols[2], p.last_name);
        AppendOpt(cols[3], p.gender);
        AppendOpt(cols[4], p.level);
        ++out.users.rows;
      }
      i = j;
    }
    SetEager(&out.users, {""}, std::move(batches));
  }

  // time: distinct ts, by year/month; partitions built on demand.
  auto times = std::make_shared<std::vector<int64_t>>();
  times->reserve(events.size());
  for (const Event& e : events) times->push_back(e.ts);
  ParallelSort(*times, std::less<int64_t>(), threads);
  times->erase(std::unique(times->begin(), times->end()), times->end());
  out.time = TableData{"time",
                       {{"start_time", DataType::kTimestampMillis, false},
                        {"hour", DataType::kInt32, false},
                        {"day", DataType::kInt32, false},
                        {"week", DataType::kInt32, false},
                        {"weekday", DataType::kInt32, false}},
                       true,
                       {},
                       {},
                       times->size()};
  auto time_bounds = std::make_shared<std::vector<size_t>>(
      MonthBounds(times->size(), [&](size_t i) { return (*times)[i]; }, &out.time.dirs));
  Schema time_schema = out.time.schema;
  out.time.batch_of = [times, time_bounds, time_schema](size_t p) {
    RecordBatch batch(time_schema);
    auto& cols = batch.columns;
    for (size_t i = (*time_bounds)[p]; i < (*time_bounds)[p + 1]; ++i) {
      int64_t ts = (*times)[i];
      CalendarFields f = CalendarOf(ts);
      cols[0].AppendInt64(ts);
      cols[1].AppendInt32(f.hour);
      cols[2].AppendInt32(f.day);
      cols[3].AppendInt32(f.week);
      cols[4].AppendInt32(f.weekday);
    }
    return batch;
  };

  // songplays: the matched events, numbered in (ts, user, session, item) order. The events
  // vector is filtered in place and becomes the plays.
  auto plays = std::make_shared<std::vector<Event>>(std::move(events));
  plays->erase(std::remove_if(plays->begin(), plays->end(), [](const Event& e) { return e.song < 0; }), plays->end());
  plays->shrink_to_fit();
  ParallelSort(
      *plays,
      [](const Event& a, const Event& b) {
        if (a.ts != b.ts) return a.ts < b.ts;
        if (a.user_id != b.user_id) return a.user_id < b.user_id;
        if (a.session_id != b.session_id) return a.session_id < b.session_id;
        return a.item < b.item;
      },
      threads);
  out.songplays = TableData{"songplays",
                            {{"songplay_id", DataType::kInt64, false},
                             {"start_time", DataType::kTimestampMillis, false},
                             {"user_id", DataType::kInt64, true},
                             {"level", DataType::kString, true},
                             {"song_id", DataType::kString, false},
                             {"artist_id", DataType::kString, false},
                             {"session_id", DataType::kInt64, true},
                             {"location", DataType::kString, true},
                             {"user_agent", DataType::kString, true}},
                            true,
                            {},
                            {},
                            plays->size()};
  auto play_bounds = std::make_shared<std::vector<size_t>>(
      MonthBounds(plays->size(), [&](size_t i) { return (*plays)[i].ts; }, &out.songplays.dirs));
  Schema play_schema = out.songplays.schema;
  out.songplays.batch_of = [plays, play_bounds, play_schema, &profiles, &songs](size_t p) {
    RecordBatch batch(play_schema);
    auto& cols = batch.columns;
    size_t begin = (*play_bounds)[p], end = (*play_bounds)[p + 1];
    for (auto& c : cols) c.Reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      const Event& e = (*plays)[i];
      const Profile& pr = profiles[e.profile];
      const SongRecord& s = songs[static_cast<size_t>(e.song)];
      cols[0].AppendInt64(static_cast<int64_t>(i + 1));  // songplay_id: position in the global order
      cols[1].AppendInt64(e.ts);
      AppendOptInt64(cols[2], e.user_id);
      AppendOpt(cols[3], pr.level);
      cols[4].AppendString(s.song_id);
      cols[5].AppendString(s.artist_id);
      AppendOptInt64(cols[6], e.session_id);
      AppendOpt(cols[7], pr.location);
      AppendOpt(cols[8], pr.user_agent);
    }
    return batch;
  };
  return out;
}

}  // namespace lakeforge
