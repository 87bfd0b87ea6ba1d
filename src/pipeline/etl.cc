// The ETL driver; the plan is in etl.h.
#include "pipeline/etl.h"

#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "base/error.h"
#include "base/memory.h"
#include "base/parallel.h"
#include "base/run_id.h"
#include "base/stage_timer.h"
#include "dist/collectives.h"
#include "dist/partition.h"
#include "formats/input_file.h"
#include "io/read_ahead.h"
#include "pipeline/exchange.h"
#include "sparkify/event_tables.h"
#include "sparkify/record_parser.h"
#include "sparkify/star_schema.h"
#include "warehouse/rejects_writer.h"

namespace lakeforge {
namespace {

// Per-file map results, kept in file order so the output never depends on scheduling.
struct SongFileResult {
  std::vector<SongRecord> records;
  std::vector<Reject> rejects;
  uint64_t bytes = 0;
};
// One per file; files next to each other are parsed at once: aligned, see kCacheLineBytes.
struct alignas(kCacheLineBytes) LogFileSlot {
  EventRun events;                   // sorted by identity, in-file repeats dropped; in the thread's arena
  std::vector<int64_t> user_sample;  // the file's share of SampleUserIds
  uint64_t lines = 0, filtered = 0, duplicates = 0;
  std::vector<Reject> rejects;
  uint64_t bytes = 0;
};

// Log files are read and parsed in pieces of about this many bytes of whole lines, so a thread's
// buffer is bounded by the piece, not by the largest file.
constexpr size_t kLogPieceBytes = size_t{1} << 20;

// A file that cannot be read or decompressed mid-run ends the run before the output is touched,
// or, when the user opted in, is quarantined as a whole like a bad record: its rejects so far give
// way to one "unreadable file" reject (the caller drops what its first pieces gave).
void QuarantineUnreadable(const Error& e, bool quarantine, uint32_t file, std::vector<Reject>* rejects) {
  if (!quarantine)
    throw Error::Io(std::string(e.what()) +
                    "; nothing was written (--quarantine-unreadable-files sets such files aside and goes on)");
  rejects->clear();
  rejects->push_back(
      {.file = file, .line = 0, .reason = RejectReason::kUnreadableFile, .error = e.what(), .record = ""});
}

constexpr size_t kRejectSamplesPerReason = 5;

std::string HostName() {
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  return host;
}

// Deletes a folder on a thread of its own; Join waits and rethrows what the deletion threw.
class BackgroundDelete {
 public:
  ~BackgroundDelete() {
    if (thread_.joinable()) thread_.join();
  }
  void Start(FileSystem& fs, const std::string& path) {
    thread_ = std::thread([this, &fs, path] {
      try {
        fs.DeleteDirRecursive(path);
      } catch (...) {
        error_ = std::current_exception();
      }
    });
  }
  void Join() {
    if (thread_.joinable()) thread_.join();
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  std::thread thread_;
  std::exception_ptr error_;
};

}  // namespace

void AddInputPrefixes(const std::string& root, const std::vector<std::pair<std::string, uint64_t>>& files,
                      std::vector<PrefixInput>* out) {
  constexpr size_t kMaxPrefixes = 1000;  // a report stays small whatever the lake
  std::string base = root.substr(root.find_last_of('/') + 1);
  size_t first = out->size();
  for (const auto& [p, bytes] : files) {
    std::string rel = p.size() > root.size() ? p.substr(root.size() + 1) : std::string();
    size_t slash = rel.find('/');
    std::string prefix = slash == std::string::npos ? base : base + "/" + rel.substr(0, slash);
    if (out->size() - first >= kMaxPrefixes && out->back().prefix != prefix) prefix = base + "/…";
    if (out->size() == first || out->back().prefix != prefix)
      out->push_back({.prefix = prefix, .files = 0, .bytes = 0});
    out->back().files += 1;
    out->back().bytes += bytes;
  }
}

double Imbalance(const std::vector<RankFigures>& ranks, uint64_t RankFigures::*figure) {
  uint64_t max = 0;
  double sum = 0;
  for (const auto& r : ranks) {
    max = std::max(max, r.*figure);
    sum += static_cast<double>(r.*figure);
  }
  return sum > 0 ? static_cast<double>(max) / (sum / static_cast<double>(ranks.size())) : 1.0;
}

EtlReport RunEtl(RoutingFileSystem& router, const EtlOptions& options) {
  EtlReport report;
  RunEtl(router, options, &report);
  return report;
}

void RunEtl(RoutingFileSystem& router, const EtlOptions& options, EtlReport* out) {
  EtlReport& report = *out;
  EtlOptions opt = options;
  opt.songs = StripFileScheme(opt.songs);
  opt.logs = StripFileScheme(opt.logs);
  opt.output = StripFileScheme(opt.output);
  FileSystem& song_fs = router.For(opt.songs);
  FileSystem& log_fs = router.For(opt.logs);
  FileSystem& fs = router.For(opt.output);
  LocalCommunicator alone;
  Communicator& comm = opt.comm ? *opt.comm : alone;
  const int ranks = comm.size();
  const bool dist = ranks > 1;
  const auto me = static_cast<size_t>(comm.rank());
  report.engine = comm.name();
  report.run_id = opt.run_id.empty() ? NewRunId() : opt.run_id;
  if (dist) comm.Broadcast(&report.run_id);  // rank 0's: one run, one set of file names
  RankFigures mine{.rank = comm.rank(), .host = HostName(), .stage_seconds = {}};
  int threads = opt.threads > 0 ? opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  StageTimer timer = opt.timeline ? StageTimer(&report.stages, *opt.timeline) : StageTimer(&report.stages);
  report.threads = threads;

  // 1. List inputs (rank 0): any failure here happens before the output is touched.
  std::vector<FileInfo> song_files, log_files;
  std::unique_ptr<WriterLock> own_lock;
  const WriterLock* lock = opt.lock;
  {
    std::exception_ptr error;
    if (comm.root()) {
      try {
        ListingNotes song_notes, log_notes;
        song_files = ListFilesConcurrently(song_fs, opt.songs, true, std::max(threads, 8), &song_notes);
        log_files = ListFilesConcurrently(log_fs, opt.logs, true, std::max(threads, 8), &log_notes);
        report.skipped_folders = std::move(song_notes.skipped);
        std::move(log_notes.skipped.begin(), log_notes.skipped.end(), std::back_inserter(report.skipped_folders));
        std::sort(report.skipped_folders.begin(), report.skipped_folders.end());
        // One writer per output: taken once the inputs are known to be there, before anything is
        // read. Rank 0 holds it for the whole job; the other ranks never take it.
        if (lock == nullptr) {
          own_lock = LockForWriting(fs, opt.output, report.run_id, opt.wait_for_lock_seconds);
          lock = own_lock.get();
        }
      } catch (...) {
        error = std::current_exception();
      }
    }
    comm.Agree(error);
  }
  // The previous version of the tables, moved to <output>/_trash/ by the last commit, is deleted
  // while this run reads and parses (rank 0 holds the lock; the deleter never calls MPI); the
  // deleter is joined before this run's commit moves the version it replaces there.
  BackgroundDelete trash;
  if (comm.root() && fs.has_atomic_dir_swap()) trash.Start(fs, JoinPath(opt.output, "_trash"));
  if (dist) {
    ShareListing(comm, &song_files, &log_files, &report.skipped_folders);
    if (fs.has_atomic_dir_swap()) CheckSharedOutput(comm, fs, opt.output, report.run_id);
  }
  report.song_files = song_files.size();
  report.log_files = log_files.size();
  std::vector<std::string> sources;  // reject file index -> path
  for (const auto& f : song_files) sources.push_back(f.path);
  for (const auto& f : log_files) sources.push_back(f.path);
  timer.Mark("list");

  // 2. Songs: map, then reduce.
  std::vector<SongFileResult> song_results(song_files.size());
  // Each rank maps a contiguous range of the files, balanced by bytes plus a cost per file; file
  // indices stay global, so every tie-break is on (file, line) whatever the rank count.
  auto split_files = [&](const std::vector<FileInfo>& files) {
    std::vector<uint64_t> weights;
    for (const auto& f : files) weights.push_back(FileWeight(static_cast<uint64_t>(std::max<int64_t>(0, f.size))));
    return SplitByWeight(weights, ranks);
  };
  const std::vector<size_t> song_bounds = split_files(song_files);
  const size_t song_lo = song_bounds[me];
  // The progress line is rank 0's: with several ranks it counts rank 0's share, and says so.
  const std::string share = dist ? " (rank 0's share, " + std::to_string(ranks) + " ranks)" : "";
  if (opt.progress) opt.progress->BeginStage("reading songs" + share, song_bounds[me + 1] - song_bounds[me]);
  std::vector<RecordParser> parsers(static_cast<size_t>(threads));
  for (auto& p : parsers) p.set_max_record_bytes(opt.max_record_bytes);
  std::vector<FileBuffer> buffers(static_cast<size_t>(threads));
  WorkerSpans song_spans(timer, threads);
  // Files are read ahead of the parsers, `--io-depth` in flight whatever the thread count.
  auto reader_options = [&](FileSystem& in_fs) {
    return ReaderOptionsFor(in_fs, opt.io_depth, opt.read_buffer_bytes, simdjson::SIMDJSON_PADDING);
  };
  auto add_reader_stats = [&](const ReadAhead& reader) {
    ReadAheadStats st = reader.Stats();
    mine.files_read_ahead += st.files_read;
    mine.read_buffer_peak = std::max(mine.read_buffer_peak, st.peak_buffered_bytes);
    if (!st.backend.empty()) {
      report.reader_backend = st.backend;
      report.reader_depth = st.depth;
    }
  };
  comm.Agree(Attempt([&] {
    ReadAhead reader(song_fs, song_files, song_lo, song_bounds[me + 1], reader_options(song_fs));
    ForEachReadAhead(reader, threads, [&](size_t i, const FileBuffer* read_ahead, int t) {
      song_spans.Run(t, [&] {
        auto& r = song_results[i];
        RecordParser& parser = parsers[static_cast<size_t>(t)];
        uint32_t file = static_cast<uint32_t>(i);
        try {
          ReadSongInput(song_fs, song_files[i].path, simdjson::SIMDJSON_PADDING, kLogPieceBytes, opt.max_record_bytes,
                        &buffers[static_cast<size_t>(t)], &r.bytes,
                        [&](std::string_view data) { parser.ParseSongFile(data, file, &r.records, &r.rejects); },
                        {.lines =
                             [&](std::string_view lines, uint32_t first) {
                               return parser.ParseSongLines(lines, first, file, &r.records, &r.rejects);
                             },
                         .oversized =
                             [&](const OversizedRecord& big) {
                               parser.RejectTooLarge(file, big.line, big.bytes, big.head, &r.rejects);
                             }},
                        read_ahead);
        } catch (const Error& e) {
          QuarantineUnreadable(e, opt.quarantine_unreadable, file, &r.rejects);
          r.records.clear();
          r.bytes = 0;
        }
        if (opt.progress) opt.progress->FileDone(r.bytes);
      });
    });
    add_reader_stats(reader);
  }));
  for (size_t i = song_lo; i < song_bounds[me + 1]; ++i) {
    mine.bytes_read += song_results[i].bytes;
    mine.records += song_results[i].records.size();
  }
  mine.files += song_bounds[me + 1] - song_lo;
  // Song metadata is small next to the events: every rank gets every record, so every rank builds
  // the same deduplicated songs, artists and join index, and joins its events in its map.
  if (dist) {
    AllGatherRanges(
        comm, song_bounds,
        [&](size_t i, wire::Writer& w) {
          w.Put(song_results[i].bytes);
          w.Put<uint64_t>(song_results[i].records.size());
          for (const auto& rec : song_results[i].records) PutSongRecord(w, rec);
        },
        [&](size_t i, wire::Reader& in) {
          song_results[i].bytes = in.Get<uint64_t>("song file bytes");
          song_results[i].records.resize(in.Get<uint64_t>("song records"));
          for (auto& rec : song_results[i].records) rec = GetSongRecord(in);
        });
  }
  // The per-file results own the song records until the end of the run; the reduce works on pointers.
  SongRefs song_records;
  std::vector<Reject> rejects;
  for (auto& r : song_results) {
    report.input_bytes += r.bytes;
    for (const auto& rec : r.records) song_records.push_back(&rec);
    std::move(r.rejects.begin(), r.rejects.end(), std::back_inserter(rejects));
    std::vector<Reject>().swap(r.rejects);
  }
  report.song_records = song_records.size();
  {
    std::vector<std::pair<std::string, uint64_t>> sized;
    for (size_t i = 0; i < song_files.size(); ++i) sized.emplace_back(song_files[i].path, song_results[i].bytes);
    AddInputPrefixes(opt.songs, sized, &report.prefixes);
  }
  SongRefs songs = DedupeSongs(song_records, threads);
  SongIndex index;
  size_t key_bytes = 0;
  for (const SongRecord* s : songs)
    key_bytes += (s->title ? s->title->size() : 0) + (s->artist_name ? s->artist_name->size() : 0);
  index.Reserve(songs.size(), key_bytes);
  for (size_t i = 0; i < songs.size(); ++i) {
    const SongRecord& s = *songs[i];
    if (s.title && s.artist_name && s.duration)
      index.Add(*s.title, *s.artist_name, *s.duration, static_cast<int32_t>(i), s.song_id);
  }
  std::vector<TableData> tables;
  tables.push_back(BuildSongsTable(songs, threads));
  tables.push_back(BuildArtistsTable(std::move(song_records), threads));
  timer.Mark("songs", song_spans.Take());

  // 3. Logs: map (with the join). Each thread parses into a reused scratch vector, sorts and
  // dedupes the file's events while they are in cache, and keeps an exact-size copy.
  const std::vector<size_t> log_bounds = split_files(log_files);
  const size_t log_lo = log_bounds[me], log_hi = log_bounds[me + 1];
  if (opt.progress) opt.progress->BeginStage("reading logs" + share, log_hi - log_lo);
  std::vector<LogFileSlot> log_results(log_files.size());
  std::vector<LogFileResult> scratch(static_cast<size_t>(threads));
  std::vector<std::vector<Event>> sort_scratch(static_cast<size_t>(threads));
  // Blocks of at most 16 MiB: the reduce regroups the events by user range and frees these block
  // by block, so a block is what it holds twice at a time per thread.
  std::vector<BlockArena> kept_events;
  for (int t = 0; t < threads; ++t) kept_events.emplace_back(size_t{16} << 20);
  ProfilePool profiles;
  uint32_t base = static_cast<uint32_t>(song_files.size());
  WorkerSpans log_spans(timer, threads);
  comm.Agree(Attempt([&] {
    ReadAhead reader(log_fs, log_files, log_lo, log_hi, reader_options(log_fs));
    ForEachReadAhead(reader, threads, [&](size_t i, const FileBuffer* read_ahead, int t) {
      log_spans.Run(t, [&] {
        auto& r = log_results[i];
        LogFileResult& parsed = scratch[static_cast<size_t>(t)];
        parsed.events.clear();
        parsed.lines = parsed.filtered = 0;
        uint32_t file = base + static_cast<uint32_t>(i);
        RecordParser& parser = parsers[static_cast<size_t>(t)];
        try {
          ReadInputLines(log_fs, log_files[i].path, simdjson::SIMDJSON_PADDING, kLogPieceBytes, opt.max_record_bytes,
                         &buffers[static_cast<size_t>(t)], &r.bytes,
                         {.lines =
                              [&](std::string_view lines, uint32_t first_line) {
                                return parser.ParseLogLines(lines, first_line, file, index, profiles, &parsed,
                                                            &r.rejects);
                              },
                          .oversized =
                              [&](const OversizedRecord& big) {
                                ++parsed.lines;
                                parser.RejectTooLarge(file, big.line, big.bytes, big.head, &r.rejects);
                              }},
                         read_ahead);
          RecordParser::EndLogFile(file, parsed.lines, &r.rejects);
        } catch (const Error& e) {
          QuarantineUnreadable(e, opt.quarantine_unreadable, file, &r.rejects);
          parsed.events.clear();
          parsed.lines = parsed.filtered = 0;
          r.bytes = 0;  // as for a file that cannot be read at all
        }
        r.duplicates = SortFileEvents(&parsed.events, &sort_scratch[static_cast<size_t>(t)]);
        r.events = EventRuns::Keep(kept_events[static_cast<size_t>(t)], parsed.events, &r.user_sample);
        r.lines = parsed.lines;
        r.filtered = parsed.filtered;
        if (opt.progress) opt.progress->FileDone(r.bytes);
      });
    });
    add_reader_stats(reader);
  }));
  // The map's working memory goes before the reduce, whose end is the run's peak: the scratch
  // vectors, and the parsers' simdjson buffers (tens of MB: a 1 MiB piece's tape and indexes).
  std::vector<LogFileResult>().swap(scratch);
  std::vector<std::vector<Event>>().swap(sort_scratch);
  std::vector<RecordParser>().swap(parsers);
  std::vector<FileBuffer>().swap(buffers);
  ReleaseFreeMemory();
  if (dist) {  // the bytes of every log file, for the input figures rank 0 reports
    AllGatherRanges(
        comm, log_bounds, [&](size_t i, wire::Writer& w) { w.Put(log_results[i].bytes); },
        [&](size_t i, wire::Reader& in) { log_results[i].bytes = in.Get<uint64_t>("log file bytes"); });
  }
  {
    std::vector<std::pair<std::string, uint64_t>> sized;
    for (size_t i = 0; i < log_files.size(); ++i) sized.emplace_back(log_files[i].path, log_results[i].bytes);
    AddInputPrefixes(opt.logs, sized, &report.prefixes);
  }
  EventRuns file_events{.runs = {}, .memory = std::move(kept_events), .sample = std::vector<int64_t>()};
  file_events.runs.reserve(log_hi - log_lo);
  uint64_t in_file_duplicates = 0;
  for (size_t i = 0; i < log_results.size(); ++i) {
    auto& r = log_results[i];
    report.input_bytes += r.bytes;
    if (i < log_lo || i >= log_hi) continue;
    mine.bytes_read += r.bytes;
    mine.records += r.lines;
    report.log_lines += r.lines;
    report.filtered_lines += r.filtered;
    in_file_duplicates += r.duplicates;
    file_events.runs.push_back(r.events);
    file_events.sample->insert(file_events.sample->end(), r.user_sample.begin(), r.user_sample.end());
    std::move(r.rejects.begin(), r.rejects.end(), std::back_inserter(rejects));
  }
  mine.files += log_hi - log_lo;
  std::vector<LogFileSlot>().swap(log_results);
  timer.Mark("logs", log_spans.Take());

  // 4. Shuffle by user and reduce; with several ranks, then by month (see etl.h).
  ProfilePool all_profiles;  // with several ranks: every rank's profiles, the same on each
  const ProfilePool* pool = &profiles;
  if (dist) {
    MergeProfiles(comm, profiles, &all_profiles, &file_events);
    pool = &all_profiles;
    file_events = ShuffleByUser(comm, std::move(file_events), &mine.rows_out, &mine.rows_in);
  }
  // Plays are exchanged by month, so every rank reduces them as the same kind.
  bool wide = file_events.any_wide();
  if (dist) wide = comm.SumAll({wide ? uint64_t{1} : uint64_t{0}})[0] > 0;
  EventReduce reduced = ReduceEvents(std::move(file_events), threads, wide);
  std::vector<UserRow> users = dist ? GatherVectors(comm, reduced.users) : std::move(reduced.users);
  uint64_t first_songplay = 1;
  if (dist) {
    ShuffleByMonth(comm, &reduced, &mine.rows_out, &mine.rows_in);
    first_songplay += ExclusivePrefixSum(comm, reduced.plays.plays());
  }
  MonthTables months = BuildMonthTables(std::move(reduced.times), std::move(reduced.plays),
                                        static_cast<int64_t>(first_songplay), *pool, songs, threads);
  // Where this rank's month partitions fall in each month table's partition list.
  uint64_t time_offset = dist ? ExclusivePrefixSum(comm, months.time.dirs.size()) : 0;
  uint64_t play_offset = dist ? ExclusivePrefixSum(comm, months.songplays.dirs.size()) : 0;
  // Every rank holds songs and artists whole; users only on rank 0 (elsewhere an empty stand-in
  // that this rank does not write); time and songplays as this rank's months.
  tables.push_back(BuildUsersTable(std::move(users), *pool));
  tables.push_back(std::move(months.time));
  tables.push_back(std::move(months.songplays));
  report.events = reduced.events;
  report.duplicate_events = in_file_duplicates + reduced.duplicates;
  if (dist) {  // figures counted where the work was done, summed over ranks
    std::vector<uint64_t> sums =
        comm.SumAll({report.log_lines, report.filtered_lines, report.events, report.duplicate_events});
    report.log_lines = sums[0];
    report.filtered_lines = sums[1];
    report.events = sums[2];
    report.duplicate_events = sums[3];
  }
  timer.Mark("transform");

  // Quarantine: rank 0 gathers every rank's rejects and writes them in one file, in the order one
  // process finds them.
  if (dist)
    rejects = GatherRejects(comm, std::move(rejects));
  else
    SortRejects(&rejects);
  if (opt.line_map) TranslateMergedRejects(*opt.line_map, &sources, &rejects);
  for (const auto& r : rejects) ++report.rejects[static_cast<size_t>(r.reason)];
  report.total_rejects = rejects.size();
  for (const auto& r : rejects) {
    auto& samples = report.samples[static_cast<size_t>(r.reason)];
    if (samples.size() < kRejectSamplesPerReason)
      samples.push_back({.source = sources[r.file], .line = r.line, .error = r.error});
  }
  if (!rejects.empty()) {
    const Reject& r = rejects.front();
    report.first_reject = sources[r.file] + ":" + std::to_string(r.line) + ": " + r.error;
  }
  if (dist) report.total_rejects = comm.SumAll({report.total_rejects})[0];
  if (opt.strict && report.total_rejects > 0) return;  // nothing is written or committed

  // 5. Write and commit.
  parquet::WriterOptions wopt;
  wopt.codec = opt.codec;
  wopt.delta_integers = opt.delta_integers;
  // Which partitions this rank writes: month tables are its own; the others round robin, and
  // users (partition 0) is rank 0's.
  constexpr size_t kMonthTables = 3;  // time and songplays come after songs, artists and users
  PartitionFilter owned = [&](size_t table, size_t partition) {
    return table >= kMonthTables || PartitionOwner(partition, ranks) == comm.rank();
  };
  size_t total_files = 0;
  for (size_t t = 0; t < tables.size(); ++t) {
    size_t files = tables[t].dirs.empty() && !tables[t].partitioned ? 1 : tables[t].dirs.size();
    for (size_t p = 0; p < files; ++p) total_files += owned(t, p);
  }
  if (opt.progress) opt.progress->BeginStage("writing tables" + share, total_files);
  // Writes this rank's files under `root`; on rank 0 the merged reports of every rank's files.
  auto write_all = [&](const std::string& root) {
    WorkerSpans write_spans(timer, threads);
    std::exception_ptr error = Attempt([&] {
      report.tables = WriteTables(fs, root, tables, report.run_id, wopt, threads, opt.progress, &write_spans, owned);
      for (size_t t = kMonthTables; t < report.tables.size(); ++t)
        for (auto& f : report.tables[t].written) f.partition += t == kMonthTables ? time_offset : play_offset;
      if (comm.root()) report.tables.push_back(WriteRejects(fs, root, rejects, sources, report.run_id));
      // Where files are checked one by one (no sizes in listings: local and shared file systems),
      // each rank checks the files it wrote, all ranks at once, and rank 0 checks none again
      // (`check` below); on object stores rank 0 lists each table instead.
      if (dist && !fs.listing_has_sizes())
        for (const auto& t : report.tables) VerifyWrittenTable(fs, JoinPath(root, t.name), t, report.run_id, threads);
    });
    tables.clear();
    comm.Agree(error);
    for (const auto& t : report.tables) {
      mine.files_written += t.files;
      mine.bytes_written += t.bytes;
    }
    if (dist) {
      wire::Writer w;
      PutTableReports(w, report.tables);
      std::vector<std::vector<TableReport>> per_rank;
      for (const auto& msg : comm.Gather(w.Take())) {
        wire::Reader in(msg);
        per_rank.push_back(GetTableReports(in));
      }
      report.tables = comm.root() ? MergeTableReports(per_rank) : std::vector<TableReport>{};
    }
    timer.Mark("write", write_spans.Take());
  };
  // Every table is checked before it is committed, and the lock must still be ours (a lease on an
  // object store can run out) when it is.
  auto check = [&](const std::string& table_dir, const TableReport& t) {
    // With several ranks on a file system without sizes in listings, every rank has checked the
    // files it wrote (write_all) before agreeing that the write succeeded.
    if (!dist || fs.listing_has_sizes()) VerifyWrittenTable(fs, table_dir, t, report.run_id, threads);
    if (!lock->held())
      throw Error::Io("lost the writer lock of '" + opt.output + "' (its lease ran out); table " + t.name +
                      " and those after it were not committed");
  };
  if (fs.has_atomic_dir_swap()) {
    // Stage every table, then swap each into place in one step. While we hold the lock no other
    // run is writing here, so whatever _temporary/ holds was left by a dead run.
    std::string temp_root = JoinPath(opt.output, "_temporary");
    std::string stage = JoinPath(temp_root, report.run_id);
    try {
      comm.Agree(Attempt([&] {
        if (!comm.root()) return;
        fs.DeleteDirRecursive(temp_root);
        fs.CreateDirs(stage);
      }));
      write_all(stage);
      comm.Agree(Attempt([&] {
        if (!comm.root()) return;
        trash.Join();  // its failure (a folder this user may not delete) fails the run before the commit
        for (const auto& t : report.tables) {
          std::string dir = JoinPath(stage, t.name);
          check(dir, t);
          PublishManifest(fs, dir, t);
        }
        for (const auto& t : report.tables)
          fs.CommitDir(JoinPath(stage, t.name), JoinPath(opt.output, t.name), JoinPath(stage, "previous-" + t.name));
      }));
    } catch (...) {
      try {
        if (comm.root()) fs.DeleteDirRecursive(temp_root);  // a failing run removes its own staging
      } catch (...) {
      }
      throw;
    }
    report.committed = true;
    if (comm.root()) {
      // The replaced versions go to the trash in one rename, for the next run to delete while it
      // reads: replacing yesterday's tables costs no more than writing new ones.
      fs.CreateDirs(JoinPath(opt.output, "_trash"));
      fs.CommitDir(stage, JoinPath(JoinPath(opt.output, "_trash"), report.run_id), JoinPath(temp_root, "unused"));
      fs.DeleteDirRecursive(temp_root);
    }
  } else {
    // Object stores: this run's objects carry the run id in their names, so they never overwrite
    // the previous run's; each table's _SUCCESS manifest (written last) switches readers over;
    // only then is every object the manifest does not list deleted (older runs, killed runs).
    size_t published = 0;
    try {
      write_all(opt.output);
      comm.Agree(Attempt([&] {
        if (!comm.root()) return;
        for (const auto& t : report.tables) {
          std::string dir = JoinPath(opt.output, t.name);
          check(dir, t);
          PublishManifest(fs, dir, t);
          ++published;
        }
      }));
    } catch (...) {
      // What this run wrote for tables it did not publish is nobody's: remove it (best effort; the
      // next run deletes whatever is left, as every object no manifest lists).
      try {
        for (size_t i = published; i < report.tables.size(); ++i) {
          std::vector<std::string> ours;
          for (const auto& w : report.tables[i].written)
            ours.push_back(JoinPath(JoinPath(opt.output, report.tables[i].name), w.path));
          fs.DeleteFiles(ours);
        }
      } catch (...) {
      }
      throw;
    }
    report.committed = true;
    if (comm.root()) {
      for (const auto& t : report.tables) {
        std::string dir = JoinPath(opt.output, t.name);
        std::vector<std::string> stale;
        for (const auto& f : fs.ListFiles(dir, false)) {
          bool ours = f.path.find(report.run_id) != std::string::npos || f.path == JoinPath(dir, "_SUCCESS");
          if (!ours) stale.push_back(f.path);
        }
        fs.DeleteFiles(stale);
      }
      // Uploads a killed writer began here and never finished: invisible to listings, billed.
      // Best effort: the tables are committed, and not every S3-compatible store lists uploads.
      try {
        fs.AbortUnfinishedUploads(opt.output);
      } catch (const Error&) {
      }
    }
  }
  own_lock.reset();  // released (on object stores: one more request) before the requests are counted
  report.storage = router.Stats();
  timer.Mark("commit");
  for (const auto& st : report.stages) mine.stage_seconds.push_back(st.seconds);
  mine.exchange_bytes_sent = comm.bytes_sent();
  mine.exchange_bytes_received = comm.bytes_received();
  if (!dist) {
    report.ranks = {mine};
    return;
  }
  // Rank 0 reports every rank's figures, and the storage requests of all of them.
  std::vector<uint64_t> storage =
      comm.SumAll({report.storage.requests, report.storage.retries, report.storage.bytes_in, report.storage.bytes_out});
  report.storage = {.requests = storage[0], .retries = storage[1], .bytes_in = storage[2], .bytes_out = storage[3]};
  wire::Writer w;
  w.Put(mine.rank);
  w.PutString(mine.host);
  for (uint64_t v : {mine.files, mine.bytes_read, mine.records, mine.rows_out, mine.rows_in, mine.exchange_bytes_sent,
                     mine.exchange_bytes_received, mine.files_written, mine.bytes_written, mine.files_read_ahead,
                     mine.read_buffer_peak})
    w.Put(v);
  w.PutVector(mine.stage_seconds);
  for (const auto& msg : comm.Gather(w.Take())) {
    wire::Reader in(msg);
    auto rank = in.Get<int>("rank");
    RankFigures f{.rank = rank, .host = in.GetString("rank host"), .stage_seconds = {}};
    for (uint64_t* v : {&f.files, &f.bytes_read, &f.records, &f.rows_out, &f.rows_in, &f.exchange_bytes_sent,
                        &f.exchange_bytes_received, &f.files_written, &f.bytes_written, &f.files_read_ahead,
                        &f.read_buffer_peak})
      *v = in.Get<uint64_t>("rank figure");
    in.GetVector(&f.stage_seconds, "stage seconds");
    report.ranks.push_back(std::move(f));
  }
}

}  // namespace lakeforge
