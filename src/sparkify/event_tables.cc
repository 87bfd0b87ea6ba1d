// Range-partitioned reduce of the log events; the plan is in event_tables.h.
#include "sparkify/event_tables.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>

#include "base/error.h"
#include "base/hash.h"
#include "base/memory.h"
#include "base/merge.h"
#include "base/parallel.h"
#include "base/radix_sort.h"
#include "sparkify/calendar.h"

namespace lakeforge {
namespace {

// Identity order: an event's identity is (user, session, item); among repeats the earliest ts,
// then the first in (file, line) order, comes first and is the one kept. Within a file the line
// decides; across files (kept events carry neither) the run order does: the reduce's merge is
// stable and its runs are in file order. A type, so that sorts and merges inline it.
struct IdentityOrder {
  template <typename E>
  bool operator()(const E& a, const E& b) const {
    if (a.user_id != b.user_id) return a.user_id < b.user_id;
    if (a.session_id != b.session_id) return a.session_id < b.session_id;
    if (a.item != b.item) return a.item < b.item;
    if (a.ts != b.ts) return a.ts < b.ts;
    if constexpr (std::is_same_v<E, Event>) return a.line < b.line;  // one file's events
    return false;
  }
};

template <typename E>
bool SameIdentity(const E& a, const E& b) {
  return a.user_id == b.user_id && a.session_id == b.session_id && a.item == b.item;
}

// One user-id range's share of the three tables, its plays of the kind E its events are.
// Neighbouring ranges are reduced at once and each is written per event: aligned, see
// kCacheLineBytes.
template <typename E>
struct alignas(kCacheLineBytes) RangeOutput {
  std::vector<UserRow> users;  // by user_id
  // Filled once to a size known in advance: memory in huge pages (huge_pages.h).
  HugeVector<int64_t> times;  // sorted, distinct within the range
  HugeVector<E> plays;        // by PlayOrder
  uint64_t events = 0, duplicates = 0;
};

constexpr size_t kSampleEvery = 64;

template <typename Span>
void AppendSample(Span run, std::vector<int64_t>* sample) {
  for (size_t i = 0; i < run.size(); i += kSampleEvery) sample->push_back(UserIdOf(run[i]));
}

// One user range's events: its slice of every run, the slices side by side in one array; narrow
// when every run is (E = NarrowEvent), else all wide.
template <typename E>
struct RangeEvents {
  MappedArray<E> memory;
  std::vector<std::span<const E>> runs;
};

// Copies n events to `to`, widening narrow ones when E is KeptEvent. Narrow ranges are only made
// when every run is narrow (ReduceEvents).
template <typename E, typename From>
void CopyEvents(const From* from, size_t n, E* to) {
  if constexpr (std::is_same_v<E, From>) {
    std::memcpy(to, from, n * sizeof(E));
  } else if constexpr (std::is_same_v<E, KeptEvent>) {
    for (size_t i = 0; i < n; ++i) to[i] = from[i].Wide();
  } else {
    throw Error::Internal("wide events copied into a narrow user range");
  }
}

// Regroups the runs by user range (range r: users in [cuts[r-1], cuts[r])), each range's slices
// copied into an array of its own, and gives `files`' memory back block by block as its runs are
// copied. Why: the reduce then frees each range's events as soon as the range is done, and the
// ranges after it build their times and plays in that memory, which this process has touched
// already. Fresh memory costs its first touch (a fault to the hypervisor per page, see
// huge_pages.h); reduced in place, the times and plays of every range were all fresh. E is
// KeptEvent when any run is wide: narrow runs are widened in the copy.
template <typename E>
std::vector<RangeEvents<E>> SplitByUserRange(EventRuns files, const std::vector<int64_t>& cuts, int threads) {
  const size_t ranges = cuts.size() + 1, n = files.runs.size();
  // Run i's slice of range r is [begin[i * (ranges + 1) + r], begin[i * (ranges + 1) + r + 1]), and
  // goes to at[i * ranges + r] in range r's array.
  std::vector<size_t> begin(n * (ranges + 1)), at(n * ranges);
  std::vector<size_t> sizes(ranges, 0);
  // The searches on every thread, run by run: nearly every step of a search is a cache miss (the
  // runs are hundreds of MB), and on one thread they kept the other core idle for ~25 ms.
  ParallelFor(n, threads, [&](size_t i, int) {
    size_t* b = &begin[i * (ranges + 1)];
    b[0] = 0;
    files.runs[i].Visit([&](auto run) {
      using R = typename decltype(run)::value_type;
      auto user_below = [](const R& e, int64_t u) { return UserIdOf(e) < u; };
      for (size_t r = 1; r < ranges; ++r)
        b[r] = static_cast<size_t>(
            std::lower_bound(run.begin() + static_cast<std::ptrdiff_t>(b[r - 1]), run.end(), cuts[r - 1], user_below) -
            run.begin());
      b[ranges] = run.size();
    });
  });
  for (size_t i = 0; i < n; ++i) {
    const size_t* b = &begin[i * (ranges + 1)];
    for (size_t r = 0; r < ranges; ++r) {
      at[i * ranges + r] = sizes[r];
      sizes[r] += b[r + 1] - b[r];
    }
  }
  std::vector<RangeEvents<E>> out(ranges);
  for (size_t r = 0; r < ranges; ++r) out[r].memory = MappedArray<E>(sizes[r]);
  for (size_t i = 0; i < n; ++i)
    for (size_t r = 0; r < ranges; ++r) {
      size_t len = begin[i * (ranges + 1) + r + 1] - begin[i * (ranges + 1) + r];
      if (len > 0) out[r].runs.emplace_back(out[r].memory.data() + at[i * ranges + r], len);
    }
  // The runs of each block, by address; runs in no block (none today) form a last group that
  // frees nothing.
  std::vector<std::pair<char*, size_t>> blocks;
  for (auto& arena : files.memory)
    for (auto& b : arena.TakeBlocks()) blocks.push_back(b);
  std::sort(blocks.begin(), blocks.end());
  std::vector<std::vector<size_t>> runs_of(blocks.size() + 1);
  for (size_t i = 0; i < n; ++i) {
    if (files.runs[i].empty()) continue;
    auto* p = files.runs[i].Visit([](auto run) { return reinterpret_cast<char*>(run.data()); });
    auto it = std::upper_bound(blocks.begin(), blocks.end(), std::pair<char*, size_t>(p, SIZE_MAX));
    bool inside = it != blocks.begin() && p < std::prev(it)->first + std::prev(it)->second;
    runs_of[inside ? static_cast<size_t>(std::prev(it) - blocks.begin()) : blocks.size()].push_back(i);
  }
  ParallelFor(runs_of.size(), threads, [&](size_t k, int) {
    for (size_t i : runs_of[k]) {
      const size_t* b = &begin[i * (ranges + 1)];
      files.runs[i].Visit([&](auto run) {
        for (size_t r = 0; r < ranges; ++r)
          if (b[r + 1] > b[r])
            CopyEvents(run.data() + b[r], b[r + 1] - b[r], out[r].memory.data() + at[i * ranges + r]);
      });
    }
    if (k < blocks.size()) UnmapHugePages(blocks[k].first, blocks[k].second);
  });
  return out;
}

template <typename E>
void ReduceRange(RangeEvents<E>& events, RangeOutput<E>* out) {
  // Each file's events are sorted by identity already (SortFileEvents): merge the range's slices.
  std::vector<SortedRun<E>> runs;
  size_t total = 0;
  for (std::span<const E> s : events.runs) {
    runs.push_back({s.data(), s.data() + s.size()});
    total += s.size();
  }
  // Room for every event in both: capacity never written is never resident (huge_pages.h), and
  // counting the plays first was a pass over the range of its own. Sized (HugeVector's resize
  // writes nothing) and filled through pointers: push_back's checks, and a branch on every event's
  // song (a play or not: no pattern), were a fifth of the merge.
  out->times.resize(total);
  out->plays.resize(total);
  int64_t* times = out->times.data();
  E* plays = out->plays.data();
  size_t kept = 0, n_plays = 0;  // every kept event's time is written
  uint64_t duplicates = 0;
  const E* prev = nullptr;
  const E* best = nullptr;  // the current user's latest event by (ts, sessionId, itemInSession)
  auto flush_user = [&] {
    if (best != nullptr && UserIdOf(*best) != kNull) out->users.push_back({UserIdOf(*best), best->profile});
  };
  // Runs are in file order and the merge is stable: of two events that tie (same identity and ts),
  // the earlier file's comes first, and it is the one kept. The merge plays per user and file
  // (MergeRunsByGroup), and within a user narrow events compare as one integer
  // (NarrowEvent::IdentityKey).
  auto merge = [&](auto emit) {
    if constexpr (std::is_same_v<E, NarrowEvent>)
      MergeRunsByGroup(
          std::move(runs), [](const NarrowEvent& n) { return n.user_id; },
          [](const NarrowEvent& a, const NarrowEvent& b) { return a.IdentityKey() < b.IdentityKey(); }, emit);
    else
      MergeRunsByGroup(
          std::move(runs), [](const KeptEvent& e) { return e.user_id; }, IdentityOrder(), emit);
  };
  merge([&](const E& e) {
    bool repeat = prev != nullptr && SameIdentity(e, *prev);
    prev = &e;
    if (repeat) {
      ++duplicates;
      return;
    }
    if (best == nullptr || best->user_id != e.user_id) {
      flush_user();
      best = &e;
    } else if (std::tie(e.ts, e.session_id, e.item) > std::tie(best->ts, best->session_id, best->item)) {
      best = &e;
    }
    times[kept++] = e.ts;
    plays[n_plays] = e;
    n_plays += e.song >= 0 ? 1 : 0;
  });
  flush_user();
  out->times.resize(kept);
  out->plays.resize(n_plays);
  out->events += kept;
  out->duplicates += duplicates;
  // The range's events are dead now (plays and users are copies): their memory, touched already,
  // is the sorts' working memory. It holds every event, so it has room for the times and for the
  // plays; fresh scratch of its own was a fault to the hypervisor per page (huge_pages.h).
  auto sort = [&](auto& v, auto key, auto less) {
    using T = typename std::remove_reference_t<decltype(v)>::value_type;
    static_assert(alignof(T) <= alignof(E));
    if (v.size() * sizeof(T) > events.memory.size() * sizeof(E))
      throw Error::Internal("a user range's sort outgrew the range's events");
    T* sorted = RadixSortByKeyInto(v.data(), reinterpret_cast<T*>(events.memory.data()), v.size(), key, less);
    if (sorted != v.data()) std::memcpy(v.data(), sorted, v.size() * sizeof(T));
  };
  sort(
      out->times, [](int64_t t) { return t; }, std::less<int64_t>());
  // No shrink_to_fit: the capacity left over (repeats) was never touched, so it is not resident.
  out->times.erase(std::unique(out->times.begin(), out->times.end()), out->times.end());
  // By time first: a radix sort on ts (a range's plays come in user order, their times spread over
  // the year), the rest of PlayOrder only among plays of one ts.
  sort(
      out->plays, [](const E& p) { return p.ts; }, PlayOrder());
}

// Runs sorted by time, sliced by calendar month: partition p is the union over runs r of
// runs[r][slices[p][r].first, slices[p][r].second).
template <typename T>
struct MonthSlices {
  std::vector<HugeVector<T>> runs;
  std::vector<std::string> dirs;
  std::vector<std::vector<std::pair<size_t, size_t>>> slices;

