// lakeforge command line: argument parsing -> options -> pipeline calls; progress and reports.
//
// Exit codes: 0 success; 1 records were rejected under --strict, or an internal error;
// 2 unusable input, output or arguments (nothing was written).
#include <CLI/CLI.hpp>
#include <malloc.h>

#include <chrono>
#include <cstdio>

#include "base/error.h"
#include "base/run_id.h"
#include "base/version.h"
#include "io/location.h"
#include "cli/report_printer.h"
#include "pipeline/compact.h"
#include "pipeline/etl.h"
#include "pipeline/generator.h"

namespace lakeforge::cli {
namespace {

struct EtlArgs {
  std::string input, songs, logs, output, compression = "snappy", endpoint_url;
  int threads = 0;
  double wait_for_lock = 0;
  uint64_t max_record_bytes = uint64_t{16} << 20;
  bool quiet = false, strict = false, quarantine_unreadable = false;
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
  if (!entries.empty())
    throw Error::Usage("--staging '" + staging + "' already holds files lakeforge did not stage (e.g. '" + entries.front() +
                       "'); run empties its staging folder, so name a new or empty one");
  auto out = fs.OpenOutputStream(marker);
  out->Write("lakeforge run stages compacted inputs here and deletes them on the next run\n");
  out->Close();
}

// Under --strict a run with rejected records commits nothing: say so, with the first error.
bool StrictFailure(const EtlReport& report) {
  if (report.committed) return false;
  std::fprintf(stderr, "lakeforge: --strict: %llu record(s) rejected, nothing written; first: %s\n",
               static_cast<unsigned long long>(report.total_rejects), report.first_reject.c_str());
  return true;
}

int RunEtlCommand(const EtlArgs& a) {
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
  o.threads = a.threads;
  o.strict = a.strict;
  o.quarantine_unreadable = a.quarantine_unreadable;
  o.wait_for_lock_seconds = a.wait_for_lock;
  o.max_record_bytes = a.max_record_bytes;
  Progress progress;
  o.progress = &progress;
  RoutingFileSystem fs(a.endpoint_url);
  auto start = std::chrono::steady_clock::now();
  EtlReport report;
  {
    ProgressLine line(&progress, !a.quiet);
    report = RunEtl(fs, o);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (StrictFailure(report)) return 1;
  if (!a.quiet) PrintEtlSummary(report, secs, stdout);
  return 0;
}

struct RunArgs {
  std::string input, output, staging, compression = "snappy", endpoint_url;
  int threads = 0;
  double wait_for_lock = 0;
  uint64_t max_record_bytes = uint64_t{16} << 20;
  bool quiet = false, strict = false;
};

// `run`: compact the raw lake's song_data and log_data into staging, then etl the staged files.
int RunRunCommand(const RunArgs& a) {
  RoutingFileSystem fs(a.endpoint_url);
  std::string input = StripFileScheme(a.input), output = StripFileScheme(a.output);
  std::string staging = a.staging.empty() ? JoinPath(output, "_staging") : StripFileScheme(a.staging);
  const char* parts[2] = {"song_data", "log_data"};
  CheckLocations({{.role = "--input", .path = JoinPath(input, parts[0])}, {.role = "--input", .path = JoinPath(input, parts[1])}},
                 {{.role = "--output", .path = output}, {.role = "--staging", .path = staging}});
  CheckStagingApart(staging, output);
  Progress progress;
  CompactReport reports[2];
  EtlReport report;
  LineMap line_map;
  auto start = std::chrono::steady_clock::now();
  {
    ProgressLine line(&progress, !a.quiet);
    for (const char* part : parts) {  // unreadable input: a clear error before anything is touched
      std::string src = JoinPath(input, part);
      fs.For(src).ListFiles(src, true);
    }
    // One lock for the whole run: the output's, and the staging folder's when it lies elsewhere.
    std::string run_id = NewRunId();
    auto output_lock = LockForWriting(fs.For(output), output, run_id, a.wait_for_lock);
    std::unique_ptr<WriterLock> staging_lock;
    if (OverlapOf(ResolveLocation(staging), ResolveLocation(output)) != Overlap::kInside)
      staging_lock = LockForWriting(fs.For(staging), staging, run_id, a.wait_for_lock);
    if (!a.staging.empty()) ClaimStaging(fs.For(staging), staging);
    for (int i = 0; i < 2; ++i) {
      // Songs merge per first-level folder, logs per year/month folder: output paths sort as their
      // inputs did, so the tables equal those of `etl` on the raw lake.
      CompactOptions c;
      c.src = JoinPath(input, parts[i]);
      c.dest = JoinPath(staging, parts[i]);
      c.group_depth = i == 0 ? 1 : 2;
      c.output_codec = "none";
      c.threads = a.threads;
      c.progress = &progress;
      c.line_map = &line_map;
      c.lock = staging_lock ? staging_lock.get() : output_lock.get();
      fs.For(c.dest).DeleteDirRecursive(c.dest);  // a previous run's staging must not leak in
      reports[i] = RunCompact(fs, c);
    }
    EtlOptions o;
    o.songs = JoinPath(staging, "song_data");
    o.logs = JoinPath(staging, "log_data");
    o.output = output;
    o.codec = ParseCodec(a.compression);
    o.threads = a.threads;
    o.strict = a.strict;
    o.progress = &progress;
    o.line_map = &line_map;
    o.run_id = run_id;
    o.lock = output_lock.get();
    o.max_record_bytes = a.max_record_bytes;
    report = RunEtl(fs, o);
  }
  report.storage_stats = fs.StatsLine();  // the locks' release included
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The user's input is the raw lake: its files and bytes, not the staged files ETL read.
  report.song_files = reports[0].inputs;
  report.log_files = reports[1].inputs;
  report.input_bytes = reports[0].input_bytes + reports[1].input_bytes;
  if (StrictFailure(report)) return 1;
  if (!a.quiet) {
    PrintCompactSummary("compact song_data", reports[0], stdout);
    PrintCompactSummary("compact log_data ", reports[1], stdout);
    PrintEtlSummary(report, secs, stdout);
  }
  return 0;
}

}  // namespace
}  // namespace lakeforge::cli

int main(int argc, char** argv) {
  using namespace lakeforge;
  // Page faults are expensive on the VMs we run on: keep freed memory in the heap for reuse instead
  // of returning every large block to the kernel and faulting it in again.
  mallopt(M_MMAP_THRESHOLD, 512 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_ARENA_MAX, 4);
  CLI::App app{"lakeforge: a data-lake ETL engine. Raw song and event JSON in, Hive-partitioned Parquet "
               "star schema (songs, artists, users, time, songplays) out."};
  app.set_version_flag("--version", std::string("lakeforge ") + kVersion + " (build " + kBuildHash + ")");
  app.require_subcommand(1);

  // Every numeric option has a range, checked at parse time (exit 2 with a usage message).
  const CLI::Range kThreads(0, 1024);
  const CLI::Range kWait(0.0, 86400.0);
  const CLI::Range kRecordBytes(uint64_t{1024}, uint64_t{1} << 30);
  const char* kRecordHelp = "Longest record (line, or song file) read, 1024..1073741824 bytes; longer ones are rejected "
                            "as 'record too large' (default 16 MiB)";
  const char* kWaitHelp = "Seconds to wait while another run writes the same output, 0..86400 (default 0: fail at once)";
  cli::EtlArgs etl;
  auto* etl_cmd = app.add_subcommand("etl", "Build the five star-schema tables from a raw JSON lake.");
  etl_cmd->add_option("--input", etl.input, "Lake root: shorthand for --songs <lake>/song_data --logs <lake>/log_data");
  etl_cmd->add_option("--songs", etl.songs, "Folder (searched recursively) or file of song JSON");
  etl_cmd->add_option("--logs", etl.logs, "Folder (searched recursively) or file of event-log NDJSON");
  etl_cmd->add_option("--output", etl.output, "Output folder; each table is replaced atomically")->required();
  etl_cmd->add_option("--compression", etl.compression, "Parquet codec: snappy, zstd, gzip or none")
      ->default_val("snappy");
  etl_cmd->add_option("--threads", etl.threads, "Worker threads, 0..1024 (default 0: all cores)")->check(kThreads);
  etl_cmd->add_flag("--quiet", etl.quiet, "No progress bar and no summary");
  etl_cmd->add_option("--wait-for-lock", etl.wait_for_lock, kWaitHelp)->check(kWait);
  etl_cmd->add_option("--max-record-bytes", etl.max_record_bytes, kRecordHelp)->check(kRecordBytes);
  etl_cmd->add_option("--endpoint-url", etl.endpoint_url,
                      "S3 endpoint for s3:// locations (default: AWS_ENDPOINT_URL, the profile, or AWS)");
  etl_cmd->add_flag("--strict", etl.strict, "Fail (exit 1, nothing written) if any record is rejected");
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
  auto* compact_cmd = app.add_subcommand("compact", "Merge small files into larger ones: the S3DistCp job, with its option names.");
  compact_cmd->add_option("--src", compact.src, "Source folder or s3:// prefix")->required();
  compact_cmd->add_option("--dest", compact.dest, "Destination folder or s3:// prefix")->required();
  compact_cmd->add_option("--srcPattern", compact.src_pattern, "Only files whose full URI matches this regular expression");
  compact_cmd->add_option("--srcPrefixesFile", compact.src_prefixes_file, "File (local or s3://) listing the prefixes to read, one per line");
  compact_cmd->add_option("--groupBy", compact.group_by,
                          "Regular expression with capture groups: matching files are concatenated per key (the captured text)");
  compact_cmd->add_option("--targetSize", compact.target_size_mib,
                          "Split groups into parts of at least this many MiB of input, 0..1048576 (0: no split)")
      ->check(CLI::Range(0.0, 1048576.0));
  compact_cmd->add_option("--outputCodec", compact.output_codec, "none, gzip, zstd, or keep (the inputs' codec)")->default_val("keep");
  compact_cmd->add_option("--outputManifest", compact.output_manifest, "Write a gzip JSON-lines manifest of the copied inputs under --dest");
  compact_cmd->add_option("--previousManifest", compact.previous_manifest, "Skip inputs listed in this manifest with the same size");
  compact_cmd->add_option("--requirePreviousManifest", require_prev, "Fail when --previousManifest is missing (true|false)")->default_val("true");
  compact_cmd->add_flag("--copyFromManifest", compact.copy_from_manifest, "Copy exactly the inputs listed in --previousManifest");
  compact_cmd->add_flag("--deleteOnSuccess", compact.delete_on_success, "Delete inputs once every output is written");
  compact_cmd->add_option("--newline", newline, "Insert a newline between inputs that do not end with one (true|false)")->default_val("true");
  compact_cmd->add_option("--threads", compact.threads, "Worker threads, 0..1024 (default 0: all cores)")->check(kThreads);
  compact_cmd->add_option("--endpoint-url", compact_endpoint, "S3 endpoint for s3:// locations");
  compact_cmd->add_flag("--quiet", compact_quiet, "No progress bar and no summary");
  compact_cmd->add_option("--wait-for-lock", compact.wait_for_lock_seconds, kWaitHelp)->check(kWait);

  cli::RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "The whole pipeline: compact song_data and log_data into staging, then etl.");
  run_cmd->add_option("--input", run.input, "Lake root holding song_data/ and log_data/")->required();
  run_cmd->add_option("--output", run.output, "Output folder or s3:// prefix for the tables")->required();
  run_cmd->add_option("--staging", run.staging, "Where compacted files go (default <output>/_staging)");
  run_cmd->add_option("--compression", run.compression, "Parquet codec: snappy, zstd, gzip or none")->default_val("snappy");
  run_cmd->add_option("--threads", run.threads, "Worker threads, 0..1024 (default 0: all cores)")->check(kThreads);
  run_cmd->add_option("--endpoint-url", run.endpoint_url, "S3 endpoint for s3:// locations");
  run_cmd->add_option("--wait-for-lock", run.wait_for_lock, kWaitHelp)->check(kWait);
  run_cmd->add_option("--max-record-bytes", run.max_record_bytes, kRecordHelp)->check(kRecordBytes);
  run_cmd->add_flag("--quiet", run.quiet, "No progress bar and no summary");
  run_cmd->add_flag("--strict", run.strict, "Fail (exit 1, nothing written) if any record is rejected");

