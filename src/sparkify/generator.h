// `lakeforge generate`: writes a realistic raw lake in the shape of the Million Song / Sparkify
// sample, at any scale, deterministically for a given seed:
//   song_data/X/Y/Z/TRXYZ....json                 one pretty-flat JSON object per file
//   log_data/YYYY/MM/YYYY-MM-DD-events.json       NDJSON, one file per day, no trailing newline
// Users and songs are skewed (a few are very popular); about 60% of NextSong events match a song
// by title + artist + duration, the rest do not; a small share of events are repeats of an
// identity (as when a log shipper retries); about 2% of artists are named by a number, which their
// song files store as a JSON number ("artist_name": 112) as the real Million Song files do. At
// dirty_rate, lines and files are damaged the ways real lakes are: malformed or truncated JSON,
// wrong types, missing key fields, non-numeric userIds, invalid UTF-8, empty files, and numbers or
// booleans in string fields (valid: kept as their text); plus stray .ipynb_checkpoints copies the
// readers must skip. Damage draws from its own random streams, so a lake generated with the same
// seed and no damage differs from a damaged one in exactly the damaged records.
#pragma once

#include <cstdint>
#include <string>

#include "io/file_system.h"

namespace lakeforge {

struct GenerateOptions {
  std::string output;
  uint64_t songs = 1000;
  uint64_t events = 10000;
  uint64_t seed = 1;
  double dirty_rate = 0.0;
  int threads = 0;
  uint64_t days = 0;  // log files (one per day from 2018-11-01); 0: events / 20000, within 30..365
};

struct GenerateReport {
  uint64_t song_files = 0, log_files = 0, bytes = 0, events = 0, dirty_records = 0;
};

GenerateReport GenerateLake(FileSystem& fs, const GenerateOptions& options);

}  // namespace lakeforge