  template <typename TsOf>
  void Slice(TsOf ts_of) {
    struct Segment {
      int64_t month;
      size_t run, begin, end;
    };
    std::vector<Segment> segments;
    for (size_t r = 0; r < runs.size(); ++r)
      ForEachMonthSegment(runs[r], ts_of, [&](int64_t month, size_t begin, size_t end) {
        segments.push_back({month, r, begin, end});
      });
    std::vector<int64_t> months;
    for (const auto& s : segments) months.push_back(s.month);
    std::sort(months.begin(), months.end());
    months.erase(std::unique(months.begin(), months.end()), months.end());
    slices.assign(months.size(), std::vector<std::pair<size_t, size_t>>(runs.size(), {0, 0}));
    for (const auto& s : segments) {
      size_t p = static_cast<size_t>(std::lower_bound(months.begin(), months.end(), s.month) - months.begin());
      slices[p][s.run] = {s.begin, s.end};
    }
    for (int64_t m : months) {
      int64_t year;
      unsigned month;
      YearMonthOfIndex(m, &year, &month);
      dirs.push_back("year=" + std::to_string(year) + "/month=" + std::to_string(month));
    }
  }

  // Calls emit with partition p's rows, merged in `less` order (the order the runs are sorted in).
  // Straight from the runs into the caller's columns: a month's rows are never copied out whole.
  template <typename Less, typename Emit>
  void Merge(size_t p, Less less, Emit emit) const {
    // Plays never tie (ranges split users; identities are unique) and tied times are equal.
    MergeDistinctRuns(Parts(p), less, emit);
  }
  // The same, for an order that is an unsigned integer key's (MergeRunsByKey).
  template <typename Key, typename Emit>
  void MergeByKey(size_t p, Key key, Emit emit) const {
    MergeRunsByKey(Parts(p), key, emit);
  }

