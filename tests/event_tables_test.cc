// Property test of the events reduce against a naive oracle: random events spread over random files
// (repeats within and across files, null users/sessions/items, timestamps around month and year
// edges, before 1970 and near the int64 limits), reduced with several thread counts, must give
// exactly the users, time and songplays rows that one global sort gives.
#include "sparkify/event_tables.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "base/merge.h"
#include "base/radix_sort.h"
#include "sparkify/calendar.h"

namespace lakeforge {
namespace {

using Row = std::vector<std::string>;                   // a table row, each cell as text ("∅" for null)
using Table = std::map<std::string, std::vector<Row>>;  // partition dir -> rows in file order

Table Materialize(const TableData& t) {
  Table out;
  for (size_t p = 0; p < t.dirs.size(); ++p) {
    RecordBatch b = t.batch_of(p);
    auto& rows = out[t.dirs[p]];
    for (size_t i = 0; i < b.num_rows(); ++i) {
      Row row;
      for (const Column& c : b.columns) {
        if (!c.IsValid(i))
          row.push_back("∅");
        else if (c.type() == DataType::kString)
          row.emplace_back(c.StringAt(i));
        else if (c.type() == DataType::kInt32)
          row.push_back(std::to_string(c.Int32At(i)));
        else
          row.push_back(std::to_string(c.int64s()[i]));
      }
      rows.push_back(row);
    }
  }
  return out;
}

std::string Dir(int64_t ts) {
  CalendarFields f = CalendarOf(ts);
  return "year=" + std::to_string(f.year) + "/month=" + std::to_string(f.month);
}

std::string Opt(int64_t v) { return v == kNull ? "∅" : std::to_string(v); }

struct Oracle {
  Table users, time, songplays;
  uint64_t events = 0, duplicates = 0;
};

Oracle Naive(std::vector<Event> all, const ProfilePool& profiles, const std::vector<SongRecord>& songs) {
  Oracle o;
  std::sort(all.begin(), all.end(), [](const Event& a, const Event& b) {
    return std::tie(a.user_id, a.session_id, a.item, a.ts, a.file, a.line) <
           std::tie(b.user_id, b.session_id, b.item, b.ts, b.file, b.line);
  });
  std::vector<Event> kept;
  for (const Event& e : all) {
    if (!kept.empty() && std::tie(e.user_id, e.session_id, e.item) ==
                             std::tie(kept.back().user_id, kept.back().session_id, kept.back().item)) {
      ++o.duplicates;
      continue;
    }
    kept.push_back(e);
  }
  o.events = kept.size();
  std::map<int64_t, Event> latest;
  for (const Event& e : kept) {
    if (e.user_id == kNull) continue;
    auto [it, inserted] = latest.emplace(e.user_id, e);
    if (!inserted &&
        std::tie(e.ts, e.session_id, e.item) > std::tie(it->second.ts, it->second.session_id, it->second.item))
      it->second = e;
  }
  auto s = [](const std::optional<std::string_view>& v) { return v ? std::string(*v) : std::string("∅"); };
  for (const auto& [user, e] : latest) {
    const Profile& p = profiles[e.profile];
    o.users[""].push_back({std::to_string(user), s(p.first_name), s(p.last_name), s(p.gender), s(p.level)});
  }
  std::vector<int64_t> ts;
  for (const Event& e : kept) ts.push_back(e.ts);
  std::sort(ts.begin(), ts.end());
  ts.erase(std::unique(ts.begin(), ts.end()), ts.end());
  for (int64_t t : ts) {
    CalendarFields f = CalendarOf(t);
    o.time[Dir(t)].push_back({std::to_string(t), std::to_string(f.hour), std::to_string(f.day), std::to_string(f.week),
                              std::to_string(f.weekday)});
  }
  std::vector<Event> plays;
  for (const Event& e : kept)
    if (e.song >= 0) plays.push_back(e);
  std::sort(plays.begin(), plays.end(), [](const Event& a, const Event& b) {
    return std::tie(a.ts, a.user_id, a.session_id, a.item) < std::tie(b.ts, b.user_id, b.session_id, b.item);
  });
  for (size_t i = 0; i < plays.size(); ++i) {
    const Event& e = plays[i];
    const Profile& p = profiles[e.profile];
    const SongRecord& song = songs[static_cast<size_t>(e.song)];
    o.songplays[Dir(e.ts)].push_back({std::to_string(i + 1), std::to_string(e.ts), Opt(e.user_id), s(p.level),
                                      song.song_id, song.artist_id, Opt(e.session_id), s(p.location), s(p.user_agent)});
  }
  return o;
}

class EventTablesProperty : public ::testing::TestWithParam<int> {};

// Ids at and past the edges of what a narrow event holds (NarrowEvent::Fits): INT32_MIN is the
// narrow null, so it cannot be kept narrow.
constexpr int64_t kEdges[] = {INT32_MIN,        int64_t{INT32_MIN} + 1, INT32_MAX, int64_t{INT32_MAX} + 1,
                              int64_t{1} << 40, -(int64_t{1} << 40),    INT64_MAX, kNull + 1};
// The same for itemInSession, which a narrow event holds in 16 bits (INT16_MIN is its null).
constexpr int64_t kItemEdges[] = {INT16_MIN, INT16_MIN + 1, INT16_MAX, INT16_MAX + 1, -(int64_t{1} << 20), 1 << 20};

TEST_P(EventTablesProperty, MatchesOneGlobalSort) {
  std::mt19937_64 rng(static_cast<uint64_t>(GetParam()));
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };

