// lakeforge command line: argument parsing -> options -> pipeline calls; progress and reports.
//
// Exit codes: 0 success; 1 records were rejected under --strict, or an internal error;
// 2 unusable input, output or arguments (nothing was written).
#include <malloc.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "base/error.h"
#include "base/memory.h"
#include "base/run_id.h"
#include "base/version.h"
#include "cli/report_printer.h"
#include "cli/run_report.h"
#include "compact/compact.h"
#include "dist/communicator.h"
#include "io/location.h"
#include "pipeline/etl.h"
#include "sparkify/generator.h"

namespace lakeforge::cli {
namespace {

struct ReportArgs {
  std::string json_path, html_path;  // empty: <output>/_runs/<run-id>.json and .html
  bool json_stdout = false;          // --json: the report on stdout instead of the text summary
};

struct EtlArgs {
  std::string input, songs, logs, output, compression = "snappy", integer_encoding = "delta", endpoint_url;
  int threads = 0, io_depth = 0;
  uint64_t read_buffer_mib = 32;
  double wait_for_lock = 0;
  uint64_t max_record_bytes = uint64_t{16} << 20;
  bool quiet = false, strict = false, quarantine_unreadable = false;
  ReportArgs report;
};

bool ParseBool(const std::string& flag, const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  throw Error::Usage(flag + " " + v + ": expected true or false");
}

// `run` compacts into a staging folder and deletes what an earlier run staged there, so a folder
// the user names with --staging must be one lakeforge owns: new, empty, or marked by an earlier
// run. It must not be the output or hold it either.
void CheckStagingApart(const std::string& staging, const std::string& output) {
  Overlap ov = OverlapOf(ResolveLocation(staging), ResolveLocation(output));
  if (ov == Overlap::kSame || ov == Overlap::kContains)
    throw Error::Usage("--staging '" + staging + "' " + (ov == Overlap::kSame ? "is" : "contains") + " --output '" +
                       output + "': staging is emptied by every run; choose a folder apart from the output");
}

void ClaimStaging(FileSystem& fs, const std::string& staging) {
  std::string marker = JoinPath(staging, ".lakeforge-staging");
  if (fs.Exists(marker)) return;
  std::vector<std::string> entries = fs.ListDir(staging);
  std::erase(entries, std::string(kLockFileName));  // this run's own lock
  if (!entries.empty())
    throw Error::Usage("--staging '" + staging + "' already holds files lakeforge did not stage (e.g. '" +
                       entries.front() + "'); run empties its staging folder, so name a new or empty one");
  auto out = fs.OpenOutputStream(marker);
  out->Write("lakeforge run stages compacted inputs here and deletes them on the next run\n");
  out->Close();
}

// Under --strict a run with rejected records commits nothing: why, or "" when it committed.
std::string StrictFailureMessage(const EtlReport& report) {
  if (report.committed) return "";
  return "--strict: " + std::to_string(report.total_rejects) + " record(s) rejected, nothing written";
}

// Says so on stderr, with the first error, when this process speaks for the job (rank 0: the
// other ranks of a distributed run fail with it, silently).
bool StrictFailure(const EtlReport& report, bool speaks) {
  std::string message = StrictFailureMessage(report);
  if (message.empty()) return false;
  if (speaks) std::fprintf(stderr, "lakeforge: %s; first: %s\n", message.c_str(), report.first_reject.c_str());
  return true;
}

// Every numeric option has a range, checked at parse time (exit 2 with a usage message).
const CLI::Range kThreads(0, 1024);
const char* const kThreadsHelp = "Worker threads, 0..1024 (default 0: all cores)";
const char* const kIoDepthHelp =
    "Input files read ahead in flight, 1..4096, whatever --threads is (default 0: 64 for local files, 128 on S3)";
const char* const kReadBufferHelp =
    "Most memory for files read ahead but not yet parsed, 1..65536 MiB (default 32; the reader starts at 4 and grows only while parsers wait for it); files over a third of it are read by the parsers as they come";
const CLI::Range kWait(0.0, 86400.0);
const char* const kWaitHelp =
    "Seconds to wait while another run writes the same output, 0..86400 (default 0: fail at once)";
const CLI::Range kRecordBytes(uint64_t{1024}, uint64_t{1} << 30);

void AddReportOptions(CLI::App* cmd, ReportArgs* r) {
  cmd->add_option("--report", r->json_path,
                  "Write the JSON run report here (local or s3://; default <output>/_runs/<run-id>.json)");
  cmd->add_option("--report-html", r->html_path,
                  "Write the HTML run report here (default <output>/_runs/<run-id>.html)");
  cmd->add_flag("--json", r->json_stdout, "Print the JSON run report on stdout instead of the text summary");
}

// The options `etl` and `run` share: EtlArgs and RunArgs name them alike.
template <typename Args>
void AddEtlOptions(CLI::App* cmd, Args* a) {
  cmd->add_option("--compression", a->compression, "Parquet codec: snappy, zstd, gzip or none")->default_val("snappy");
  cmd->add_option("--integer-encoding", a->integer_encoding,
                  "Integer and timestamp columns that do not dictionary-encode: delta (DELTA_BINARY_PACKED) or "
                  "plain (PLAIN, for readers without delta support, such as Spark's vectorized reader before 3.3)")
      ->check(CLI::IsMember({"delta", "plain"}))
      ->default_val("delta");
  cmd->add_option("--threads", a->threads, kThreadsHelp)->check(kThreads);
  cmd->add_option("--io-depth", a->io_depth, kIoDepthHelp)->check(CLI::Range(0, 4096));
  cmd->add_option("--read-buffer-mib", a->read_buffer_mib, kReadBufferHelp)->check(CLI::Range(1, 65536));
  cmd->add_flag("--quiet", a->quiet, "No progress bar and no summary");
  cmd->add_option("--wait-for-lock", a->wait_for_lock, kWaitHelp)->check(kWait);
  cmd->add_option("--max-record-bytes", a->max_record_bytes,
                  "Longest record (line, or song file) read, 1024..1073741824 bytes; longer ones are rejected "
                  "as 'record too large' (default 16 MiB)")
      ->check(kRecordBytes);
  cmd->add_option("--endpoint-url", a->endpoint_url,
                  "S3 endpoint for s3:// locations (default: AWS_ENDPOINT_URL, the profile, or AWS)");
  cmd->add_flag("--strict", a->strict, "Fail (exit 1, nothing written) if any record is rejected");
  AddReportOptions(cmd, &a->report);
}

// Stamps the end of a run into `info`: times, threads, run id, and the error when there is one.
void Finish(RunInfo* info, std::chrono::steady_clock::time_point start, const EtlReport& report,
            const std::string& error, const std::string& stage) {
  info->ended_at = UtcNow();
  info->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (info->run_id.empty()) info->run_id = report.run_id;
  if (info->threads == 0) info->threads = report.threads;
  info->succeeded = error.empty();
  info->error = error;
  info->failed_stage = stage;
}

// The first ETL stage the report has not finished.
std::string FailedStage(const EtlReport& report) {
  for (const char* s : kEtlStages) {
    bool done =
        std::any_of(report.stages.begin(), report.stages.end(), [&](const StageTime& t) { return t.name == s; });
    if (!done) return s;
  }
  return "commit";
}

// Writes the run report (JSON and HTML) where --report/--report-html say, else under
// <output>/_runs/ when the output is this run's to write into; prints it with --json. A report
// that cannot be written is a warning: the tables are what the run is for.
void EmitRunReport(RoutingFileSystem& fs, const std::string& output, const ReportArgs& ra, const RunInfo& info,
                   const EtlReport* etl, const std::vector<std::pair<std::string, CompactReport>>& compactions,
                   bool output_is_ours) {
  std::string json = BuildRunReport(info, etl, compactions, fs.Stats());
  if (ra.json_stdout) std::fwrite(json.data(), 1, json.size(), stdout);
  std::string runs = JoinPath(output, "_runs");
  std::string json_path = !ra.json_path.empty()                    ? StripFileScheme(ra.json_path)
                          : output_is_ours && !info.run_id.empty() ? JoinPath(runs, info.run_id + ".json")
                                                                   : "";
  std::string html_path = !ra.html_path.empty()                    ? StripFileScheme(ra.html_path)
                          : output_is_ours && !info.run_id.empty() ? JoinPath(runs, info.run_id + ".html")
                                                                   : "";
  for (const auto& [path, text] :
       {std::pair{json_path, &json}, std::pair{html_path, static_cast<std::string*>(nullptr)}}) {
    if (path.empty()) continue;
    try {
      std::string body = text ? *text : RenderRunReportHtml(json, path);
      auto out = fs.For(path).OpenOutputStream(path);
      out->Write(body);
      out->Close();
    } catch (const Error& e) {
      std::fprintf(stderr, "lakeforge: warning: could not write the run report '%s': %s\n", path.c_str(), e.what());
    }
  }
}

int RunEtlCommand(const EtlArgs& a, const std::vector<std::string>& argv, Communicator& comm) {
  EtlOptions o;
  if (!a.input.empty()) {
    o.songs = JoinPath(a.input, "song_data");
    o.logs = JoinPath(a.input, "log_data");
  }
  if (!a.songs.empty()) o.songs = a.songs;
  if (!a.logs.empty()) o.logs = a.logs;
  if (o.songs.empty() || o.logs.empty())
    throw Error::Usage("etl needs --input <lake>, or both --songs <dir> and --logs <dir>");
  o.output = a.output;
  CheckLocations({{.role = a.songs.empty() ? "--input" : "--songs", .path = o.songs},
                  {.role = a.logs.empty() ? "--input" : "--logs", .path = o.logs}},
                 {{.role = "--output", .path = o.output}});
  o.codec = ParseCodec(a.compression);
  o.delta_integers = a.integer_encoding == "delta";
  o.threads = a.threads;
  o.io_depth = a.io_depth;
  o.read_buffer_bytes = a.read_buffer_mib << 20;
  o.strict = a.strict;
  o.quarantine_unreadable = a.quarantine_unreadable;
  o.wait_for_lock_seconds = a.wait_for_lock;
  o.max_record_bytes = a.max_record_bytes;
  o.comm = &comm;
  Progress progress;
  o.progress = &progress;
  RoutingFileSystem fs(a.endpoint_url);
  // Only rank 0 of a distributed run shows progress, prints the summary and writes the report.
  const bool speaks = comm.root();
  RunInfo info;
  info.command = "etl";
  info.ranks = comm.size();
  info.argv = argv;
  info.started_at = UtcNow();
  auto start = std::chrono::steady_clock::now();
  EtlReport report;
  try {
    ProgressLine line(&progress, speaks && !a.quiet && !a.report.json_stdout);
    RunEtl(fs, o, &report);
  } catch (const Error& e) {
    Finish(&info, start, report, e.what(), FailedStage(report));
    // The output is ours once the inputs were listed (the lock was taken): the report goes there.
    if (speaks) EmitRunReport(fs, StripFileScheme(o.output), a.report, info, &report, {}, !report.stages.empty());
    throw;
  }
  std::string strict = StrictFailureMessage(report);
  Finish(&info, start, report, strict, strict.empty() ? "" : "write");
  if (speaks) EmitRunReport(fs, StripFileScheme(o.output), a.report, info, &report, {}, true);
  if (StrictFailure(report, speaks)) return 1;
  if (speaks && !a.quiet && !a.report.json_stdout) PrintEtlSummary(report, info.seconds, stdout);
  return 0;
}

struct RunArgs {
  std::string input, output, staging, compression = "snappy", integer_encoding = "delta", endpoint_url;
  int threads = 0, io_depth = 0;
  uint64_t read_buffer_mib = 32;
  double wait_for_lock = 0;
  uint64_t max_record_bytes = uint64_t{16} << 20;
  bool quiet = false, strict = false;
  ReportArgs report;
};

// `run`: compact the raw lake's song_data and log_data into staging, then etl the staged files.
int RunRunCommand(const RunArgs& a, const std::vector<std::string>& argv, Communicator& comm) {
  RoutingFileSystem fs(a.endpoint_url);
  std::string input = StripFileScheme(a.input), output = StripFileScheme(a.output);
  std::string staging = a.staging.empty() ? JoinPath(output, "_staging") : StripFileScheme(a.staging);
  const char* parts[2] = {"song_data", "log_data"};
  CheckLocations(
      {{.role = "--input", .path = JoinPath(input, parts[0])}, {.role = "--input", .path = JoinPath(input, parts[1])}},
      {{.role = "--output", .path = output}, {.role = "--staging", .path = staging}});
  CheckStagingApart(staging, output);
  Progress progress;
  std::vector<std::pair<std::string, CompactReport>> compactions;
  EtlReport report;
  LineMap line_map;
  RunInfo info;
  info.command = "run";
  info.ranks = comm.size();
  info.argv = argv;
  info.run_id = NewRunId();
  if (comm.size() > 1) comm.Broadcast(&info.run_id);
  const bool speaks = comm.root();
  info.started_at = UtcNow();
  info.threads = a.threads > 0 ? a.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto start = std::chrono::steady_clock::now();
  bool locked = false;
  std::string stage = "list";
  // The run report's timeline: the compactions, then the ETL's stages, which carry on the same
  // clock from where the last compaction ended.
  std::vector<StageTime> compaction_stages;
  auto timeline = [&] {
    report.stages.insert(report.stages.begin(), compaction_stages.begin(), compaction_stages.end());
  };
  try {
    ProgressLine line(&progress, speaks && !a.quiet && !a.report.json_stdout);
    std::unique_ptr<WriterLock> output_lock, staging_lock;
    comm.Agree(Attempt([&] {
      if (!comm.root()) return;         // rank 0 checks, locks and clears; the others wait for its verdict
      for (const char* part : parts) {  // unreadable input: a clear error before anything is touched
        std::string src = JoinPath(input, part);
        fs.For(src).ListFiles(src, true);
      }
      // One lock for the whole run: the output's, and the staging folder's when it lies elsewhere.
      output_lock = LockForWriting(fs.For(output), output, info.run_id, a.wait_for_lock);
      locked = true;
      if (OverlapOf(ResolveLocation(staging), ResolveLocation(output)) != Overlap::kInside)
        staging_lock = LockForWriting(fs.For(staging), staging, info.run_id, a.wait_for_lock);
      if (!a.staging.empty()) ClaimStaging(fs.For(staging), staging);
      for (const char* part : parts) {  // a previous run's staging must not leak in
        std::string dest = JoinPath(staging, part);
        fs.For(dest).DeleteDirRecursive(dest);
      }
    }));
    // The first stage starts once the lock is held.
    StageTimer timer(&compaction_stages, {.run_start = start, .stages_from = Clock::now()});
    for (int i = 0; i < 2; ++i) {
      // Songs merge per first-level folder, logs per year/month folder: output paths sort as their
      // inputs did, so the tables equal those of `etl` on the raw lake.
      stage = std::string("compact ") + parts[i];
      CompactOptions c;
      c.src = JoinPath(input, parts[i]);
      c.dest = JoinPath(staging, parts[i]);
      c.group_depth = i == 0 ? 1 : 2;
      c.output_codec = "none";
      c.threads = a.threads;
      c.io_depth = a.io_depth;
      c.read_buffer_bytes = a.read_buffer_mib << 20;
      c.progress = &progress;
      c.line_map = &line_map;
      c.lock = staging_lock ? staging_lock.get() : output_lock.get();
      c.comm = &comm;
      c.run_id = info.run_id;
      compactions.emplace_back(parts[i], RunCompact(fs, c));
      timer.Mark(stage);
    }
    stage.clear();
    EtlOptions o;
    o.songs = JoinPath(staging, "song_data");
    o.logs = JoinPath(staging, "log_data");
    o.output = output;
    o.codec = ParseCodec(a.compression);
    o.delta_integers = a.integer_encoding == "delta";
    o.threads = a.threads;
    o.io_depth = a.io_depth;
    o.read_buffer_bytes = a.read_buffer_mib << 20;
    o.strict = a.strict;
    o.progress = &progress;
    o.line_map = &line_map;
    o.run_id = info.run_id;
    o.lock = output_lock.get();
    o.max_record_bytes = a.max_record_bytes;
    o.comm = &comm;
    o.timeline = timer.Next();
    RunEtl(fs, o, &report);
  } catch (const Error& e) {
    std::string failed = stage.empty() ? FailedStage(report) : stage;
    timeline();
    Finish(&info, start, report, e.what(), failed);
    if (speaks) EmitRunReport(fs, output, a.report, info, stage == "list" ? nullptr : &report, compactions, locked);
    throw;
  }
  if (!speaks) return StrictFailure(report, false) ? 1 : 0;
  timeline();
  // The user's input is the raw lake: its files and bytes, not the staged files ETL read.
  report.prefixes.clear();
  for (const char* part : parts) {
    std::vector<std::pair<std::string, uint64_t>> raw;
    std::string merged_root = JoinPath(staging, part);
    for (const auto& [merged, inputs] : line_map)
      if (merged.compare(0, merged_root.size(), merged_root) == 0)
        for (const auto& in : inputs) raw.emplace_back(in.path, in.bytes);
    AddInputPrefixes(JoinPath(input, part), raw, &report.prefixes);
  }
  report.song_files = compactions[0].second.inputs;
  report.log_files = compactions[1].second.inputs;
  report.input_bytes = compactions[0].second.input_bytes + compactions[1].second.input_bytes;
  report.storage = fs.Stats();  // the locks' release included
  std::string strict = StrictFailureMessage(report);
  Finish(&info, start, report, strict, strict.empty() ? "" : "write");
  EmitRunReport(fs, output, a.report, info, &report, compactions, true);
  if (StrictFailure(report, speaks)) return 1;
  if (!a.quiet && !a.report.json_stdout) {
    PrintCompactSummary("compact song_data", compactions[0].second, stdout);
    PrintCompactSummary("compact log_data ", compactions[1].second, stdout);
    PrintEtlSummary(report, info.seconds, stdout);
  }
  return 0;
}

// `compact`: the S3DistCp job.
int RunCompactCommand(CompactOptions c, bool quiet, const ReportArgs& ra, const std::string& endpoint,
                      const std::vector<std::string>& argv, Communicator& comm) {
  RoutingFileSystem fs(endpoint);
  Progress progress;
  c.progress = &progress;
  c.run_id = NewRunId();
  c.comm = &comm;
  if (comm.size() > 1) comm.Broadcast(&c.run_id);
  const bool speaks = comm.root();
  RunInfo info;
  info.command = "compact";
  info.ranks = comm.size();
  info.argv = argv;
  info.run_id = c.run_id;
  info.started_at = UtcNow();
  info.threads = c.threads > 0 ? c.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto start = std::chrono::steady_clock::now();
  CompactReport r;
  std::string dest = StripFileScheme(c.dest);
  try {
    ProgressLine line(&progress, speaks && !quiet && !ra.json_stdout);
    r = RunCompact(fs, c);
  } catch (const Error& e) {
    Finish(&info, start, EtlReport{}, e.what(), "compact");
    if (speaks && (!ra.json_path.empty() || !ra.html_path.empty() || ra.json_stdout))
      EmitRunReport(fs, dest, ra, info, nullptr, {}, false);
    throw;
  }
  if (!speaks) return 0;
  Finish(&info, start, EtlReport{}, "", "");
  EmitRunReport(fs, dest, ra, info, nullptr, {{"compact", r}}, true);
  if (!quiet && !ra.json_stdout) {
    PrintCompactSummary("compact", r, stdout);
    if (std::string line = StorageLine(fs.Stats()); !line.empty()) std::printf("%s\n", line.c_str());
  }
  return 0;
}

// Ends a failed command. Ranks that agreed on the failure (Communicator::Agree) all leave with the
// same message, printed once by rank 0. A failure only this rank saw would leave the others
// waiting in their next collective: it ends the whole job (MPI_Abort).
int Fail(Communicator* comm, const std::string& message, int code) {
  bool distributed = comm != nullptr && comm->size() > 1;
  if (!distributed || comm->root() || !comm->failed_together())
    std::fprintf(stderr, "lakeforge: %s%s\n",
                 distributed && !comm->failed_together() ? ("rank " + std::to_string(comm->rank()) + ": ").c_str() : "",
                 message.c_str());
  if (distributed && !comm->failed_together()) {
    std::fflush(stderr);
    comm->Abort(code);
  }
  return code;
}

// `report`: redraw the HTML of a saved run report, or print what changed between two.
int RunReportCommand(const std::string& json_path, const std::string& html_path, const std::vector<std::string>& diff,
                     const std::string& endpoint) {
  RoutingFileSystem fs(endpoint);
  auto read = [&](const std::string& given) {
    std::string p = StripFileScheme(given);
    FileBuffer buf;
    fs.For(p).ReadFile(p, 0, &buf);
    return std::string(buf.view());
  };
  if (!diff.empty()) {
    std::string out = DiffRunReports(read(diff[0]), diff[0], read(diff[1]), diff[1]);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  if (json_path.empty()) throw Error::Usage("report needs <run.json>, or --diff A.json B.json");
  std::string out_path = html_path;
  if (out_path.empty()) {
    out_path = StripFileScheme(json_path);
    if (out_path.size() > 5 && out_path.compare(out_path.size() - 5, 5, ".json") == 0)
      out_path.resize(out_path.size() - 5);
    out_path += ".html";
  }
  std::string html = RenderRunReportHtml(read(json_path), json_path);
  auto out = fs.For(out_path).OpenOutputStream(out_path);
  out->Write(html);
  out->Close();
  std::printf("%s\n", out_path.c_str());
  return 0;
}

}  // namespace
}  // namespace lakeforge::cli

// jemalloc reads its options from this symbol when the process starts (MALLOC_CONF in the
// environment still overrides them); without jemalloc nothing reads it.
//  - thp:always advises all its memory MADV_HUGEPAGE (a fault per 2 MiB, not per 4 KiB).
//  - percpu_arena:percpu gives each core one arena, used by whichever thread runs there, instead
//    of four arenas per core, each thread keeping to its own: memory one thread frees is reused by
//    the next that runs on that core, so less of it is ever touched (peak RSS, 5 runs each: small
//    lake 110 -> 78 MiB, medium 406 -> 370, logs-heavy 334 -> 301), and it follows the core count,
//    which a fixed arena count would not (bench/results.md, #16 twentieth round).
//    Where the process may run on fewer cores than the machine has (taskset, Slurm's CPU binding,
//    a Kubernetes cpuset), jemalloc cannot tell which core a thread is on: it turns the option off,
//    keeping its default arenas, and says so on stderr on every start. JemallocMessage below keeps
//    that notice off the user's terminal and lets every other jemalloc message through.
extern "C" {
const char* malloc_conf = "thp:always,percpu_arena:percpu";  // NOLINT: the name jemalloc looks up
}

namespace {
// jemalloc's message hook (its malloc_message). Called inside malloc, so it allocates nothing:
// the message goes straight to stderr with write(2).
void JemallocMessage(void*, const char* message) {
  if (std::strstr(message, "Per-CPU arena disabled") != nullptr) return;  // our own option, see above
  for (size_t left = std::strlen(message); left > 0;) {
    ssize_t n = ::write(STDERR_FILENO, message, left);
    if (n <= 0) return;
    message += n;
    left -= static_cast<size_t>(n);
  }
}
}  // namespace

extern "C" {
// The hook jemalloc calls with its messages: this definition takes the place of its own, as
// malloc_conf's does (both are looked up by name when the process starts).
void (*malloc_message)(void*, const char*) = JemallocMessage;  // NOLINT: the name jemalloc looks up
}

int main(int argc, char** argv) {
  using namespace lakeforge;
  if (!JemallocLinked()) {
    // Page faults are expensive on the VMs we run on: keep freed memory in glibc's heap for reuse
    // instead of returning every large block to the kernel and faulting it in again.
    mallopt(M_MMAP_THRESHOLD, 512 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_ARENA_MAX, 4);
  }
  CLI::App app{
      "lakeforge: a data-lake ETL engine. Raw song and event JSON in, Hive-partitioned Parquet "
      "star schema (songs, artists, users, time, songplays) out."};
  app.set_version_flag("--version", std::string("lakeforge ") + kVersion + " (build " + kBuildHash + ")");
  app.require_subcommand(1);

  using cli::kThreads, cli::kThreadsHelp, cli::kWait, cli::kWaitHelp;
  cli::EtlArgs etl;
  auto* etl_cmd = app.add_subcommand("etl", "Build the five star-schema tables from a raw JSON lake.");
  etl_cmd->add_option("--input", etl.input, "Lake root: shorthand for --songs <lake>/song_data --logs <lake>/log_data");
  etl_cmd->add_option("--songs", etl.songs, "Folder (searched recursively) or file of song JSON");
  etl_cmd->add_option("--logs", etl.logs, "Folder (searched recursively) or file of event-log NDJSON");
  etl_cmd->add_option("--output", etl.output, "Output folder; each table is replaced atomically")->required();
  cli::AddEtlOptions(etl_cmd, &etl);
  etl_cmd->add_flag("--quarantine-unreadable-files", etl.quarantine_unreadable,
                    "Set input files that cannot be read or decompressed aside as rejects and go on (default: exit 2, "
                    "nothing written)");
  etl_cmd->footer(
      "Inputs: files and folders whose names start with '.' or '_' are skipped; .gz and .zst are decompressed.\n"
      "Bad records go to <output>/_rejected/ as JSON lines {source, line, reason, error, record}.\n"
      "Exit codes: 0 ok; 1 rejected records under --strict; 2 unusable input/output/arguments.");

  CompactOptions compact;
  std::string require_prev = "true", newline = "true", compact_endpoint;
  bool compact_quiet = false;
  uint64_t compact_read_buffer_mib = 32;
  auto* compact_cmd =
      app.add_subcommand("compact", "Merge small files into larger ones: the S3DistCp job, with its option names.");
  compact_cmd->add_option("--src", compact.src, "Source folder or s3:// prefix")->required();
  compact_cmd->add_option("--dest", compact.dest, "Destination folder or s3:// prefix")->required();
  compact_cmd->add_option("--srcPattern", compact.src_pattern,
                          "Only files whose full URI matches this regular expression");
  compact_cmd->add_option("--srcPrefixesFile", compact.src_prefixes_file,
                          "File (local or s3://) listing the prefixes to read, one per line");
  compact_cmd->add_option(
      "--groupBy", compact.group_by,
      "Regular expression with capture groups: matching files are concatenated per key (the captured text)");
  compact_cmd
      ->add_option("--targetSize", compact.target_size_mib,
                   "Split groups into parts of at least this many MiB of input, 0..1048576 (0: no split)")
      ->check(CLI::Range(0.0, 1048576.0));
  compact_cmd->add_option("--outputCodec", compact.output_codec, "none, gzip, zstd, or keep (the inputs' codec)")
      ->default_val("keep");
  compact_cmd->add_option("--outputManifest", compact.output_manifest,
                          "Write a gzip JSON-lines manifest of the copied inputs under --dest");
  compact_cmd->add_option("--previousManifest", compact.previous_manifest,
                          "Skip inputs listed in this manifest with the same size");
  compact_cmd
      ->add_option("--requirePreviousManifest", require_prev, "Fail when --previousManifest is missing (true|false)")
      ->default_val("true");
  compact_cmd->add_flag("--copyFromManifest", compact.copy_from_manifest,
                        "Copy exactly the inputs listed in --previousManifest");
  compact_cmd->add_flag("--deleteOnSuccess", compact.delete_on_success, "Delete inputs once every output is written");
  compact_cmd->add_option("--newline", newline, "Insert a newline between inputs that do not end with one (true|false)")
      ->default_val("true");
  compact_cmd->add_option("--threads", compact.threads, kThreadsHelp)->check(kThreads);
  compact_cmd->add_option("--io-depth", compact.io_depth, cli::kIoDepthHelp)->check(CLI::Range(0, 4096));
  compact_cmd->add_option("--read-buffer-mib", compact_read_buffer_mib, cli::kReadBufferHelp)->check(CLI::Range(1, 65536));
  compact_cmd->add_option("--endpoint-url", compact_endpoint, "S3 endpoint for s3:// locations");
  compact_cmd->add_flag("--quiet", compact_quiet, "No progress bar and no summary");
  compact_cmd->add_option("--wait-for-lock", compact.wait_for_lock_seconds, kWaitHelp)->check(kWait);

  cli::RunArgs run;
  auto* run_cmd =
      app.add_subcommand("run", "The whole pipeline: compact song_data and log_data into staging, then etl.");
  run_cmd->add_option("--input", run.input, "Lake root holding song_data/ and log_data/")->required();
  run_cmd->add_option("--output", run.output, "Output folder or s3:// prefix for the tables")->required();
  run_cmd->add_option("--staging", run.staging, "Where compacted files go (default <output>/_staging)");
  cli::AddEtlOptions(run_cmd, &run);

  GenerateOptions gen;
  auto* gen_cmd =
      app.add_subcommand("generate", "Write a realistic raw lake (song_data/, log_data/) for demos and benchmarks.");
  gen_cmd->add_option("--output", gen.output, "Folder to write the lake into")->required();
  gen_cmd->add_option("--songs", gen.songs, "Number of song files, 0..100000000")
      ->default_val(1000)
      ->check(CLI::Range(uint64_t{0}, uint64_t{100'000'000}));
  gen_cmd->add_option("--events", gen.events, "Number of log events, 0..10000000000")
      ->default_val(10000)
      ->check(CLI::Range(uint64_t{0}, uint64_t{10'000'000'000}));
  gen_cmd->add_option("--seed", gen.seed, "Random seed; same seed, same lake")->default_val(1);
  gen_cmd->add_option("--dirty-rate", gen.dirty_rate, "Share of damaged records, 0..1")
      ->default_val(0.0)
      ->check(CLI::Range(0.0, 1.0));
  gen_cmd
      ->add_option("--days", gen.days,
                   "Days of logs, one file each from 2018-11-01, 1..3650 (default: events/20000 within 30..365)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{3650}));
  gen_cmd->add_option("--threads", gen.threads, kThreadsHelp)->check(kThreads);
  std::string gen_endpoint;
  gen_cmd->add_option("--endpoint-url", gen_endpoint, "S3 endpoint when --output is s3://");

  std::string report_json, report_html, report_endpoint;
  std::vector<std::string> report_diff;
  auto* report_cmd =
      app.add_subcommand("report", "Redraw a run report's HTML page, or show what changed between two runs.");
  report_cmd->add_option("run_json", report_json, "A run report (JSON), e.g. <output>/_runs/<run-id>.json");
  report_cmd->add_option("--html", report_html, "Where to write the page (default: beside the JSON, .html)");
  report_cmd
      ->add_option("--diff", report_diff, "Two run reports A B: rows per table, rejects per reason, time per stage")
      ->expected(2);
  report_cmd->add_option("--endpoint-url", report_endpoint, "S3 endpoint for s3:// locations");
  cli::ReportArgs compact_report;
  cli::AddReportOptions(compact_cmd, &compact_report);
  bool force_mpi = false;
  for (auto* cmd : {etl_cmd, compact_cmd, run_cmd})
    cmd->add_flag("--mpi", force_mpi,
                  "Join an MPI job even when no launcher variables are set (mpirun and srun are detected)");
  std::vector<std::string> args(argv, argv + argc);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  // The ranks of this job: MPI only when a launcher started us (or --mpi); else this process.
  std::unique_ptr<Communicator> comm;
  try {
    if (etl_cmd->parsed() || compact_cmd->parsed() || run_cmd->parsed()) comm = MakeCommunicator(force_mpi);
    if (etl_cmd->parsed()) return cli::RunEtlCommand(etl, args, *comm);
    if (compact_cmd->parsed()) {
      compact.require_previous_manifest = cli::ParseBool("--requirePreviousManifest", require_prev);
      compact.newline = cli::ParseBool("--newline", newline);
      compact.read_buffer_bytes = compact_read_buffer_mib << 20;
      return cli::RunCompactCommand(compact, compact_quiet, compact_report, compact_endpoint, args, *comm);
    }
    if (report_cmd->parsed()) return cli::RunReportCommand(report_json, report_html, report_diff, report_endpoint);
    if (run_cmd->parsed()) return cli::RunRunCommand(run, args, *comm);
    if (gen_cmd->parsed()) {
      RoutingFileSystem router(gen_endpoint);
      CheckLocations({}, {{.role = "--output", .path = gen.output}});
      gen.output = StripFileScheme(gen.output);
      auto start = std::chrono::steady_clock::now();
      GenerateReport r = GenerateLake(router.For(gen.output), gen);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf(
          "generated %llu song files and %llu log files (%llu events, %llu damaged records, %.1f MiB) in %.2f s\n",
          static_cast<unsigned long long>(r.song_files), static_cast<unsigned long long>(r.log_files),
          static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(r.dirty_records),
          static_cast<double>(r.bytes) / (1 << 20), secs);
      return 0;
    }
  } catch (const Error& e) {
    int code = e.kind() == Error::Kind::kInternal ? 1 : 2;
    return cli::Fail(comm.get(), e.what(), code);
  } catch (const std::exception& e) {
    return cli::Fail(comm.get(), std::string("internal error: ") + e.what(), 1);
  }
  return 0;
}