  // Partition p's non-empty slices.
  std::vector<SortedRun<T>> Parts(size_t p) const {
    std::vector<SortedRun<T>> parts;
    for (size_t r = 0; r < runs.size(); ++r) {
      auto [b, e] = slices[p][r];
      if (b < e) parts.push_back({runs[r].data() + b, runs[r].data() + e});
    }
    return parts;
  }

  size_t PartitionSize(size_t p) const {
    size_t n = 0;
    for (const auto& s : slices[p]) n += s.second - s.first;
    return n;
  }
};

// The songplays string columns as dictionary codes: each distinct string once per run, and per
// profile and per song the code of its strings, so a row appends five codes and copies no bytes.
// Each dictionary is in string order, so the writer finds a column's min/max by comparing codes.
struct PlayDictionaries {
  static constexpr uint32_t kNullCode = UINT32_MAX;
  std::shared_ptr<StringDictionary> level, location, user_agent, song_id, artist_id;
  std::vector<uint32_t> level_of, location_of, user_agent_of;  // by profile id
  std::vector<uint32_t> artist_of;                             // by song index

  PlayDictionaries(const ProfilePool& profiles, const SongRefs& songs, int threads) {
    // Two tasks of about equal work, each reading every profile: a user agent (the longest of the
    // strings) costs about what a level and a location do together, and the songs are few. With
    // all three profile strings in one task, the other thread waited on it (logs-heavy, the
    // dictionaries' time, median of ten: 16.9 -> 12.4 ms with the hash below).
    ParallelFor(2, threads, [&](size_t task, int) {
      if (task == 0) {
        Coder level_coder, location_coder;
        level_of.assign(profiles.id_limit(), kNullCode);
        location_of = level_of;
        profiles.ForEach([&](uint32_t id, const Profile& p) {
          level_of[id] = level_coder.Code(p.level);
          location_of[id] = location_coder.Code(p.location);
        });
        level = level_coder.Sorted(&level_of);
        location = location_coder.Sorted(&location_of);
      } else {
        Coder agent_coder;
        user_agent_of.assign(profiles.id_limit(), kNullCode);
        profiles.ForEach([&](uint32_t id, const Profile& p) { user_agent_of[id] = agent_coder.Code(p.user_agent); });
        user_agent = agent_coder.Sorted(&user_agent_of);
        // A song's code is its index: songs are distinct by song_id and sorted by it.
        song_id = std::make_shared<StringDictionary>();
        song_id->values.reserve(songs.size());
        for (const SongRecord* s : songs) song_id->values.push_back(s->song_id);
        song_id->sorted = std::adjacent_find(song_id->values.begin(), song_id->values.end(),
                                             std::greater_equal<std::string_view>()) == song_id->values.end();
        Coder artist_coder;
        artist_of.reserve(songs.size());
        for (const SongRecord* s : songs) artist_of.push_back(artist_coder.Code(std::string_view(s->artist_id)));
        artist_id = artist_coder.Sorted(&artist_of);
      }
    });
  }

