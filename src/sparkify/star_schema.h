// The reduce stage of the ETL: validated records -> the five star-schema tables, each as a list of
// (partition folder, record batch) in a deterministic order that does not depend on thread count.
//
// Semantics (also in the README):
//  songs     one row per song_id, the first record in (file path, line) order; by year/artist_id.
//  artists   one row per artist_id, the most complete record (non-null latitude, non-null longitude,
//            non-empty location), ties to the first in (file path, line) order.
//  events    NextSong rows deduplicated on (userId, sessionId, itemInSession), earliest ts wins
//            (then file path, line).
//  users     one row per non-null user, from the latest event by (ts, sessionId, itemInSession).
//  time      one row per distinct event ts; by year/month.
//  songplays events inner-joined to songs on title, artist name and duration (smallest song_id
//            wins), numbered 1..N by (ts, user_id, session_id, itemInSession); by year/month.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sparkify/records.h"
#include "table/column.h"
#include "warehouse/table_data.h"

namespace lakeforge {

void AppendOptional(Column& c, const std::optional<std::string_view>& v);
void AppendOptional(Column& c, const std::optional<double>& v);

// Song records by reference: the map stage's per-file results own them for the whole run, so the
// reduce sorts and picks pointers instead of copying records with their strings.
using SongRefs = std::vector<const SongRecord*>;

// Songs deduplicated by song_id (first in file/line order), sorted by song_id.
SongRefs DedupeSongs(SongRefs records, int threads);

// Partitions are built when written; the records must outlive the table.
TableData BuildSongsTable(SongRefs songs, int threads);
TableData BuildArtistsTable(SongRefs records, int threads);

}  // namespace lakeforge