  ProfilePool profiles;
  std::vector<uint32_t> profile_ids;  // ids are the pool's, not 0..n-1
  std::vector<std::string> levels = {"free", "paid"};
  for (int i = 0; i < 20; ++i) {
    ProfileView v;
    std::string first = "F" + std::to_string(i), level = levels[static_cast<size_t>(i % 2)];
    v.first_name = first;
    v.level = level;
    if (i % 3 != 0) v.location = std::string_view("Somewhere, XY");
    profile_ids.push_back(profiles.Intern(v, HashProfile(v)).first);
  }
  std::vector<SongRecord> songs(5);
  for (size_t i = 0; i < songs.size(); ++i) {
    songs[i].song_id = "SO" + std::to_string(i);
    songs[i].artist_id = "AR" + std::to_string(i % 2);
  }
  // Timestamps from a few narrow windows around edges, so that equal ts and month splits are common.
  const int64_t kDay = 86'400'000;
  // The last two reach the ends of a narrow event's 48-bit ts from inside; files that may hold
  // wide events also take ts past them and at the ends of int64.
  std::vector<int64_t> centers = {DaysFromCivil(2018, 11, 1) * kDay, DaysFromCivil(2019, 1, 1) * kDay, -kDay * 40, 0,
                                  NarrowEvent::kMaxTs - 3000,        NarrowEvent::kMinTs + 3000};
  std::vector<int64_t> wide_centers = {NarrowEvent::kMaxTs, NarrowEvent::kMinTs, INT64_MAX - 5000, INT64_MIN + 5000};
  size_t n_files = static_cast<size_t>(pick(1, 12));
  std::vector<std::vector<Event>> files(n_files);
  std::vector<Event> all;
  size_t n = static_cast<size_t>(pick(0, 4000));
  for (size_t i = 0; i < n; ++i) {
    Event e;
    if (!all.empty() && pick(0, 9) == 0) {
      e = all[static_cast<size_t>(pick(0, static_cast<int64_t>(all.size()) - 1))];  // a repeat of an identity
      e.ts += pick(-2, 2);
      if (e.ts == kNull) e.ts += 1;
    } else {
      e.file = static_cast<uint32_t>(pick(0, static_cast<int64_t>(n_files) - 1));
      // Ids past 32 bits (items past 16, ts past 48) in every other file of a third of the seeds:
      // those files' runs are wide, the rest narrow, and the reduce must widen the narrow ones.
      // Each such file takes edges of one kind only (ids, items or ts), so that what makes it wide
      // is that kind's check alone.
      bool wide = GetParam() % 3 == 0 && e.file % 2 == 0;
      int kind = wide ? static_cast<int>(e.file / 2 + static_cast<uint32_t>(GetParam() / 3)) % 3 : -1;
      auto id = [&](int64_t lo, int64_t hi, int64_t null_one_in, std::span<const int64_t> edges, bool edgy) {
        if (pick(0, null_one_in - 1) == 0) return kNull;
        if (edgy && pick(0, 7) == 0) return edges[static_cast<size_t>(pick(0, static_cast<int64_t>(edges.size()) - 1))];
        return pick(lo, hi);
      };
      e.user_id = id(-3, 60, 31, kEdges, kind == 0);
      e.session_id = id(0, 8, 21, kEdges, kind == 0);
      e.item = id(0, 50, 21, kItemEdges, kind == 1);
      const auto& from = kind == 2 && pick(0, 7) == 0 ? wide_centers : centers;
      e.ts = from[static_cast<size_t>(pick(0, static_cast<int64_t>(from.size()) - 1))] + pick(-3000, 3000);
    }
    e.song = static_cast<int32_t>(pick(-1, static_cast<int64_t>(songs.size()) - 1));
    e.profile = profile_ids[static_cast<size_t>(pick(0, static_cast<int64_t>(profile_ids.size()) - 1))];
    e.line = static_cast<uint32_t>(i + 1);
    files[e.file].push_back(e);
    all.push_back(e);
  }
  Oracle want = Naive(all, profiles, songs);
  for (int threads : {1, 2, 7}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    std::vector<std::vector<Event>> copy = files;
    uint64_t in_file = 0;
    std::vector<Event> scratch;
    for (auto& f : copy) in_file += SortFileEvents(&f, &scratch);
    SongRefs song_refs;
    for (const auto& song : songs) song_refs.push_back(&song);
    // With several threads the runs are spread over three arenas, with an empty run between
    // them: the reduce regroups them by user range and frees each arena's blocks on its own.
    EventRuns runs = EventRuns::Of(copy);
    if (threads > 1) {
      runs = EventRuns();
      runs.memory.resize(3);
      for (size_t f = 0; f < copy.size(); ++f) {
        runs.runs.push_back(EventRuns::Keep(runs.memory[f % 3], copy[f]));
        if (f == 0) runs.runs.emplace_back();
      }
    }
    EventTables got = BuildEventTables(std::move(runs), profiles, song_refs, threads);
    EXPECT_EQ(got.events, want.events);
    EXPECT_EQ(in_file + got.duplicates, want.duplicates);
    Table want_users = want.users;
    want_users[""];  // users is one file, also when empty
    EXPECT_EQ(Materialize(got.users), want_users);
    EXPECT_EQ(Materialize(got.time), want.time);
    EXPECT_EQ(Materialize(got.songplays), want.songplays);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, EventTablesProperty, ::testing::Range(1, 41));

// The loser-tree merge against std::stable_sort of the concatenation: random run counts (with
// empty runs and a count that is not a power of two), many equal keys, and stability by run.
TEST(MergeRuns, EqualsStableSortOfTheConcatenation) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    size_t k = rng() % 40;
    std::vector<std::vector<std::pair<int, size_t>>> runs(k);  // (key, run)
    std::vector<std::pair<int, size_t>> all;
    for (size_t r = 0; r < k; ++r) {
      size_t n = rng() % 4 == 0 ? 0 : rng() % 50;
      for (size_t i = 0; i < n; ++i) runs[r].push_back({static_cast<int>(rng() % 20), r});
      std::sort(runs[r].begin(), runs[r].end());
      all.insert(all.end(), runs[r].begin(), runs[r].end());
    }
    auto by_key = [](const std::pair<int, size_t>& a, const std::pair<int, size_t>& b) { return a.first < b.first; };
    std::stable_sort(all.begin(), all.end(), by_key);
    std::vector<SortedRun<std::pair<int, size_t>>> spans;
    for (const auto& r : runs) spans.push_back({r.data(), r.data() + r.size()});
    std::vector<std::pair<int, size_t>> merged;
    MergeRuns(spans, by_key, [&](const std::pair<int, size_t>& x) { merged.push_back(x); });
    ASSERT_EQ(merged, all) << "round " << round << ", " << k << " runs";
  }
}

