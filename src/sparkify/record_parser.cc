// Field extraction and validation for song and log records; rules in record_parser.h.
#include "sparkify/record_parser.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <span>

#include "formats/input_file.h"
#include "formats/json/documents.h"
#include "warehouse/hive_path.h"

namespace lakeforge {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

const char* TypeName(element_type t) {
  switch (t) {
    case element_type::ARRAY: return "array";
    case element_type::OBJECT: return "object";
    case element_type::INT64:
    case element_type::UINT64: return "integer";
    case element_type::DOUBLE: return "number";
    case element_type::STRING: return "string";
    case element_type::BOOL: return "boolean";
    case element_type::NULL_VALUE: return "null";
  }
  return "?";
}

// Collects the first field error of a record.
struct FieldErrors {
  RejectReason reason{};
  std::string message;
  bool failed = false;

  void WrongType(std::string_view field, const char* expected, element_type got) {
    if (failed) return;
    failed = true;
    reason = RejectReason::kWrongType;
    message = "wrong type for " + std::string(field) + ": expected " + expected + ", got " + TypeName(got);
  }
  void Missing(std::string_view field) {
    if (failed) return;
    failed = true;
    reason = RejectReason::kMissingField;
    message = "missing key field " + std::string(field);
  }
  // The record, quarantined with the first error.
  void Reject(uint32_t file, const json::Document& d, std::vector<lakeforge::Reject>* rejects) {
    rejects->push_back(
        {.file = file, .line = d.line, .reason = reason, .error = std::move(message), .record = std::string(d.text)});
  }
  void Fail(RejectReason r, std::string msg) {
    if (failed) return;
    failed = true;
    reason = r;
    message = std::move(msg);
  }
};

using json::Scalar;

// A DOM member's value as a Scalar (its source text is not kept: MemberValueText finds it when
// needed). Objects and arrays keep only their type.
Scalar ScalarOf(element v) {
  Scalar s;
  s.type = v.type();
  switch (s.type) {
    case element_type::STRING: s.text = v.get_string().value_unsafe(); break;
    case element_type::INT64: s.i = v.get_int64().value_unsafe(); break;
    case element_type::UINT64: s.u = v.get_uint64().value_unsafe(); break;
    case element_type::DOUBLE: s.d = v.get_double().value_unsafe(); break;
    case element_type::BOOL: s.b = v.get_bool().value_unsafe(); break;
    default: break;
  }
  return s;
}

// The members of a DOM object, for ParseLogRecord.
auto DomMembers(simdjson::dom::object obj) {
  return [obj](auto&& on_member) {
    for (auto field : obj) on_member(field.key, ScalarOf(field.value));
  };
}

// The members FlatObjectLines read, for ParseLogRecord.
auto FlatMembers(std::span<const json::ScalarMember> members) {
  return [members](auto&& on_member) {
    for (const json::ScalarMember& m : members) on_member(m.key, m.value);
  };
}

// Where a field's value stands in the record's text: the document and the member's position.
struct Member {
  std::string_view doc;
  size_t index;
};

// A string, or a number or boolean kept as the exact characters of the file (`"artist_name": 112`
// is the text "112", as Spark's and DuckDB's string columns keep it). Objects and arrays are
// corrupt records. The common case (a string) inline; the rest out of line.
void GetOtherString(const Scalar& v, std::string_view field, Member m, std::optional<std::string_view>* out,
                    FieldErrors* errs) {
  switch (v.type) {
    case element_type::NULL_VALUE: break;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
    case element_type::BOOL: *out = v.text.empty() ? json::MemberValueText(m.doc, m.index) : v.text; break;
    default: errs->WrongType(field, "string", v.type);
  }
}

inline void GetString(const Scalar& v, std::string_view field, Member m, std::optional<std::string_view>* out,
                      FieldErrors* errs) {
  if (v.type == element_type::STRING) [[likely]]
    *out = v.text;
  else
    GetOtherString(v, field, m, out, errs);
}

void GetOtherNumber(const Scalar& v, std::string_view field, std::optional<double>* out, FieldErrors* errs) {
  switch (v.type) {
    case element_type::INT64: *out = static_cast<double>(v.Int()); break;
    case element_type::UINT64: *out = static_cast<double>(v.u); break;
    case element_type::NULL_VALUE: break;
    default: errs->WrongType(field, "number", v.type);
  }
}

inline void GetNumber(const Scalar& v, std::string_view field, std::optional<double>* out, FieldErrors* errs) {
  if (v.type == element_type::DOUBLE) [[likely]]
    *out = v.Double();
  else
    GetOtherNumber(v, field, out, errs);
}

void NotAnInt(const Scalar& v, std::string_view field, FieldErrors* errs) {
  if (v.type != element_type::NULL_VALUE) errs->WrongType(field, "integer", v.type);
}

// Integers only (a JSON number without fraction or exponent) that fit int64 and are not kNull.
inline void GetInt(const Scalar& v, std::string_view field, int64_t* out, FieldErrors* errs) {
  if (v.type == element_type::INT64) [[likely]] {
    if (int64_t i = v.Int(); i != kNull) {
      *out = i;
      return;
    }
  }
  NotAnInt(v, field, errs);
}

}  // namespace

