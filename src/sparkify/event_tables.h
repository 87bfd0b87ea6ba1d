// The reduce stage for log events: users, time and songplays (semantics in star_schema.h).
//
// The events are never gathered into one array. Map threads hand over one run per input file,
// sorted by identity and free of in-file repeats (SortFileEvents, run while the file is still in
// cache). BuildEventTables cuts the user-id axis into ranges from a sample and moves each range's
// slice of every run into an array of its own, freeing the runs' memory block by block; each range
// merges its slices, drops cross-file repeats and yields its users rows, its distinct timestamps
// and its plays, the last two sorted by time, and frees its events for the ranges after it. A time
// or songplays partition (year/month) is built on demand from that month's slice of every range,
// when it is written. The output does not depend on the number of ranges or threads: every order
// used is total, or (identities) completed by the file order of the runs, which merges keep.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/block_arena.h"
#include "base/huge_pages.h"
#include "sparkify/calendar.h"
#include "sparkify/profile_pool.h"
#include "sparkify/records.h"
#include "sparkify/star_schema.h"

namespace lakeforge {

// Sorts one file's events by identity (user, session, item, then ts, line) and keeps the first of
// each identity. Returns the number of events dropped. `scratch` is the sort's working memory (see
// RadixSortByKey): a thread that sorts many files passes the same one each time.
uint64_t SortFileEvents(std::vector<Event>* events, std::vector<Event>* scratch);

// One file's events as the reduce keeps them: narrow when every one fits (NarrowEvent::Fits), else
// wide; the other span is empty.
struct EventRun {
  std::span<NarrowEvent> narrow;
  std::span<KeptEvent> wide;

  static EventRun Of(std::span<NarrowEvent> events) { return {.narrow = events, .wide = {}}; }
  static EventRun Of(std::span<KeptEvent> events) { return {.narrow = {}, .wide = events}; }
  size_t size() const { return narrow.size() + wide.size(); }
  bool empty() const { return narrow.empty() && wide.empty(); }
  // Calls fn with the run's span (of either kind). An empty run is narrow.
  template <typename Fn>
  decltype(auto) Visit(Fn&& fn) const {
    return wide.empty() ? fn(narrow) : fn(wide);
  }
};

// Runs of events, each sorted by SortFileEvents: one per input file, or per piece a shuffle
// received, always in file order (ranks hold consecutive files and send in rank order): among
// events of one identity and ts, the earlier file's is kept, and the run order is what says so.
// The runs live in `memory` (no vector per file: see BlockArena) and die with it.
struct EventRuns {
  std::vector<EventRun> runs;
  std::vector<BlockArena> memory;
  // SampleUserIds of the runs, when it was taken as they were kept (while they were in cache:
  // read back later, every 64th event is a cache miss of its own, on one thread).
  std::optional<std::vector<int64_t>> sample;

  // A copy of each vector as a run, in the order given.
  static EventRuns Of(const std::vector<std::vector<Event>>& vectors);
  // A copy of one file's sorted events in `arena`, narrow if they all fit; appends the run's share
  // of SampleUserIds to *sample.
  static EventRun Keep(BlockArena& arena, std::span<const Event> events, std::vector<int64_t>* sample = nullptr);
  size_t events() const;
  bool any_wide() const;
};

// songplay_id order: (ts, user_id, session_id, itemInSession), of plays (matched events, song >= 0:
// songplays needs every field of a kept event) of either kind. A type, not a function: sorts and
// merges given it inline the comparison (a function pointer costs a call per comparison).
struct PlayOrder {
  template <typename P>
  bool operator()(const P& a, const P& b) const {
    if (a.ts != b.ts) return a.ts < b.ts;
    if (a.user_id != b.user_id) return a.user_id < b.user_id;
    if (a.session_id != b.session_id) return a.session_id < b.session_id;
    return a.item < b.item;
  }
};

struct UserRow {
  int64_t user_id;
  uint32_t profile;
};

// Calls fn(month index, begin, end) for each calendar month of `run`, sorted by ts_of: its rows
// [begin, end), found by binary search, months ascending.
template <typename T, typename A, typename TsOf, typename Fn>
void ForEachMonthSegment(const std::vector<T, A>& run, TsOf ts_of, Fn&& fn) {
  for (size_t pos = 0; pos < run.size();) {
    int64_t month = MonthIndexOf(ts_of(run[pos]));
    int64_t next_start;
    size_t end = run.size();
    if (MonthStartMillis(month + 1, &next_start))
      end = static_cast<size_t>(std::lower_bound(run.begin() + static_cast<std::ptrdiff_t>(pos), run.end(), next_start,
                                                 [&](const T& x, int64_t t) { return ts_of(x) < t; }) -
                                run.begin());
    fn(month, pos, end);
    pos = end;
  }
}

// Every 64th user id of each run (runs sorted by SortFileEvents): where to cut the user axis.
std::vector<int64_t> SampleUserIds(const EventRuns& files);
// At most ranges - 1 increasing cut points from a sample: range r is [cuts[r-1], cuts[r]).
std::vector<int64_t> UserCuts(std::vector<int64_t> sample, size_t ranges);

// Runs of plays, each sorted by PlayOrder: narrow events when the reduce's were, else wide; the
// other vector is empty.
struct PlayRuns {
  bool wide = false;
  std::vector<HugeVector<NarrowEvent>> narrow_runs;
  std::vector<HugeVector<KeptEvent>> wide_runs;

  // Calls fn with the runs of the kind they are.
  template <typename Fn>
  decltype(auto) Visit(Fn&& fn) {
    return wide ? fn(wide_runs) : fn(narrow_runs);
  }
  size_t plays() const;
};

// The reduce by user: identities deduplicated, each user's latest row, and the distinct
// timestamps and plays as runs sorted by time (runs overlap in time; months are cut later).
struct EventReduce {
  std::vector<UserRow> users;  // by user_id
  std::vector<HugeVector<int64_t>> times;
  PlayRuns plays;
  uint64_t events = 0, duplicates = 0;
};
// `wide`: reduce as wide events, as files.any_wide() requires; ranks that exchange plays must all
// pass the same (wide if any rank's files are).
EventReduce ReduceEvents(EventRuns files, int threads, bool wide);

// users, one unpartitioned file; its batch is built when written, so `profiles` must outlive
// the table's batch_of.
TableData BuildUsersTable(std::vector<UserRow> users, const ProfilePool& profiles);

// time and songplays, partitioned by year/month, from sorted runs; songplays are numbered from
// first_songplay_id in PlayOrder.
struct MonthTables {
  TableData time, songplays;
};
MonthTables BuildMonthTables(std::vector<HugeVector<int64_t>> time_runs, PlayRuns play_runs, int64_t first_songplay_id,
                             const ProfilePool& profiles, const SongRefs& songs, int threads);

struct EventTables {
  TableData users, time, songplays;
  uint64_t events = 0;      // distinct events after deduplication
  uint64_t duplicates = 0;  // events dropped as repeats of an identity seen in an earlier file
};

// `files` (consumed) are vectors that went through SortFileEvents; events carry ids into
// `profiles` and song indices into `songs`, which must outlive the returned tables' batch_of.
EventTables BuildEventTables(EventRuns files, const ProfilePool& profiles, const SongRefs& songs, int threads);

}  // namespace lakeforge
