// Reduce stage: dedupe, choose winners, join and number; see star_schema.h for the semantics.
#include "pipeline/star_schema.h"

#include <algorithm>
#include <map>
#include <optional>

#include "pipeline/calendar.h"
#include "pipeline/hive_path.h"
#include "pipeline/parallel.h"

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
  TableData t{"songs", SongsSchema(), true, {}, songs.size()};
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
      t.partitions.push_back(
          {HivePartitionDir("year", View(year)) + "/" + HivePartitionDir("artist_id", s.artist_id), RecordBatch(t.schema)});
    }
    auto& cols = t.partitions.back().batch.columns;
    cols[0].AppendString(s.song_id);
    AppendOpt(cols[1], s.title);
    AppendOpt(cols[2], s.duration);
  }
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
  t.partitions.push_back({"", RecordBatch(t.schema)});
  auto& cols = t.partitions.back().batch.columns;
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
  return t;
}

EventTables BuildEventTables(std::vector<Event> events, const std::vector<Profile>& profiles,
                             const std::vector<SongRecord>& songs, int threads) {
  EventTables out;
  // Shuffle by user: an identity includes the user, so each bucket dedupes on its own.
  constexpr size_t kBuckets = 64;
  auto bucket_of = [](const Event& e) { return (static_cast<uint64_t>(e.user_id) * 0x9E3779B97F4A7C15ULL) >> 58; };
  std::vector<size_t> counts(kBuckets, 0);
  for (const Event& e : events) ++counts[bucket_of(e)];
  std::vector<std::vector<Event>> buckets(kBuckets);
  for (size_t b = 0; b < kBuckets; ++b) buckets[b].reserve(counts[b]);
  for (const Event& e : events) buckets[bucket_of(e)].push_back(e);
  std::vector<Event>().swap(events);

  struct UserPick {
    int64_t user_id;
    uint32_t profile;
  };
  std::vector<std::vector<UserPick>> users(kBuckets);
  std::vector<std::vector<Event>> kept(kBuckets);
  std::vector<uint64_t> dups(kBuckets, 0);
  ParallelFor(kBuckets, threads, [&](size_t b, int) {
    auto& v = buckets[b];
    std::sort(v.begin(), v.end(), [](const Event& a, const Event& c) {
      if (a.user_id != c.user_id) return a.user_id < c.user_id;
      if (a.session_id != c.session_id) return a.session_id < c.session_id;
      if (a.item != c.item) return a.item < c.item;
      if (a.ts != c.ts) return a.ts < c.ts;
      if (a.file != c.file) return a.file < c.file;
      return a.line < c.line;
    });
    auto& k = kept[b];
    k.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0 && v[i].user_id == v[i - 1].user_id && v[i].session_id == v[i - 1].session_id &&
          v[i].item == v[i - 1].item) {
        ++dups[b];
        continue;
      }
      k.push_back(v[i]);
    }
    std::vector<Event>().swap(v);
    // Latest event per user by (ts, sessionId, itemInSession).
    for (size_t i = 0; i < k.size();) {
      size_t j = i;
      const Event* best = &k[i];
      for (; j < k.size() && k[j].user_id == k[i].user_id; ++j) {
        const Event& e = k[j];
        if (std::tie(e.ts, e.session_id, e.item) > std::tie(best->ts, best->session_id, best->item)) best = &e;
      }
      if (k[i].user_id != kNull) users[b].push_back({k[i].user_id, best->profile});
      i = j;
    }
  });

  // users
  out.users = TableData{"users",
                        {{"user_id", DataType::kInt64, false},
                         {"first_name", DataType::kString, true},
                         {"last_name", DataType::kString, true},
                         {"gender", DataType::kString, true},
                         {"level", DataType::kString, true}},
                        false,
                        {},
                        0};
  std::vector<UserPick> all_users;
  for (auto& u : users) all_users.insert(all_users.end(), u.begin(), u.end());
  std::sort(all_users.begin(), all_users.end(), [](const UserPick& a, const UserPick& b) { return a.user_id < b.user_id; });
  out.users.partitions.push_back({"", RecordBatch(out.users.schema)});
  {
    auto& cols = out.users.partitions.back().batch.columns;
    for (const auto& u : all_users) {
      const Profile& p = profiles[u.profile];
      cols[0].AppendInt64(u.user_id);
      AppendOpt(cols[1], p.first_name);
      AppendOpt(cols[2], p.last_name);
      AppendOpt(cols[3], p.gender);
      AppendOpt(cols[4], p.level);
    }
    out.users.rows = all_users.size();
  }

  // Gather deduplicated events: all feed the time table, matched ones feed songplays.
  std::vector<int64_t> times;
  std::vector<Event> plays;
  size_t kept_total = 0, played_total = 0;
  for (const auto& k : kept) {
    kept_total += k.size();
    for (const Event& e : k) played_total += e.song >= 0 ? 1 : 0;
  }
  times.reserve(kept_total);
  plays.reserve(played_total);
  for (size_t b = 0; b < kBuckets; ++b) {
    out.duplicates += dups[b];
    out.events += kept[b].size();
    for (const Event& e : kept[b]) {
      times.push_back(e.ts);
      if (e.song >= 0) plays.push_back(e);
    }
    std::vector<Event>().swap(kept[b]);
  }

  // time
  ParallelSort(times, std::less<int64_t>(), threads);
  times.erase(std::unique(times.begin(), times.end()), times.end());
  out.time = TableData{"time",
                       {{"start_time", DataType::kTimestampMillis, false},
                        {"hour", DataType::kInt32, false},
                        {"day", DataType::kInt32, false},
                        {"week", DataType::kInt32, false},
                        {"weekday", DataType::kInt32, false}},
                       true,
                       {},
                       times.size()};
  int32_t cur_year = INT32_MIN, cur_month = 0;
  for (int64_t ts : times) {
    CalendarFields f = CalendarOf(ts);
    if (f.year != cur_year || f.month != cur_month) {
      cur_year = f.year;
      cur_month = f.month;
      out.time.partitions.push_back(
          {"year=" + std::to_string(f.year) + "/month=" + std::to_string(f.month), RecordBatch(out.time.schema)});
    }
    auto& cols = out.time.partitions.back().batch.columns;
    cols[0].AppendInt64(ts);
    cols[1].AppendInt32(f.hour);
    cols[2].AppendInt32(f.day);
    cols[3].AppendInt32(f.week);
    cols[4].AppendInt32(f.weekday);
  }

  // songplays
  ParallelSort(
      plays,
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
                            plays.size()};
  cur_year = INT32_MIN;
  int64_t id = 0;
  for (const Event& e : plays) {
    CalendarFields f = CalendarOf(e.ts);
    if (f.year != cur_year || f.month != cur_month) {
      cur_year = f.year;
      cur_month = f.month;
      out.songplays.partitions.push_back(
          {"year=" + std::to_string(f.year) + "/month=" + std::to_string(f.month), RecordBatch(out.songplays.schema)});
    }
    const Profile& p = profiles[e.profile];
    const SongRecord& s = songs[static_cast<size_t>(e.song)];
    auto& cols = out.songplays.partitions.back().batch.columns;
    cols[0].AppendInt64(++id);
    cols[1].AppendInt64(e.ts);
    AppendOptInt64(cols[2], e.user_id);
    AppendOpt(cols[3], p.level);
    cols[4].AppendString(s.song_id);
    cols[5].AppendString(s.artist_id);
    AppendOptInt64(cols[6], e.session_id);
    AppendOpt(cols[7], p.location);
    AppendOpt(cols[8], p.user_agent);
  }
  return out;
}

}  // namespace lakeforge