// MergeRunsByKey gives MergeRuns' output for the order of its key: 128-bit keys drawn from a few
// values (many ties across runs, so stability by run is tested), among them the largest key,
// which is also what an exhausted run stands for (a real element with it must still come out).
TEST(MergeRunsByKey, EqualsStableSortOfTheConcatenation) {
  using Item = std::pair<unsigned __int128, size_t>;  // (key, run)
  const unsigned __int128 kMax = ~static_cast<unsigned __int128>(0);
  const std::vector<unsigned __int128> values = {0, 1, static_cast<unsigned __int128>(1) << 64, kMax - 1, kMax};
  std::mt19937_64 rng(11);
  for (int round = 0; round < 300; ++round) {
    size_t k = rng() % 40;
    std::vector<std::vector<Item>> runs(k);
    std::vector<Item> all;
    for (size_t r = 0; r < k; ++r) {
      size_t n = rng() % 4 == 0 ? 0 : rng() % 30;
      for (size_t i = 0; i < n; ++i) runs[r].push_back({values[rng() % values.size()], r});
      std::sort(runs[r].begin(), runs[r].end());
      all.insert(all.end(), runs[r].begin(), runs[r].end());
    }
    std::stable_sort(all.begin(), all.end(), [](const Item& a, const Item& b) { return a.first < b.first; });
    std::vector<SortedRun<Item>> spans;
    for (const auto& r : runs) spans.push_back({r.data(), r.data() + r.size()});
    std::vector<Item> merged;
    MergeRunsByKey(spans, [](const Item& x) { return x.first; }, [&](const Item& x) { merged.push_back(x); });
    ASSERT_EQ(merged, all) << "round " << round << ", " << k << " runs";
  }
}