bool RecordParser::Parse(std::string_view text, uint32_t file, uint32_t line, simdjson::dom::object* obj,
                         std::vector<Reject>* rejects) {
  if (text.size() > max_record_bytes_) {
    RejectTooLarge(file, line, text.size(), text, rejects);
    return false;
  }
  element doc;
  auto err = parser_.parse(text.data(), text.size(), false).get(doc);
  if (err) {
    RejectReason reason = err == simdjson::UTF8_ERROR ? RejectReason::kInvalidUtf8 : RejectReason::kMalformedJson;
    std::string msg =
        err == simdjson::UTF8_ERROR ? "invalid UTF-8" : std::string("malformed JSON: ") + simdjson::error_message(err);
    rejects->push_back(
        {.file = file, .line = line, .reason = reason, .error = std::move(msg), .record = std::string(text)});
    return false;
  }
  if (doc.type() != element_type::OBJECT) {
    rejects->push_back({.file = file,
                        .line = line,
                        .reason = RejectReason::kNotAnObject,
                        .error = std::string("not a JSON object: got ") + TypeName(doc.type()),
                        .record = std::string(text)});
    return false;
  }
  *obj = doc.get_object().value_unsafe();
  return true;
}

void RecordParser::ParseSongDocument(json::Document d, uint32_t file, std::vector<SongRecord>* out,
                                     std::vector<Reject>* rejects) {
  simdjson::dom::object obj;
  if (!Parse(d.text, file, d.line, &obj, rejects)) return;
  FieldErrors errs;
  std::optional<std::string_view> song_id, artist_id, title, artist_name, location;
  SongRecord rec;
  Member m{d.text, 0};
  for (auto field : obj) {
    std::string_view k = field.key;
    Scalar v = ScalarOf(field.value);
    if (k == "song_id")
      GetString(v, k, m, &song_id, &errs);
    else if (k == "artist_id")
      GetString(v, k, m, &artist_id, &errs);
    else if (k == "title")
      GetString(v, k, m, &title, &errs);
    else if (k == "artist_name")
      GetString(v, k, m, &artist_name, &errs);
    else if (k == "artist_location")
      GetString(v, k, m, &location, &errs);
    else if (k == "artist_latitude")
      GetNumber(v, k, &rec.artist_latitude, &errs);
    else if (k == "artist_longitude")
      GetNumber(v, k, &rec.artist_longitude, &errs);
    else if (k == "duration")
      GetNumber(v, k, &rec.duration, &errs);
    else if (k == "year") {
      int64_t y = kNull;
      GetInt(v, k, &y, &errs);
      if (y != kNull && (y < INT32_MIN || y > INT32_MAX)) errs.WrongType(k, "integer within INT32", v.type);
      if (y != kNull) rec.year = static_cast<int32_t>(y);
    }
    ++m.index;
  }
  if (!errs.failed && (!song_id || song_id->empty())) errs.Missing("song_id");
  if (!errs.failed && (!artist_id || artist_id->empty())) errs.Missing("artist_id");
  if (!errs.failed) {
    // The songs table is partitioned by artist_id: its folder name must fit a path segment.
    size_t name = HivePartitionDir("artist_id", *artist_id).size();
    if (name > kMaxFolderNameBytes)
      errs.Fail(RejectReason::kPartitionValueTooLong,
                "partition value too long: artist_id makes the folder name 'artist_id=…' " + std::to_string(name) +
                    " bytes long; file systems allow " + std::to_string(kMaxFolderNameBytes));
  }
  if (errs.failed) {
    errs.Reject(file, d, rejects);
    return;
  }
  rec.song_id.assign(*song_id);
  rec.artist_id.assign(*artist_id);
  rec.title = ToOwned(title);
  rec.artist_name = ToOwned(artist_name);
  rec.artist_location = ToOwned(location);
  rec.file = file;
  rec.line = d.line;
  out->push_back(std::move(rec));
}