  GenerateOptions gen;
  auto* gen_cmd = app.add_subcommand("generate", "Write a realistic raw lake (song_data/, log_data/) for demos and benchmarks.");
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
  gen_cmd->add_option("--threads", gen.threads, "Worker threads, 0..1024 (default 0: all cores)")->check(kThreads);
  std::string gen_endpoint;
  gen_cmd->add_option("--endpoint-url", gen_endpoint, "S3 endpoint when --output is s3://");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    if (etl_cmd->parsed()) return cli::RunEtlCommand(etl);
    if (compact_cmd->parsed()) {
      compact.require_previous_manifest = cli::ParseBool("--requirePreviousManifest", require_prev);
      compact.newline = cli::ParseBool("--newline", newline);
      RoutingFileSystem fs(compact_endpoint);
      Progress progress;
      compact.progress = &progress;
      CompactReport r;
      {
        cli::ProgressLine line(&progress, !compact_quiet);
        r = RunCompact(fs, compact);
      }
      if (!compact_quiet) {
        cli::PrintCompactSummary("compact", r, stdout);
        if (!fs.StatsLine().empty()) std::printf("%s\n", fs.StatsLine().c_str());
      }
      return 0;
    }
    if (run_cmd->parsed()) return cli::RunRunCommand(run);
    if (gen_cmd->parsed()) {
      RoutingFileSystem router(gen_endpoint);
      CheckLocations({}, {{.role = "--output", .path = gen.output}});
      gen.output = StripFileScheme(gen.output);
      auto start = std::chrono::steady_clock::now();
      GenerateReport r = GenerateLake(router.For(gen.output), gen);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("generated %llu song files and %llu log files (%llu events, %llu damaged records, %.1f MiB) in %.2f s\n",
                  static_cast<unsigned long long>(r.song_files), static_cast<unsigned long long>(r.log_files),
                  static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(r.dirty_records),
                  static_cast<double>(r.bytes) / (1 << 20), secs);
      return 0;
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "lakeforge: %s\n", e.what());
    return e.kind() == Error::Kind::kInternal ? 1 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lakeforge: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