// MergeRunsByGroup gives MergeRuns' output: runs sorted by (group, key) whose segments of a group
// sometimes follow each other in run order and sometimes interleave, many ties on the whole order
// across runs (stability by run), empty runs, counts that are not a power of two, one run, and a
// group at the largest value (what an exhausted run stands for).
TEST(MergeRunsByGroup, EqualsMergeRuns) {
  struct Item {
    int64_t group;
    int key;
    size_t run, at;  // where it came from: equal (group, key) must keep run order
    bool operator==(const Item&) const = default;
  };
  auto less = [](const Item& a, const Item& b) { return std::tie(a.group, a.key) < std::tie(b.group, b.key); };
  std::mt19937_64 rng(13);
  for (int round = 0; round < 400; ++round) {
    size_t k = round % 50 == 0 ? 1 : rng() % 40;
    // Few groups (each in many runs), with the extremes; keys either ordered by run (a user's later
    // files hold later sessions: segments in order) or drawn at random (interleaved).
    const std::vector<int64_t> groups = {INT64_MIN, -3, 0, 7, 8, INT64_MAX};
    bool ordered = round % 3 != 0;
    std::vector<std::vector<Item>> runs(k);
    for (size_t r = 0; r < k; ++r) {
      size_t n = rng() % 4 == 0 ? 0 : rng() % 30;
      for (size_t i = 0; i < n; ++i) {
        int key = ordered ? static_cast<int>(r * 4 + rng() % 5) : static_cast<int>(rng() % 12);
        runs[r].push_back({groups[rng() % groups.size()], key, r, 0});
      }
      std::sort(runs[r].begin(), runs[r].end(), less);
      for (size_t i = 0; i < runs[r].size(); ++i) runs[r][i].at = i;
    }
    std::vector<SortedRun<Item>> spans;
    for (const auto& r : runs) spans.push_back({r.data(), r.data() + r.size()});
    std::vector<Item> expected, merged;
    MergeRuns(spans, less, [&](const Item& x) { expected.push_back(x); });
    MergeRunsByGroup(
        spans, [](const Item& x) { return x.group; }, less, [&](const Item& x) { merged.push_back(x); });
    ASSERT_EQ(merged, expected) << "round " << round << ", " << k << " runs";
  }
}

// A narrow event's IdentityKey orders exactly as its fields (user, session, item, ts) do, and its
// PlayKey as (ts, user, session, item), signed, with the null sentinels and the ends of every
// field's range.
TEST(NarrowEvent, KeysOrderAsTheFields) {
  const std::vector<int32_t> ids = {kNull32, INT32_MIN + 1, -1, 0, 1, INT32_MAX};
  const std::vector<int16_t> items = {kNull16, INT16_MIN + 1, -1, 0, 1, INT16_MAX};
  const std::vector<int64_t> times = {NarrowEvent::kMinTs, NarrowEvent::kMinTs + 1, -1, 0, 1, NarrowEvent::kMaxTs};
  std::mt19937_64 rng(5);
  std::vector<NarrowEvent> events;
  for (int i = 0; i < 400; ++i) {
    NarrowEvent e{};
    e.user_id = ids[rng() % ids.size()];
    e.session_id = ids[rng() % ids.size()];
    e.item = items[rng() % items.size()];
    e.ts = times[rng() % times.size()];
    events.push_back(e);
  }
  auto fields = [](const NarrowEvent& e) {
    return std::make_tuple(e.user_id, e.session_id, static_cast<int64_t>(e.item), static_cast<int64_t>(e.ts));
  };
  auto play_fields = [](const NarrowEvent& e) {
    return std::make_tuple(static_cast<int64_t>(e.ts), e.user_id, e.session_id, static_cast<int64_t>(e.item));
  };
  for (const NarrowEvent& a : events)
    for (const NarrowEvent& b : events) {
      ASSERT_EQ(a.IdentityKey() < b.IdentityKey(), fields(a) < fields(b));
      ASSERT_EQ(a.IdentityKey() == b.IdentityKey(), fields(a) == fields(b));
      ASSERT_EQ(a.PlayKey() < b.PlayKey(), play_fields(a) < play_fields(b));
      ASSERT_EQ(a.PlayKey() == b.PlayKey(), play_fields(a) == play_fields(b));
    }
}