uint32_t RecordParser::ParseSongLines(std::string_view lines, uint32_t first_line, uint32_t file,
                                      std::vector<SongRecord>* out, std::vector<Reject>* rejects) {
  return json::ForEachLine(
      lines, [&](json::Document d) { ParseSongDocument(d, file, out, rejects); }, first_line);
}

void RecordParser::RejectTooLarge(uint32_t file, uint32_t line, uint64_t bytes, std::string_view text,
                                  std::vector<Reject>* rejects) const {
  rejects->push_back({.file = file,
                      .line = line,
                      .reason = RejectReason::kRecordTooLarge,
                      .error = "record too large: " + std::to_string(bytes) + " bytes, over the limit of " +
                               std::to_string(max_record_bytes_) + " (--max-record-bytes); its first " +
                               std::to_string(std::min<uint64_t>(bytes, kOversizedHeadBytes)) + " bytes are kept",
                      .record = OversizedHead(text)});
}

void RecordParser::ParseSongFile(std::string_view data, uint32_t file, std::vector<SongRecord>* out,
                                 std::vector<Reject>* rejects) {
  auto one = [&](json::Document d) { ParseSongDocument(d, file, out, rejects); };
  size_t first = data.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    rejects->push_back({.file = file,
                        .line = 0,
                        .reason = RejectReason::kEmptyFile,
                        .error = "empty file: expected at least one JSON record",
                        .record = ""});
    return;
  }
  if (json::DetectShape(data) != json::FileShape::kSingleDocument) {
    json::ForEachLine(data, one);
    return;
  }
  // The first line opens a document it does not close: a pretty-printed object, or line-delimited
  // records whose first line is truncated. When the whole file is no valid document but some of its
  // lines are valid records, it is the latter: one bad line costs one record, as Spark reads it.
  size_t songs_before = out->size(), rejects_before = rejects->size();
  size_t last = data.find_last_not_of(" \t\r\n");
  one(json::Document{data.substr(first, last + 1 - first), json::LineOf(data, first)});
  bool unparsable =
      rejects->size() > rejects_before && ((*rejects)[rejects_before].reason == RejectReason::kMalformedJson ||
                                           (*rejects)[rejects_before].reason == RejectReason::kInvalidUtf8);
  if (!unparsable) return;
  std::vector<SongRecord> line_songs;
  std::vector<Reject> line_rejects;
  std::swap(*out, line_songs);
  std::swap(*rejects, line_rejects);
  json::ForEachLine(data, one);
  std::swap(*out, line_songs);
  std::swap(*rejects, line_rejects);
  if (line_songs.empty()) return;  // no line stands on its own: one malformed document
  out->resize(songs_before);
  rejects->resize(rejects_before);
  std::move(line_songs.begin(), line_songs.end(), std::back_inserter(*out));
  std::move(line_rejects.begin(), line_rejects.end(), std::back_inserter(*rejects));
}