 private:
  // Codes strings in first-seen order, then renumbers them in string order.
  struct Coder {
    struct Hash {
      size_t operator()(std::string_view s) const { return HashBytes(s); }
    };
    std::unordered_map<std::string_view, uint32_t, Hash> codes;
    std::vector<std::string_view> strings;
    uint32_t Code(const std::optional<std::string_view>& v) { return v ? Code(*v) : kNullCode; }
    uint32_t Code(std::string_view v) {
      auto [it, fresh] = codes.try_emplace(v, static_cast<uint32_t>(strings.size()));
      if (fresh) strings.push_back(v);
      return it->second;
    }
    // The dictionary in string order; rewrites the codes in *coded to match.
    std::shared_ptr<StringDictionary> Sorted(std::vector<uint32_t>* coded) {
      std::vector<uint32_t> order(strings.size());
      for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return strings[a] < strings[b]; });
      std::vector<uint32_t> rank(strings.size());
      auto dict = std::make_shared<StringDictionary>();
      dict->values.reserve(strings.size());
      for (uint32_t r = 0; r < order.size(); ++r) {
        rank[order[r]] = r;
        dict->values.push_back(strings[order[r]]);
      }
      dict->sorted = true;
      for (uint32_t& c : *coded)
        if (c != kNullCode) c = rank[c];
      return dict;
    }
  };
};

