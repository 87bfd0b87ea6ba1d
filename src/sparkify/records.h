// The records the ETL's map stage extracts from raw JSON (rejected records: warehouse/reject.h).
//
// Nulls in integer keys are the sentinel kNull (INT64_MIN), which also makes them sort first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "warehouse/reject.h"

namespace lakeforge {

inline constexpr int64_t kNull = INT64_MIN;

// A parsed optional string (a view into the input buffer) as an owned one.
inline std::optional<std::string> ToOwned(std::optional<std::string_view> s) {
  if (!s) return std::nullopt;
  return std::string(*s);
}

struct SongRecord {
  std::string song_id;
  std::string artist_id;
  std::optional<std::string> title;
  std::optional<std::string> artist_name;
  std::optional<std::string> artist_location;
  std::optional<double> artist_latitude;
  std::optional<double> artist_longitude;
  std::optional<double> duration;
  std::optional<int32_t> year;
  uint32_t file;
  uint32_t line;
};

struct Event {
  int64_t ts;
  int64_t user_id;     // kNull for an empty userId
  int64_t session_id;  // kNull when absent
  int64_t item;        // itemInSession, kNull when absent
  int32_t song;        // index of the matched song in the songs table, -1 for no match
  uint32_t profile;    // id in the run's ProfilePool
  uint32_t file;
  uint32_t line;
};
static_assert(sizeof(Event) == 48);

// An event as the reduce keeps it, once its file's repeats are gone (SortFileEvents): its file is
// the run it is in (runs are kept in file order) and its line no longer decides anything. Every
// byte of a kept event is memory the run touches for the first time (see base/huge_pages.h), so
// the 8 bytes of file and line are left behind.
struct KeptEvent {
  int64_t ts;
  int64_t user_id;
  int64_t session_id;
  int64_t item;
  int32_t song;
  uint32_t profile;
  static KeptEvent Of(const Event& e) {
    return {.ts = e.ts,
            .user_id = e.user_id,
            .session_id = e.session_id,
            .item = e.item,
            .song = e.song,
            .profile = e.profile};
  }
};
static_assert(sizeof(KeptEvent) == 40);

}  // namespace lakeforge