void RecordParser::EndLogFile(uint32_t file, uint64_t records, std::vector<Reject>* rejects) {
  if (records == 0)
    rejects->push_back({.file = file,
                        .line = 0,
                        .reason = RejectReason::kEmptyFile,
                        .error = "empty file: expected at least one JSON record",
                        .record = ""});
}

void RecordParser::ParseLogFile(std::string_view data, uint32_t file, const SongIndex& songs, ProfilePool& profiles,
                                LogFileResult* out, std::vector<Reject>* rejects) {
  uint64_t before = out->lines;
  ParseLogLines(data, 1, file, songs, profiles, out, rejects);
  EndLogFile(file, out->lines - before, rejects);
}

template <typename ForEachMember>
void RecordParser::ParseLogRecord(json::Document d, ForEachMember&& members, uint32_t file, const SongIndex& songs,
                                  ProfilePool& profiles, LogFileResult* out, std::vector<Reject>* rejects) {
  FieldErrors errs;
  std::optional<std::string_view> page, artist, song;
  // The parser's own, its six parts cleared one by one: a fresh local was 144 bytes zeroed by a
  // `rep stos` per line, whose start-up cost was ~0.1 s of CPU over 10M lines.
  ProfileView& prof = log_profile_;
  for (auto* part : prof.parts()) part->reset();
  std::optional<double> length;
  Event ev{kNull, kNull, kNull, kNull, -1, 0, file, d.line};
  bool has_ts = false, has_user = false;
  Scalar user_value;
  size_t user_member = 0;
  Member m{d.text, 0};
  members([&](std::string_view k, const Scalar& v) {
    switch (k.size()) {
      case 2:
        if (k == "ts") {
          has_ts = v.type != element_type::NULL_VALUE;
          GetInt(v, k, &ev.ts, &errs);
        }
        break;
      case 4:
        if (k == "page")
          GetString(v, k, m, &page, &errs);
        else if (k == "song")
          GetString(v, k, m, &song, &errs);
        break;
      case 6:
        if (k == "artist")
          GetString(v, k, m, &artist, &errs);
        else if (k == "length")
          GetNumber(v, k, &length, &errs);
        else if (k == "gender")
          GetString(v, k, m, &prof.gender, &errs);
        else if (k == "userId") {
          has_user = v.type != element_type::NULL_VALUE;
          user_value = v;
          user_member = m.index;
        }
        break;
      case 5:
        if (k == "level") GetString(v, k, m, &prof.level, &errs);
        break;
      case 8:
        if (k == "lastName")
          GetString(v, k, m, &prof.last_name, &errs);
        else if (k == "location")
          GetString(v, k, m, &prof.location, &errs);
        break;
      case 9:
        if (k == "firstName")
          GetString(v, k, m, &prof.first_name, &errs);
        else if (k == "sessionId")
          GetInt(v, k, &ev.session_id, &errs);
        else if (k == "userAgent")
          GetString(v, k, m, &prof.user_agent, &errs);
        break;
      case 13:
        if (k == "itemInSession") GetInt(v, k, &ev.item, &errs);
        break;
      default: break;
    }
    ++m.index;
  });
  // Only NextSong events are input to the tables; other pages are filtered, valid or not.
  if (!page || *page != "NextSong") {
    ++out->filtered;
    return;
  }
  if (!errs.failed && !has_ts) errs.Missing("ts");
  if (!errs.failed && !has_user) errs.Missing("userId");
  if (!errs.failed) {
    std::optional<std::string_view> user_text;
    const int64_t user_int = user_value.type == element_type::INT64 ? user_value.Int() : kNull;
    if (user_int != kNull) {
      ev.user_id = user_int;
    } else if (user_value.type == element_type::OBJECT || user_value.type == element_type::ARRAY) {
      errs.WrongType("userId", "string of digits or integer", user_value.type);
    } else {
      // A string, or another number or a boolean as its text: both must be digits.
      GetString(user_value, "userId", Member{d.text, user_member}, &user_text, &errs);
      std::string_view s = user_text.value_or("");
      bool digits = s.size() <= 18;
      for (char c : s) digits = digits && c >= '0' && c <= '9';
      if (!digits) {
        errs.Fail(RejectReason::kNonNumericUserId,
                  "non-numeric userId: expected 1 to 18 digits, got \"" + std::string(s.substr(0, 40)) + "\"");
      } else if (!s.empty()) {
        int64_t u = 0;
        for (char c : s) u = u * 10 + (c - '0');
        ev.user_id = u;
      }
    }
  }
  if (errs.failed) {
    errs.Reject(file, d, rejects);
    return;
  }
  // Hash the join key and fetch its slot while the profile is interned.
  bool joinable = song && artist && length;
  uint64_t hash = joinable ? SongIndex::Hash(*song, *artist, *length) : 0;
  if (joinable) songs.Prefetch(hash);
  // Staged, a profile id is a staged index until ParseLogLines resolves the piece.
  ev.profile = staging_ ? profile_cache_.Stage(ev.user_id, prof) : profile_cache_.Intern(profiles, ev.user_id, prof);
  if (joinable) ev.song = songs.Find(hash, *song, *artist, *length);
  out->events.push_back(ev);
}