// MergeDistinctRuns on runs of distinct elements (and of equal integers) gives the sorted
// concatenation.
TEST(MergeDistinctRuns, EqualsSortOfTheConcatenation) {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 200; ++round) {
    size_t k = rng() % 40;
    bool ties = round % 2 == 1;  // equal integers across runs: interchangeable
    std::vector<std::vector<int64_t>> runs(k);
    std::vector<int64_t> all;
    for (size_t r = 0; r < k; ++r) {
      size_t n = rng() % 4 == 0 ? 0 : rng() % 50;
      for (size_t i = 0; i < n; ++i)
        runs[r].push_back(ties ? static_cast<int64_t>(rng() % 20) : static_cast<int64_t>((rng() % 1000) * 64 + r));
      std::sort(runs[r].begin(), runs[r].end());
      all.insert(all.end(), runs[r].begin(), runs[r].end());
    }
    std::sort(all.begin(), all.end());
    std::vector<SortedRun<int64_t>> spans;
    for (const auto& r : runs) spans.push_back({r.data(), r.data() + r.size()});
    std::vector<int64_t> merged;
    MergeDistinctRuns(spans, std::less<int64_t>(), [&](int64_t x) { merged.push_back(x); });
    ASSERT_EQ(merged, all) << "round " << round << ", " << k << " runs";
  }
}

