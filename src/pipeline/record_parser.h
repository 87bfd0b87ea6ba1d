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
#include <unordered_map>
#include <vector>

#include "pipeline/records.h"

namespace lakeforge {

// The join index: (title, artist_name, duration) -> index of the song with the smallest song_id.
class SongIndex {
 public:
  void Add(std::string_view title, std::string_view artist, double duration, int32_t song, const std::string& song_id,
           const std::vector<std::string>& song_ids);
  int32_t Find(std::string_view title, std::string_view artist, double duration) const;
  size_t size() const { return map_.size(); }

 private:
  static std::string Key(std::string_view title, std::string_view artist, double duration);
  std::unordered_map<std::string, int32_t> map_;
};

struct LogFileResult {
  std::vector<Event> events;      // profile ids are local to this file until merged
  std::vector<Profile> profiles;  // local profile pool
  uint64_t lines = 0;
  uint64_t filtered = 0;  // valid lines whose page is not NextSong
};

class RecordParser {
 public:
  void ParseSongFile(std::string_view data, uint32_t file, std::vector<SongRecord>* out, std::vector<Reject>* rejects);
  void ParseLogFile(std::string_view data, uint32_t file, const SongIndex& songs, LogFileResult* out,
                    std::vector<Reject>* rejects);

 private:
  // Parses one document; on failure appends a Reject and returns false.
  bool Parse(std::string_view text, uint32_t file, uint32_t line, simdjson::dom::object* obj,
             std::vector<Reject>* rejects);

  simdjson::dom::parser parser_;
  std::unordered_map<std::string, uint32_t> profile_ids_;
  std::string key_scratch_;
};

}  // namespace lakeforge
