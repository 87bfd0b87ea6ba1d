// The records the ETL's map stage extracts from raw JSON, and the rejected-record type.
//
// Nulls in integer keys are the sentinel kNull (INT64_MIN), which also makes them sort first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lakeforge {

inline constexpr int64_t kNull = INT64_MIN;

// A parsed optional string (a view into the input buffer) as an owned one.
inline std::optional<std::string> ToOwned(std::optional<std::string_view> s) {
  if (!s) return std::nullopt;
  return std::string(*s);
}

// Why a record was quarantined. The summary counts rejects per reason.
enum class RejectReason {
  kMalformedJson,
  kInvalidUtf8,
  kNotAnObject,
  kMissingField,
  kWrongType,
  kNonNumericUserId,
  kEmptyFile,
  kUnreadableFile,
  kPartitionValueTooLong,  // a partition folder name over 255 bytes: no file system can hold it
  kRecordTooLarge,         // a line over --max-record-bytes
};
inline constexpr int kRejectReasonCount = 10;
const char* RejectReasonName(RejectReason r);

struct Reject {
  uint32_t file;  // index into the sorted input list
  uint32_t line;
  RejectReason reason;
  std::string error;   // full message, e.g. "wrong type for ts: expected integer, got string"
  std::string record;  // the raw text of the record
};

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

}  // namespace lakeforge
