// The ETL's map stage for one input file: raw JSON -> validated SongRecords or NextSong Events,
// with every bad record turned into a Reject (never an abort). One RecordParser per thread: it owns
// a reusable simdjson parser.
//
// Validation rules (the README's "Bad input" section is the user-facing copy):
//  songs: song_id and artist_id must be non-empty strings; title, artist_name, artist_location are
//         strings or null; duration, artist_latitude, artist_longitude numbers or null; year an
//         integer (fits INT32) or null.
//  logs:  a line whose page is not "NextSong" is filtered out (it is valid input, not an event).
//         For NextSong: ts an integer; userId a string of 1-18 digits, "" (anonymous: null user) or
//         an integer; sessionId and itemInSession integers or null; artist, song, firstName,
//         lastName, gender, level, location, userAgent strings or null; length a number or null.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/parallel.h"
#include "formats/json/documents.h"
#include "formats/json/flat_objects.h"
#include "sparkify/profile_pool.h"
#include "sparkify/records.h"
#include "sparkify/song_index.h"

namespace lakeforge {

// One per thread, written per line: see kCacheLineBytes.
struct alignas(kCacheLineBytes) LogFileResult {
  std::vector<Event> events;  // in line order; profile ids are ids in the ProfilePool
  uint64_t lines = 0;
  uint64_t filtered = 0;  // valid lines whose page is not NextSong
};

// One per thread (its profile cache is written per miss): aligned, see kCacheLineBytes.
class alignas(kCacheLineBytes) RecordParser {
 public:
  void ParseSongFile(std::string_view data, uint32_t file, std::vector<SongRecord>* out, std::vector<Reject>* rejects);
  // Appends to out->events and adds to the counts; interns profiles into `profiles`.
  void ParseLogFile(std::string_view data, uint32_t file, const SongIndex& songs, ProfilePool& profiles,
                    LogFileResult* out, std::vector<Reject>* rejects);
  // The same for a file read in pieces of whole lines (ReadInputLines): one call per piece, whose
  // first line is line `first_line` of the file, then EndLogFile with the file's count of records.
  // Returns the number of lines in the piece.
  uint32_t ParseLogLines(std::string_view lines, uint32_t first_line, uint32_t file, const SongIndex& songs,
                         ProfilePool& profiles, LogFileResult* out, std::vector<Reject>* rejects);
  // A log file without a single non-blank line is one reject.
  static void EndLogFile(uint32_t file, uint64_t records, std::vector<Reject>* rejects);
  // A song file too large to be one record, read in pieces of whole lines (ReadSongInput).
  uint32_t ParseSongLines(std::string_view lines, uint32_t first_line, uint32_t file, std::vector<SongRecord>* out,
                          std::vector<Reject>* rejects);
  // A record over the size limit ("record too large", with its first bytes): `text` is all of it
  // or just its head (a line the reader would not hold whole).
  void RejectTooLarge(uint32_t file, uint32_t line, uint64_t bytes, std::string_view text,
                      std::vector<Reject>* rejects) const;

  // Records longer than this are rejected as "record too large" (kDefaultMaxRecordBytes).
  void set_max_record_bytes(uint64_t bytes) { max_record_bytes_ = bytes; }
  uint64_t max_record_bytes() const { return max_record_bytes_; }
  // Log lines are read by json::FlatObjectLines: simdjson's stage 1 runs once over the whole
  // piece, then each line that is one flat object is validated and decoded in one pass over its
  // structural characters; any other line (malformed, several values, nested values, not an
  // object, a number or escape that reader leaves alone) is parsed alone by simdjson's DOM, which
  // decides what is rejected and why.
  // false: always one DOM parse per line (the reference the tests and the fuzzer compare with).
  void set_stream_parsing(bool on) { stream_parsing_ = on; }

 private:
  void ParseSongDocument(json::Document d, uint32_t file, std::vector<SongRecord>* out, std::vector<Reject>* rejects);
  // Parses one document; on failure (too large, malformed, not an object) appends a Reject and
  // returns false.
  bool Parse(std::string_view text, uint32_t file, uint32_t line, simdjson::dom::object* obj,
             std::vector<Reject>* rejects);

  // The fields of one valid log record -> an event, a filtered line or a reject. `members(fn)`
  // calls fn(key, json::Scalar) for each member of the record, in order.
  template <typename ForEachMember>
  void ParseLogRecord(json::Document d, ForEachMember&& members, uint32_t file, const SongIndex& songs,
                      ProfilePool& profiles, LogFileResult* out, std::vector<Reject>* rejects);

  simdjson::dom::parser parser_;
  json::FlatObjectLines flat_lines_;  // reads the pieces' lines (set_stream_parsing)
  bool stream_parsing_ = true;
  ProfileCache profile_cache_;
  ProfileView log_profile_;            // the profile strings of the log record being read (ParseLogRecord)
  std::vector<uint32_t> profile_ids_;  // a piece's staged profiles -> pool ids
  // Whether this piece's profiles are staged (ProfileCache::Stage) or interned line by line, and
  // the choice for the next piece, from how this one's users ran (ParseLogLines).
  bool staging_ = true, stage_next_piece_ = true;
  uint64_t max_record_bytes_ = uint64_t{16} << 20;
};

}  // namespace lakeforge