uint32_t RecordParser::ParseLogLines(std::string_view lines, uint32_t first_line, uint32_t file, const SongIndex& songs,
                                     ProfilePool& profiles, LogFileResult* out, std::vector<Reject>* rejects) {
  // The piece's lines are read by FlatObjectLines (stage 1 once for the piece, then one pass over
  // each line's structurals); a line it does not vouch for is parsed alone by simdjson's DOM,
  // which decides whether it is rejected and why.
  const bool indexed = stream_parsing_ && flat_lines_.Index(lines);
  profile_cache_.DiscardStaged();
  staging_ = stage_next_piece_;
  const size_t first_event = out->events.size();
  uint32_t lines_seen = json::ForEachLine(
      lines,
      [&](json::Document d) {
        ++out->lines;
        if (indexed && d.text.size() <= max_record_bytes_ && flat_lines_.Read(d.text)) {
          ParseLogRecord(d, FlatMembers(flat_lines_.members()), file, songs, profiles, out, rejects);
          return;
        }
        simdjson::dom::object obj;
        if (Parse(d.text, file, d.line, &obj, rejects))
          ParseLogRecord(d, DomMembers(obj), file, songs, profiles, out, rejects);
      },
      first_line);
  std::span<Event> events(out->events.data() + first_event, out->events.size() - first_event);
  // How many profiles staging stages: one per run of events with one user and one profile.
  size_t runs = 0;
  if (staging_) {
    runs = profile_cache_.staged();
    profile_cache_.Resolve(profiles, &profile_ids_);
    for (Event& e : events) e.profile = profile_ids_[e.profile];
  } else {
    for (size_t i = 0; i < events.size(); ++i)
      runs += i == 0 || events[i].user_id != events[i - 1].user_id || events[i].profile != events[i - 1].profile;
  }
  // Staging pays when a user's lines come in runs (the cold lookups it batches are one per run);
  // when most lines change user (logs whose sessions interleave), the copy into the stage costs
  // more than the batching saves, and the users of a piece are few enough to stay cached.
  if (!events.empty()) stage_next_piece_ = 2 * runs <= events.size();
  return lines_seen;
}

}  // namespace lakeforge