// songplays: the matched events, numbered from first_songplay_id in PlayOrder across all
// partitions, from runs sorted by PlayOrder (of either kind of event).
template <typename P>
TableData SongplaysTable(std::vector<HugeVector<P>> runs, int64_t first_songplay_id, const ProfilePool& profiles,
                         const SongRefs& songs, int threads) {
  auto plays = std::make_shared<MonthSlices<P>>();
  plays->runs = std::move(runs);
  plays->Slice([](const P& p) { return p.ts; });
  auto first_id = std::make_shared<std::vector<int64_t>>(1, first_songplay_id);
  for (size_t p = 0; p < plays->dirs.size(); ++p)
    first_id->push_back(first_id->back() + static_cast<int64_t>(plays->PartitionSize(p)));
  TableData out{"songplays",
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
                plays->dirs,
                {}};
  Schema play_schema = out.schema;
  auto dicts = std::make_shared<PlayDictionaries>(profiles, songs, threads);
  out.batch_of = [plays, first_id, play_schema, dicts](size_t p) {
    RecordBatch batch(play_schema);
    auto& cols = batch.columns;
    const PlayDictionaries& d = *dicts;
    cols[3] = Column(d.level);
    cols[4] = Column(d.song_id);
    cols[5] = Column(d.artist_id);
    cols[7] = Column(d.location);
    cols[8] = Column(d.user_agent);
    // The rows are filled in bulk (Column::BeginInt64, BeginCodes): appended one by one, each
    // row's nine appends were two thirds of the batch's time.
    const size_t n = plays->PartitionSize(p);
    int64_t* ids = cols[0].BeginInt64(n);
    int64_t* times = cols[1].BeginInt64(n);
    int64_t* users = cols[2].BeginInt64(n);
    uint32_t* levels = cols[3].BeginCodes(n);
    uint32_t* song_ids = cols[4].BeginCodes(n);
    uint32_t* artist_ids = cols[5].BeginCodes(n);
    int64_t* sessions = cols[6].BeginInt64(n);
    uint32_t* locations = cols[7].BeginCodes(n);
    uint32_t* agents = cols[8].BeginCodes(n);
    int64_t id = (*first_id)[p];
    size_t row = 0;
    auto merge = [&](auto emit) {
      if constexpr (std::is_same_v<P, NarrowEvent>)
        plays->MergeByKey(
            p, [](const NarrowEvent& e) { return e.PlayKey(); }, emit);
      else
        plays->Merge(p, PlayOrder(), emit);
    };
    merge([&](const P& e) {
      if (row == n) throw Error::Internal("a songplays partition holds more plays than its slices");
      const KeptEvent w = WideOf(e);
      auto song = static_cast<size_t>(e.song);
      ids[row] = id++;
      times[row] = e.ts;
      users[row] = w.user_id;
      levels[row] = d.level_of[e.profile];
      song_ids[row] = static_cast<uint32_t>(song);
      artist_ids[row] = d.artist_of[song];
      sessions[row] = w.session_id;
      locations[row] = d.location_of[e.profile];
      agents[row] = d.user_agent_of[e.profile];
      ++row;
    });
    if (row != n) throw Error::Internal("a songplays partition holds fewer plays than its slices");
    constexpr uint32_t kNullCode = PlayDictionaries::kNullCode;
    cols[0].EndInt64(n, std::nullopt);
    cols[1].EndInt64(n, std::nullopt);
    cols[2].EndInt64(n, kNull);
    cols[3].EndCodes(n, kNullCode);
    cols[4].EndCodes(n, std::nullopt);
    cols[5].EndCodes(n, std::nullopt);
    cols[6].EndInt64(n, kNull);
    cols[7].EndCodes(n, kNullCode);
    cols[8].EndCodes(n, kNullCode);
    return batch;
  };
  return out;
}

}  // namespace

