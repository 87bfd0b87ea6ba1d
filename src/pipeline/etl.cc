// The ETL driver; the plan is in etl.h.
#include "pipeline/etl.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "base/error.h"
#include "base/parallel.h"
#include "base/run_id.h"
#include "base/stage_timer.h"
#include "formats/input_file.h"
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
struct LogFileSlot {
  std::vector<Event> events;  // sorted by identity, in-file repeats dropped
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
  report.run_id = opt.run_id.empty() ? NewRunId() : opt.run_id;
  int threads = opt.threads > 0 ? opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  StageTimer timer(&report.stages);
  report.threads = threads;

  // 1. List inputs: any failure here happens before the output is touched.
  ListingNotes song_notes, log_notes;
  std::vector<FileInfo> song_files = ListFilesConcurrently(song_fs, opt.songs, true, std::max(threads, 8), &song_notes);
  std::vector<FileInfo> log_files = ListFilesConcurrently(log_fs, opt.logs, true, std::max(threads, 8), &log_notes);
  report.skipped_folders = std::move(song_notes.skipped);
  std::move(log_notes.skipped.begin(), log_notes.skipped.end(), std::back_inserter(report.skipped_folders));
  std::sort(report.skipped_folders.begin(), report.skipped_folders.end());
  // One writer per output: taken once the inputs are known to be there, before anything is read.
  std::unique_ptr<WriterLock> own_lock;
  const WriterLock* lock = opt.lock;
  if (lock == nullptr) {
    own_lock = LockForWriting(fs, opt.output, report.run_id, opt.wait_for_lock_seconds);
    lock = own_lock.get();
  }
  report.song_files = song_files.size();
  report.log_files = log_files.size();
  std::vector<std::string> sources;  // reject file index -> path
  for (const auto& f : song_files) sources.push_back(f.path);
  for (const auto& f : log_files) sources.push_back(f.path);
  timer.Mark("list");

