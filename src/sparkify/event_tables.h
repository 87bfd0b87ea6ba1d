// The reduce stage for log events: users, time and songplays (semantics in star_schema.h).
//
// The events are never gathered into one array. Map threads hand over one vector per input file,
// sorted by identity and free of in-file repeats (SortFileEvents, run while the file is still in
// cache). BuildEventTables cuts the user-id axis into ranges from a sample; each range gathers its
// slice of every file, sorts it, drops cross-file repeats and yields its users rows, its distinct
// timestamps and its plays, the last two sorted by time. A time or songplays partition
// (year/month) is built on demand from that month's slice of every range, when it is written.
// The output does not depend on the number of ranges or threads: every order used is total.
#pragma once

#include <cstdint>
#include <vector>

#include "sparkify/profile_pool.h"
#include "sparkify/records.h"
#include "sparkify/star_schema.h"

namespace lakeforge {

// Sorts one file's events by identity (user, session, item, then ts, line) and keeps the first of
// each identity. Returns the number of events dropped.
uint64_t SortFileEvents(std::vector<Event>* events);

struct EventTables {
  TableData users, time, songplays;
  uint64_t events = 0;      // distinct events after deduplication
  uint64_t duplicates = 0;  // events dropped as repeats of an identity seen in an earlier file
};

// `files` (consumed) are vectors that went through SortFileEvents; events carry ids into
// `profiles` and song indices into `songs`, which must outlive the returned tables' batch_of.
EventTables BuildEventTables(std::vector<std::vector<Event>> files, const ProfilePool& profiles, const SongRefs& songs,
                             int threads);

}  // namespace lakeforge