std::vector<int64_t> UserCuts(std::vector<int64_t> sample, size_t ranges) {
  std::vector<int64_t> cuts;
  // Cut r is the sample's value of rank r * n / ranges. Each is selected in what the last
  // selection left to its right, all of whose values rank after it: sorting the whole sample
  // first (156k ids, logs-heavy) was 5 ms on one thread while the other waited.
  size_t from = 0;
  for (size_t r = 1; r < ranges && !sample.empty(); ++r) {
    const size_t at = r * sample.size() / ranges;
    std::nth_element(sample.begin() + static_cast<std::ptrdiff_t>(from),
                     sample.begin() + static_cast<std::ptrdiff_t>(at), sample.end());
    from = at;
    int64_t v = sample[at];
    if (v != kNull && (cuts.empty() || v > cuts.back())) cuts.push_back(v);
  }
  return cuts;
}

std::vector<int64_t> SampleUserIds(const EventRuns& files) {
  if (files.sample) return *files.sample;
  std::vector<int64_t> sample;
  for (const auto& f : files.runs) f.Visit([&](auto run) { AppendSample(run, &sample); });
  return sample;
}

EventRuns EventRuns::Of(const std::vector<std::vector<Event>>& vectors) {
  EventRuns out;
  out.memory.emplace_back();
  for (const auto& v : vectors) out.runs.push_back(Keep(out.memory.back(), v));
  return out;
}

EventRun EventRuns::Keep(BlockArena& arena, std::span<const Event> events, std::vector<int64_t>* sample) {
  if (sample != nullptr) AppendSample(events, sample);
  bool fits = true;
  for (const Event& e : events) fits &= NarrowEvent::Fits(e);
  if (fits) {
    NarrowEvent* to = arena.AllocateArray<NarrowEvent>(events.size());
    for (size_t i = 0; i < events.size(); ++i) to[i] = NarrowEvent::Of(events[i]);
    return EventRun::Of(std::span<NarrowEvent>(to, events.size()));
  }
  KeptEvent* to = arena.AllocateArray<KeptEvent>(events.size());
  for (size_t i = 0; i < events.size(); ++i) to[i] = KeptEvent::Of(events[i]);
  return EventRun::Of(std::span<KeptEvent>(to, events.size()));
}

