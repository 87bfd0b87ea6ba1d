// `lakeforge etl`: raw song and log JSON -> the five star-schema tables as Parquet.
//
// Plan (map -> shuffle -> reduce; with several ranks each stage runs on every rank, see below):
//   1. list inputs (fails with Error::Io before any output is touched);
//   2. map song files in parallel -> SongRecords; reduce -> songs, artists, the join index;
//   3. map log files in parallel, each read in 1 MiB pieces of whole lines -> NextSong Events
//      (joined to songs as they are read), each file's events sorted by identity and deduped in
//      the map;
//   4. shuffle events by user range (merging the files' sorted slices), reduce -> users, time,
//      songplays (event_tables.h);
//   5. write every table's partitions in one parallel loop, then commit (README, "Commit protocol"): where the output
//   supports atomic folder swaps (local),
//      write every table under <output>/_temporary/<run-id>/ and swap each into place; on object
//      stores, write objects under run-unique names at their final keys, then each table's
//      _SUCCESS manifest, then delete every object the manifest does not list.
//
// With N ranks (mpirun/srun; README "Running on a cluster"), the output is byte-identical to one
// process for every N. Rank 0 lists the inputs and takes the lock; each rank maps a contiguous,
// byte-balanced range of the song files and of the log files (global file indices, so every
// tie-break stays on (file, line)); song records are all-gathered (every rank builds the same
// songs, artists and join index); events are shuffled by user-id range (cuts from a global sample)
// and reduced; timestamps and plays are shuffled by month ranges, so that rank order is time order
// and songplay_id is an exclusive prefix sum. Rank 0 writes users and the quarantine, every rank
// its share of the partitions; rank 0 verifies and commits once every rank has written. After
// each stage the ranks agree on success (Communicator::Agree): one rank's error ends every rank.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "base/progress.h"
#include "base/stage_timer.h"
#include "compact/merged_sources.h"
#include "dist/communicator.h"
#include "formats/compression.h"
#include "io/file_system.h"
#include "sparkify/records.h"
#include "warehouse/table_writer.h"

namespace lakeforge {

struct EtlOptions {
  std::string songs;   // folder, file or s3:// prefix of song JSON
  std::string logs;    // folder, file or s3:// prefix of log NDJSON
  std::string output;  // output folder or s3:// prefix
  Codec codec = Codec::kSnappy;
  // Integer and timestamp columns that do not dictionary-encode are DELTA_BINARY_PACKED; false:
  // PLAIN (parquet::WriterOptions::delta_integers).
  bool delta_integers = true;
  int threads = 0;  // 0: all cores
  // Files read ahead of the parsers (io/read_ahead.h): how many in flight (0: the medium's
  // default) and the bytes their buffers may take (0: 32 MiB).
  int io_depth = 0;
  uint64_t read_buffer_bytes = 0;
  bool strict = false;
  // An input file that cannot be read or decompressed fails the run before the output is touched
  // (as Spark does by default); with this set it is quarantined as an "unreadable file" reject
  // instead and the run goes on (Spark's ignoreCorruptFiles, with a record of what was skipped).
  bool quarantine_unreadable = false;
  // A record (a line, or a whole song file) longer than this is rejected as "record too large"
  // with its first bytes and its length; no more than this is ever held of one line.
  uint64_t max_record_bytes = uint64_t{16} << 20;
  // When the inputs are merged files (`run`), where their lines came from: rejects then name the
  // raw files and lines, as `etl` on the raw lake would.
  const LineMap* line_map = nullptr;
  Progress* progress = nullptr;  // optional
  std::string run_id;            // empty: a new one
  // The output's writer lock (io/writer_lock.h) when the caller holds it already (`run`); else
  // RunEtl takes it after listing the inputs, waiting up to wait_for_lock_seconds.
  const WriterLock* lock = nullptr;
  double wait_for_lock_seconds = 0;
  // The ranks of a distributed run (dist/communicator.h); null: this process alone. Every rank
  // calls RunEtl with the same options; rank 0 lists, holds the lock, commits and reports.
  Communicator* comm = nullptr;
  // The run's timeline when RunEtl carries on one another stage began (`run`: the compactions);
  // unset: its stages start a clock of their own.
  std::optional<TimelineOrigin> timeline;
};

// What one rank of a distributed run did: its share of reading, of the exchanges and of writing.
struct RankFigures {
  int rank = 0;
  std::string host;
  uint64_t files = 0, bytes_read = 0;
  uint64_t records = 0;                // song records and log lines parsed
  uint64_t rows_out = 0, rows_in = 0;  // events, timestamps and plays sent to / received from other ranks
  uint64_t exchange_bytes_sent = 0, exchange_bytes_received = 0;
  uint64_t files_written = 0, bytes_written = 0;
  uint64_t files_read_ahead = 0;   // of `files`, those the reader handed over whole (the rest the parsers read)
  uint64_t read_buffer_peak = 0;   // the most bytes the reader's buffers held at once
  std::vector<double> stage_seconds;  // by kEtlStages
};

struct RejectSample {
  std::string source;
  uint32_t line;
  std::string error;
};

// Input per top-level folder under song_data/ and log_data/ (the skew a user looks for first).
struct PrefixInput {
  std::string prefix;
  uint64_t files = 0, bytes = 0;
};

struct EtlReport {
  std::string run_id;
  uint64_t song_files = 0, log_files = 0, input_bytes = 0;
  uint64_t song_records = 0, log_lines = 0, filtered_lines = 0, events = 0, duplicate_events = 0;
  std::array<uint64_t, kRejectReasonCount> rejects{};
  uint64_t total_rejects = 0;
  std::string first_reject;                                           // "<source>:<line>: <error>"
  std::array<std::vector<RejectSample>, kRejectReasonCount> samples;  // the first few of each reason
  std::vector<PrefixInput> prefixes;                                  // in path order
  int threads = 0;
  std::string reader_backend;  // how input files were read: "io_uring" or "threads" (io/read_ahead.h)
  int reader_depth = 0;        // files in flight
  std::vector<std::string> skipped_folders;  // symlinked folders not entered: loops and aliases
  std::vector<TableReport> tables;
  std::vector<StageTime> stages;
  bool committed = false;
  StorageStats storage;            // requests to object storage, when it was used (all ranks)
  std::string engine = "local";    // "local", or "mpi" for a distributed run
  std::vector<RankFigures> ranks;  // one per rank, on rank 0 (and for a one-process run)
};

// The load balance of one figure over ranks: max / mean (1 when perfectly even or all zero).
double Imbalance(const std::vector<RankFigures>& ranks, uint64_t RankFigures::*figure);

// Runs the ETL. Throws Error on unusable input or output; bad records are counted, not thrown.
// With options.strict and any rejected record, nothing is committed (report.committed == false).
EtlReport RunEtl(RoutingFileSystem& fs, const EtlOptions& options);
// The same, filling *report as it goes: after an error it holds the run id and the stages done
// (for the run report of a failed run).
void RunEtl(RoutingFileSystem& fs, const EtlOptions& options, EtlReport* report);

// Files and bytes per top-level folder below `root` ("song_data/A"), appended to *out; files right
// in the root count under the root's name. Past 1000 folders the rest are summed as "<root>/…".
void AddInputPrefixes(const std::string& root, const std::vector<std::pair<std::string, uint64_t>>& files,
                      std::vector<PrefixInput>* out);

// The ETL's stages, in order (a failed run failed in the first one not in report.stages).
inline constexpr const char* kEtlStages[] = {"list", "songs", "logs", "transform", "write", "commit"};

}  // namespace lakeforge