  // 2. Songs: map, then reduce.
  if (opt.progress) opt.progress->BeginStage("reading songs", song_files.size());
  std::vector<SongFileResult> song_results(song_files.size());
  std::vector<RecordParser> parsers(static_cast<size_t>(threads));
  for (auto& p : parsers) p.set_max_record_bytes(opt.max_record_bytes);
  std::vector<FileBuffer> buffers(static_cast<size_t>(threads));
  WorkerSpans song_spans(timer, threads);
  ParallelFor(song_files.size(), threads, [&](size_t i, int t) {
    song_spans.Run(t, [&] {
      auto& r = song_results[i];
      RecordParser& parser = parsers[static_cast<size_t>(t)];
      uint32_t file = static_cast<uint32_t>(i);
      try {
        ReadSongInput(
            song_fs, song_files[i].path, simdjson::SIMDJSON_PADDING, kLogPieceBytes, opt.max_record_bytes,
            &buffers[static_cast<size_t>(t)], &r.bytes,
            [&](std::string_view data) { parser.ParseSongFile(data, file, &r.records, &r.rejects); },
            {.lines = [&](std::string_view lines,
                          uint32_t first) { return parser.ParseSongLines(lines, first, file, &r.records, &r.rejects); },
             .oversized =
                 [&](const OversizedRecord& big) {
                   parser.RejectTooLarge(file, big.line, big.bytes, big.head, &r.rejects);
                 }});
      } catch (const Error& e) {
        QuarantineUnreadable(e, opt.quarantine_unreadable, file, &r.rejects);
        r.records.clear();
        r.bytes = 0;
      }
      if (opt.progress) opt.progress->FileDone(r.bytes);
    });
  });
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
  if (opt.progress) opt.progress->BeginStage("reading logs", log_files.size());
  std::vector<LogFileSlot> log_results(log_files.size());
  std::vector<LogFileResult> scratch(static_cast<size_t>(threads));
  ProfilePool profiles;
  uint32_t base = static_cast<uint32_t>(song_files.size());
  WorkerSpans log_spans(timer, threads);
  ParallelFor(log_files.size(), threads, [&](size_t i, int t) {
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
                            }});
        RecordParser::EndLogFile(file, parsed.lines, &r.rejects);
      } catch (const Error& e) {
        QuarantineUnreadable(e, opt.quarantine_unreadable, file, &r.rejects);
        parsed.events.clear();
        parsed.lines = parsed.filtered = 0;
        r.bytes = 0;  // as for a file that cannot be read at all
      }
      r.duplicates = SortFileEvents(&parsed.events);
      r.events.assign(parsed.events.begin(), parsed.events.end());
      r.lines = parsed.lines;
      r.filtered = parsed.filtered;
      if (opt.progress) opt.progress->FileDone(r.bytes);
    });
  });
  std::vector<LogFileResult>().swap(scratch);
  {
    std::vector<std::pair<std::string, uint64_t>> sized;
    for (size_t i = 0; i < log_files.size(); ++i) sized.emplace_back(log_files[i].path, log_results[i].bytes);
    AddInputPrefixes(opt.logs, sized, &report.prefixes);
  }
  std::vector<std::vector<Event>> file_events;
  file_events.reserve(log_results.size());
  uint64_t in_file_duplicates = 0;
  for (auto& r : log_results) {
    report.input_bytes += r.bytes;
    report.log_lines += r.lines;
    report.filtered_lines += r.filtered;
    in_file_duplicates += r.duplicates;
    file_events.push_back(std::move(r.events));
    std::move(r.rejects.begin(), r.rejects.end(), std::back_inserter(rejects));
  }
  std::vector<LogFileSlot>().swap(log_results);
  timer.Mark("logs", log_spans.Take());

  // 4. Shuffle by user and reduce.
  EventTables et = BuildEventTables(std::move(file_events), profiles, songs, threads);
  report.events = et.events;
  report.duplicate_events = in_file_duplicates + et.duplicates;
  tables.push_back(std::move(et.users));
  tables.push_back(std::move(et.time));
  tables.push_back(std::move(et.songplays));
  timer.Mark("transform");

  std::sort(rejects.begin(), rejects.end(),
            [](const Reject& a, const Reject& b) { return a.file != b.file ? a.file < b.file : a.line < b.line; });
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
  if (opt.strict && !rejects.empty()) return;  // nothing is written or committed

  // 5. Write and commit.
  parquet::WriterOptions wopt;
  wopt.codec = opt.codec;
  size_t total_files = 0;
  for (const auto& t : tables) total_files += std::max<size_t>(1, t.dirs.size());
  if (opt.progress) opt.progress->BeginStage("writing tables", total_files);
  auto write_all = [&](const std::string& root) {
    WorkerSpans write_spans(timer, threads);
    report.tables = WriteTables(fs, root, tables, report.run_id, wopt, threads, opt.progress, &write_spans);
    report.tables.push_back(WriteRejects(fs, root, rejects, sources, report.run_id));
    tables.clear();
    timer.Mark("write", write_spans.Take());
  };
  // Every table is checked before it is committed, and the lock must still be ours (a lease on an
  // object store can run out) when it is.
  auto check = [&](const std::string& table_dir, const TableReport& t) {
    VerifyWrittenTable(fs, table_dir, t, report.run_id, threads);
    if (!lock->held())
      throw Error::Io("lost the writer lock of '" + opt.output + "' (its lease ran out); table " + t.name +
                      " and those after it were not committed");
  };
  if (fs.has_atomic_dir_swap()) {
    // Stage every table, then swap each into place in one step. While we hold the lock no other
    // run is writing here, so whatever _temporary/ holds was left by a dead run.
    std::string temp_root = JoinPath(opt.output, "_temporary");
    fs.DeleteDirRecursive(temp_root);
    std::string stage = JoinPath(temp_root, report.run_id);
    try {
      fs.CreateDirs(stage);
      write_all(stage);
      for (const auto& t : report.tables) {
        std::string dir = JoinPath(stage, t.name);
        check(dir, t);
        PublishManifest(fs, dir, t);
      }
      for (const auto& t : report.tables)
        fs.CommitDir(JoinPath(stage, t.name), JoinPath(opt.output, t.name), JoinPath(stage, "previous-" + t.name));
    } catch (...) {
      try {
        fs.DeleteDirRecursive(temp_root);  // a failing run removes its own staging
      } catch (...) {
      }
      throw;
    }
    report.committed = true;
    fs.DeleteDirRecursive(temp_root);
  } else {
    // Object stores: this run's objects carry the run id in their names, so they never overwrite
    // the previous run's; each table's _SUCCESS manifest (written last) switches readers over;
    // only then is every object the manifest does not list deleted (older runs, killed runs).
    size_t published = 0;
    try {
      write_all(opt.output);
      for (const auto& t : report.tables) {
        std::string dir = JoinPath(opt.output, t.name);
        check(dir, t);
        PublishManifest(fs, dir, t);
        ++published;
      }
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
    for (const auto& t : report.tables) {
      std::string dir = JoinPath(opt.output, t.name);
      std::vector<std::string> stale;
      for (const auto& f : fs.ListFiles(dir, false)) {
        bool ours = f.path.find(report.run_id) != std::string::npos || f.path == JoinPath(dir, "_SUCCESS");
        if (!ours) stale.push_back(f.path);
      }
      fs.DeleteFiles(stale);
    }
  }
  own_lock.reset();  // released (on object stores: one more request) before the requests are counted
  report.storage = router.Stats();
  timer.Mark("commit");
}

}  // namespace lakeforge