size_t EventRuns::events() const {
  size_t n = 0;
  for (const auto& r : runs) n += r.size();
  return n;
}

bool EventRuns::any_wide() const {
  return std::any_of(runs.begin(), runs.end(), [](const EventRun& r) { return !r.wide.empty(); });
}

uint64_t SortFileEvents(std::vector<Event>* events, std::vector<Event>* scratch) {
  RadixSortByKey(
      *events, [](const Event& e) { return e.user_id; }, IdentityOrder(), *scratch);
  size_t kept = 0;
  for (size_t i = 0; i < events->size(); ++i) {
    if (kept > 0 && SameIdentity((*events)[i], (*events)[kept - 1])) continue;
    (*events)[kept++] = (*events)[i];
  }
  uint64_t dropped = events->size() - kept;
  events->resize(kept);
  return dropped;
}

EventReduce ReduceEvents(EventRuns files, int threads, bool wide) {
  if (!wide && files.any_wide()) throw Error::Internal("wide events reduced as narrow ones");
  // Enough ranges that two or three heavy users cannot leave a thread idle for long, and no more:
  // each range's arrays end in a partial huge page of small ones, and every range is one more run
  // in each month's merge. Four per thread against eight, logs-heavy: transform 0.34 -> 0.30 s,
  // peak RSS 282 -> 264 MiB (bench/results.md, #16 eighteenth round).
  std::vector<int64_t> cuts = UserCuts(SampleUserIds(files), static_cast<size_t>(std::max(1, threads)) * 4);
  EventReduce out;
  out.plays.wide = wide;
  auto reduce = [&](auto kind, auto& plays) {
    using E = decltype(kind);
    std::vector<RangeEvents<E>> parts = SplitByUserRange<E>(std::move(files), cuts, threads);
    std::vector<RangeOutput<E>> ranges(parts.size());
    ParallelFor(ranges.size(), threads, [&](size_t r, int) {
      ReduceRange(parts[r], &ranges[r]);
      parts[r] = RangeEvents<E>();  // unmapped: the ranges still to come build in this memory
    });
    ReleaseFreeMemory();
    // Ranges are in user order, so their users concatenate in order.
    size_t users = 0;
    for (const auto& range : ranges) users += range.users.size();
    out.users.reserve(users);
    for (auto& range : ranges) {
      out.events += range.events;
      out.duplicates += range.duplicates;
      out.users.insert(out.users.end(), range.users.begin(), range.users.end());
      out.times.push_back(std::move(range.times));
      plays.push_back(std::move(range.plays));
    }
  };
  if (wide)
    reduce(KeptEvent(), out.plays.wide_runs);
  else
    reduce(NarrowEvent(), out.plays.narrow_runs);
  return out;
}

size_t PlayRuns::plays() const {
  size_t n = 0;
  for (const auto& r : narrow_runs) n += r.size();
  for (const auto& r : wide_runs) n += r.size();
  return n;
}

TableData BuildUsersTable(std::vector<UserRow> users, const ProfilePool& profiles) {
  TableData t{"users",
              {{"user_id", DataType::kInt64, false},
               {"first_name", DataType::kString, true},
               {"last_name", DataType::kString, true},
               {"gender", DataType::kString, true},
               {"level", DataType::kString, true}},
              false,
              {""},
              {}};
  // Built by the writer that writes it, beside the other writer's files: built here, it was the
  // transform's longest serial step (each row decodes a profile from a cold pool entry).
  auto rows = std::make_shared<std::vector<UserRow>>(std::move(users));
  Schema schema = t.schema;
  t.batch_of = [rows, schema, &profiles](size_t) {
    RecordBatch batch(schema);
    auto& cols = batch.columns;
    const std::vector<UserRow>& us = *rows;
    for (auto& c : cols) c.Reserve(us.size());
    constexpr size_t kAhead = 16, kHalf = kAhead / 2;
    for (size_t i = 0; i < us.size(); ++i) {
      if (i + kAhead < us.size()) profiles.PrefetchAddress(us[i + kAhead].profile);
      if (i + kHalf < us.size()) profiles.PrefetchEncoding(us[i + kHalf].profile);
      const UserRow& u = us[i];
      const Profile& p = profiles[u.profile];
      cols[0].AppendInt64(u.user_id);
      AppendOptional(cols[1], p.first_name);
      AppendOptional(cols[2], p.last_name);
      AppendOptional(cols[3], p.gender);
      AppendOptional(cols[4], p.level);
    }
    rows->clear();
    rows->shrink_to_fit();
    return batch;
  };
  return t;
}