// The per-day calendar cache gives CalendarOf's fields for any sequence: sorted runs within a
// day, across day boundaries (before and after 1970), unsorted jumps and the int64 extremes.
TEST(CalendarDays, EqualsCalendarOf) {
  std::mt19937_64 rng(3);
  std::vector<int64_t> ts = {INT64_MIN, INT64_MIN + 1, -86'400'001, -86'400'000,   -86'399'999, -1, 0,
                             1,         86'399'999,    86'400'000,  INT64_MAX - 1, INT64_MAX};
  int64_t t = 1'541'030'400'000 - 5'000'000;  // 2018-11-01 minus a few hours
  for (int i = 0; i < 20000; ++i) ts.push_back(t += static_cast<int64_t>(rng() % 400'000));
  for (int i = 0; i < 2000; ++i) ts.push_back(static_cast<int64_t>(rng()));
  CalendarDays days, runs;
  auto fields = [](const CalendarFields& f) { return std::tie(f.year, f.month, f.day, f.hour, f.week, f.weekday); };
  for (int64_t x : ts) {
    CalendarFields a = days.Of(x), b = CalendarOf(x);
    ASSERT_EQ(fields(a), fields(b)) << x;
    // The run form: the same fields, and the last millisecond of x's hour, whose next one has
    // other fields (x itself only at the ends of the int64 range).
    int64_t last = 0;
    CalendarFields c = runs.Of(x, &last);
    ASSERT_EQ(fields(c), fields(b)) << x;
    ASSERT_GE(last, x);
    CalendarFields at_last = CalendarOf(last);
    ASSERT_EQ(fields(at_last), fields(b)) << x << " to " << last;
    if (x > INT64_MIN + (int64_t{1} << 40) && x < INT64_MAX - (int64_t{1} << 40)) {
      ASSERT_EQ(((last + 1) % 3'600'000 + 3'600'000) % 3'600'000, 0) << x << " to " << last;
      CalendarFields next = CalendarOf(last + 1);
      ASSERT_NE(fields(next), fields(b)) << x << " to " << last;
    }
  }
}

// The radix sort against std::sort for the same total order: keys over the whole int64 range
// (negative ones, INT64_MIN as the null sentinel, INT64_MAX), keys in a narrow band (few digits),
// keys over every span from 1 to 62 bits, many ties broken by the second field, sizes on both sides
// of the cut-over.
// Odd rounds share one scratch vector, so it comes in larger or smaller than the input and holding
// an earlier round's records (and may trade buffers with it).
TEST(RadixSortByKey, EqualsStdSort) {
  std::mt19937_64 rng(11);
  std::vector<std::pair<int64_t, uint32_t>> shared;
  using Rec = std::pair<int64_t, uint32_t>;  // (key, tie-breaker)
  auto less = [](const Rec& a, const Rec& b) { return a < b; };
  for (int round = 0; round < 300; ++round) {
    size_t n = rng() % 3 == 0 ? rng() % 70 : rng() % 5000;
    int shape = round % 4;
    // Shape 3: keys spanning `bits` bits from an arbitrary base, so every digit width and count
    // (1 to 62 bits: 1 to 6 passes, odd and even) is taken.
    const int bits = 1 + (round / 4) % 62;
    const int64_t base = static_cast<int64_t>(rng() >> 2) - (int64_t{1} << 61);
    std::vector<Rec> v;
    for (size_t i = 0; i < n; ++i) {
      int64_t key;
      if (shape == 0) {
        key = static_cast<int64_t>(rng());
        if (rng() % 10 == 0) key = rng() % 2 ? INT64_MIN : INT64_MAX;
      } else if (shape == 1) {
        key = 1541000000000 + static_cast<int64_t>(rng() % 100000);  // timestamps of one afternoon
      } else if (shape == 2) {
        key = static_cast<int64_t>(rng() % 40) - 20;  // few keys, long runs of ties
      } else {
        key = base + static_cast<int64_t>(rng() & ((uint64_t{1} << bits) - 1));
      }
      v.push_back({key, static_cast<uint32_t>(rng() % 1000)});
    }
    std::vector<Rec> expected = v;
    std::sort(expected.begin(), expected.end(), less);
    auto key = [](const Rec& r) { return r.first; };
    if (round % 2) {
      RadixSortByKey(v, key, less, shared);
    } else {
      RadixSortByKey(v, key, less);
    }
    ASSERT_EQ(v, expected) << "round " << round << ", " << n << " records, shape " << shape;
    if (round % 2) {
      ASSERT_GE(shared.size(), n < 64 ? 0 : n);
    }
  }
}

// SortFileEvents keeps the first event of each identity in identity order (ts, then line, break
// ties), as a std::sort-based oracle does.
TEST(SortFileEvents, MatchesOracle) {
  std::mt19937_64 rng(5);
  std::vector<Event> scratch;  // one for every round, as a map thread keeps it
  for (int round = 0; round < 50; ++round) {
    std::vector<Event> events;
    size_t n = rng() % 3000;
    for (uint32_t line = 1; line <= n; ++line) {
      int64_t user = rng() % 8 == 0 ? kNull : static_cast<int64_t>(rng() % 300);
      events.push_back({.ts = static_cast<int64_t>(rng() % 50),
                        .user_id = user,
                        .session_id = rng() % 5 == 0 ? kNull : static_cast<int64_t>(rng() % 4),
                        .item = static_cast<int64_t>(rng() % 6),
                        .song = -1,
                        .profile = 0,
                        .file = 3,
                        .line = line});
    }
    std::vector<Event> expected = events;
    std::sort(expected.begin(), expected.end(), [](const Event& a, const Event& b) {
      return std::tie(a.user_id, a.session_id, a.item, a.ts, a.file, a.line) <
             std::tie(b.user_id, b.session_id, b.item, b.ts, b.file, b.line);
    });
    std::vector<Event> kept;
    for (const Event& e : expected)
      if (kept.empty() || std::tie(e.user_id, e.session_id, e.item) !=
                              std::tie(kept.back().user_id, kept.back().session_id, kept.back().item))
        kept.push_back(e);
    uint64_t dropped = SortFileEvents(&events, &scratch);
    ASSERT_EQ(dropped, expected.size() - kept.size());
    ASSERT_EQ(events.size(), kept.size());
    for (size_t i = 0; i < kept.size(); ++i)
      ASSERT_EQ(events[i].line, kept[i].line) << "round " << round << " at " << i;
  }
}

// UserCuts selects its cuts without sorting the sample: the same cuts as the sample sorted whole
// (the value of rank r * n / ranges for each r, skipping the null and repeats), for samples with
// many repeats, nulls, extremes, and fewer values than ranges.
TEST(UserCuts, EqualsTheSortedSamplesRanks) {
  std::mt19937_64 rng(23);
  for (int round = 0; round < 300; ++round) {
    std::vector<int64_t> sample(rng() % 200);
    const int64_t spread = round % 3 == 0 ? 4 : 1000;
    for (auto& v : sample) {
      uint64_t pick = rng() % 20;
      v = pick == 0 ? kNull : pick == 1 ? INT64_MAX : static_cast<int64_t>(rng() % spread) - spread / 2;
    }
    const size_t ranges = 1 + rng() % 12;
    std::vector<int64_t> sorted = sample;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> want;
    for (size_t r = 1; r < ranges && !sorted.empty(); ++r) {
      int64_t v = sorted[r * sorted.size() / ranges];
      if (v != kNull && (want.empty() || v > want.back())) want.push_back(v);
    }
    ASSERT_EQ(UserCuts(sample, ranges), want) << "round " << round;
  }
}

// The user sample taken while the runs are kept (the map's) is the one read back from the runs,
// and keeping copies every field but file and line.
TEST(EventRuns, KeepTakesTheSampleReadBackFromTheRuns) {
  std::mt19937_64 rng(11);
  std::vector<std::vector<Event>> files(11);
  for (size_t f = 0; f < files.size(); ++f) {
    size_t n = f == 3 ? 0 : rng() % (f == 5 ? 64 : 700) + (f == 6);  // an empty run, and one of exactly 64
    for (uint32_t line = 1; line <= n; ++line)
      // Files 7 to 10 hold one value each that a narrow event cannot; file 6 the extremes it can.
      files[f].push_back({.ts = line == 1 && f == 9   ? NarrowEvent::kMaxTs + 1
                                : line == n && f == 6 ? NarrowEvent::kMinTs
                                : line == 1 && f == 6 ? NarrowEvent::kMaxTs
                                                      : static_cast<int64_t>(rng() % 1000),
                          .user_id = rng() % 9 == 0 ? kNull : static_cast<int64_t>(rng() % 500),
                          .session_id = line == 1 && f == 7   ? int64_t{INT32_MAX} + 1
                                        : line == n && f == 8 ? int64_t{INT32_MIN}
                                                              : static_cast<int64_t>(rng() % 7),
                          .item = line == n && f == 10  ? int64_t{INT16_MIN}
                                  : line == 1 && f == 6 ? int64_t{INT16_MAX}
                                  : line == n && f == 6 ? int64_t{INT16_MIN} + 1
                                  : line == 2 && f == 6 ? kNull
                                                        : static_cast<int64_t>(rng() % 30),
                          .song = static_cast<int32_t>(rng() % 5) - 1,
                          .profile = static_cast<uint32_t>(rng() % 40),
                          .file = static_cast<uint32_t>(f),
                          .line = line});
    std::vector<Event> scratch;
    SortFileEvents(&files[f], &scratch);
  }
  EventRuns read_back = EventRuns::Of(files);
  EXPECT_FALSE(read_back.sample.has_value());
  EventRuns kept{.runs = {}, .memory = {}, .sample = std::vector<int64_t>()};
  kept.memory.emplace_back(size_t{4} << 10);  // small blocks: runs span several
  for (const auto& f : files) kept.runs.push_back(EventRuns::Keep(kept.memory.back(), f, &*kept.sample));
  std::vector<int64_t> want = SampleUserIds(read_back);
  EXPECT_EQ(SampleUserIds(kept), want);
  size_t expected = 0;
  for (const auto& f : files) expected += (f.size() + 63) / 64;
  EXPECT_EQ(want.size(), expected);
  for (size_t f = 0; f < files.size(); ++f) {
    SCOPED_TRACE("file " + std::to_string(f));
    ASSERT_EQ(kept.runs[f].size(), files[f].size());
    EXPECT_EQ(kept.runs[f].wide.empty(), f < 7);
    kept.runs[f].Visit([&](auto run) {
      for (size_t i = 0; i < files[f].size(); ++i) {
        const Event& e = files[f][i];
        const KeptEvent k = WideOf(run[i]);
        ASSERT_EQ(std::tie(k.ts, k.user_id, k.session_id, k.item, k.song, k.profile),
                  std::tie(e.ts, e.user_id, e.session_id, e.item, e.song, e.profile));
      }
    });
  }
}

}  // namespace
}  // namespace lakeforge
