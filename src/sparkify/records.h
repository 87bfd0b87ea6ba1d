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
// the 8 bytes of file and line are left behind, and a file whose every event fits a NarrowEvent
// keeps them as NarrowEvents instead.
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

// A kept event in 24 bytes instead of 40, as every log we have seen fits: user and session ids in
// 32 bits, itemInSession in 16, ts in 48 (±4,400 years around 1970 in milliseconds); a file with
// any event that does not fit keeps wide events. Each narrow null sentinel is its width's least
// value (kNull32, kNull16), as kNull is the least int64, so narrow fields order exactly as the
// wide ones do (IdentityOrder and PlayOrder compare them as they are); a kept ts is never null
// (an event without one is rejected). Every bit is a field: the ranks exchange these as bytes.
inline constexpr int32_t kNull32 = INT32_MIN;
inline constexpr int16_t kNull16 = INT16_MIN;

struct NarrowEvent {
  int64_t ts : 48;
  int64_t item : 16;
  int32_t user_id;
  int32_t session_id;
  int32_t song;
  uint32_t profile;

  static constexpr int64_t kMinTs = -(int64_t{1} << 47), kMaxTs = (int64_t{1} << 47) - 1;

  static bool Fits(const Event& e) {
    return e.ts >= kMinTs && e.ts <= kMaxTs && FitsField(e.user_id) && FitsField(e.session_id) && FitsItem(e.item);
  }
  // Requires Fits(e).
  static NarrowEvent Of(const Event& e) {
    return {.ts = e.ts,
            .item = e.item == kNull ? kNull16 : e.item,
            .user_id = Narrow(e.user_id),
            .session_id = Narrow(e.session_id),
            .song = e.song,
            .profile = e.profile};
  }
  KeptEvent Wide() const {
    return {.ts = ts,
            .user_id = Widen(user_id),
            .session_id = Widen(session_id),
            .item = item == kNull16 ? kNull : item,
            .song = song,
            .profile = profile};
  }

  // The identity order (user, session, item, then ts: the reduce's) as one unsigned integer: each
  // field offset so that unsigned order is the signed one (the null sentinels, least values, stay
  // least). A merge then compares one integer instead of four fields.
  unsigned __int128 IdentityKey() const {
    return static_cast<unsigned __int128>(Offset32(user_id) << 32 | Offset32(session_id)) << 64 |
           (OffsetItem() << 48 | OffsetTs());
  }
  // PlayOrder (ts, user, session, item) as one unsigned integer, the same way.
  unsigned __int128 PlayKey() const {
    return static_cast<unsigned __int128>(OffsetTs() << 16 | Offset32(user_id) >> 16) << 64 |
           ((Offset32(user_id) & 0xFFFF) << 48 | Offset32(session_id) << 16 | OffsetItem());
  }

  // A narrow null sentinel stands for kNull, so it cannot stand for itself.
  static bool FitsField(int64_t v) { return v == kNull || (v > INT32_MIN && v <= INT32_MAX); }
  static bool FitsItem(int64_t v) { return v == kNull || (v > INT16_MIN && v <= INT16_MAX); }
  static int32_t Narrow(int64_t v) { return v == kNull ? kNull32 : static_cast<int32_t>(v); }
  static int64_t Widen(int32_t v) { return v == kNull32 ? kNull : v; }

 private:
  // The fields as unsigned integers of their widths, in their signed order (for the keys above).
  static uint64_t Offset32(int32_t v) { return static_cast<uint32_t>(v) ^ 0x80000000u; }
  uint64_t OffsetItem() const { return static_cast<uint16_t>(item) ^ 0x8000u; }
  uint64_t OffsetTs() const { return static_cast<uint64_t>(static_cast<int64_t>(ts) - kMinTs); }  // below 2^48
};
static_assert(sizeof(NarrowEvent) == 24);

// An event's user id as the tables have it (kNull for none), whichever way it is kept.
inline int64_t UserIdOf(const Event& e) { return e.user_id; }
inline int64_t UserIdOf(const KeptEvent& e) { return e.user_id; }
inline int64_t UserIdOf(const NarrowEvent& e) { return NarrowEvent::Widen(e.user_id); }
inline KeptEvent WideOf(const KeptEvent& e) { return e; }
inline KeptEvent WideOf(const NarrowEvent& e) { return e.Wide(); }

}  // namespace lakeforge