MonthTables BuildMonthTables(std::vector<HugeVector<int64_t>> time_runs, PlayRuns play_runs, int64_t first_songplay_id,
                             const ProfilePool& profiles, const SongRefs& songs, int threads) {
  MonthTables out;
  auto times = std::make_shared<MonthSlices<int64_t>>();
  times->runs = std::move(time_runs);
  // time: distinct ts, by year/month. The same ts can occur in several ranges.
  times->Slice([](int64_t ts) { return ts; });
  out.time = TableData{"time",
                       {{"start_time", DataType::kTimestampMillis, false},
                        {"hour", DataType::kInt32, false},
                        {"day", DataType::kInt32, false},
                        {"week", DataType::kInt32, false},
                        {"weekday", DataType::kInt32, false}},
                       true,
                       times->dirs,
                       {}};
  Schema time_schema = out.time.schema;
  out.time.batch_of = [times, time_schema](size_t p) {
    RecordBatch batch(time_schema);
    auto& cols = batch.columns;
    // At most this many rows: a ts in several ranges is one row. Slots never written are never
    // resident. Filled in bulk (Column::BeginInt64), as songplays are.
    const size_t most = times->PartitionSize(p);
    int64_t* start_time = cols[0].BeginInt64(most);
    size_t rows = 0;
    // The calendar columns are constant within an hour: appended once per hour, and kept as runs
    // (Column::Int32Runs): expanded, they were four arrays of a 4-byte value per row, written
    // once and read back only to find the runs again.
    for (size_t c = 1; c <= 4; ++c) cols[c] = Column::Int32Runs();
    CalendarDays calendar;
    CalendarFields f{};
    int64_t last_same = 0;  // the last ms with f's fields
    size_t run = 0;         // rows of f's hour not yet in the calendar columns
    auto flush = [&] {
      cols[1].AppendInt32(f.hour, run);
      cols[2].AppendInt32(f.day, run);
      cols[3].AppendInt32(f.week, run);
      cols[4].AppendInt32(f.weekday, run);
      run = 0;
    };
    bool first = true;
    int64_t last = 0;
    times->MergeByKey(
        p, [](int64_t t) { return UnsignedOrder(t); },
        [&](int64_t t) {
      if (!first && t == last) return;
      if (first || t > last_same) {
        flush();
        f = calendar.Of(t, &last_same);
      }
      first = false;
      last = t;
      if (rows == most) throw Error::Internal("a time partition holds more times than its slices");
      start_time[rows++] = t;
      ++run;
    });
    flush();
    cols[0].ShrinkBulk(rows);
    cols[0].EndInt64(rows, std::nullopt);
    return batch;
  };

  play_runs.Visit([&](auto& runs) {
    out.songplays = SongplaysTable(std::move(runs), first_songplay_id, profiles, songs, threads);
  });
  return out;
}

EventTables BuildEventTables(EventRuns files, const ProfilePool& profiles, const SongRefs& songs, int threads) {
  bool wide = files.any_wide();
  EventReduce reduced = ReduceEvents(std::move(files), threads, wide);
  MonthTables months =
      BuildMonthTables(std::move(reduced.times), std::move(reduced.plays), 1, profiles, songs, threads);
  return {.users = BuildUsersTable(std::move(reduced.users), profiles),
          .time = std::move(months.time),
          .songplays = std::move(months.songplays),
          .events = reduced.events,
          .duplicates = reduced.duplicates};
}

}  // namespace lakeforge
