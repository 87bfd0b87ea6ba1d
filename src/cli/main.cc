// lakeforge command line: argument parsing -> options -> pipeline calls; progress and reports.
//
// Exit codes: 0 success; 1 records were rejected under --strict, or an internal error;
// 2 unusable input, output or arguments (nothing was written).
#include <CLI/CLI.hpp>
#include <malloc.h>

#include <chrono>
#include <cstdio>

#include "base/error.h"
#include "base/version.h"
#include "cli/report_printer.h"
#include "pipeline/etl.h"
#include "pipeline/generator.h"

namespace lakeforge::cli {
namespace {

struct EtlArgs {
  std::string input, songs, logs, output, compression = "snappy", endpoint_url;
  int threads = 0;
  bool quiet = false, strict = false;
};

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
  o.codec = ParseCodec(a.compression);
  o.threads = a.threads;
  o.strict = a.strict;
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
  if (!report.committed) {
    std::fprintf(stderr, "lakeforge: --strict: %llu record(s) rejected, nothing written; first: %s\n",
                 static_cast<unsigned long long>(report.total_rejects), report.first_reject.c_str());
    return 1;
  }
  if (!a.quiet) PrintEtlSummary(report, secs, stdout);
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

  cli::EtlArgs etl;
  auto* etl_cmd = app.add_subcommand("etl", "Build the five star-schema tables from a raw JSON lake.");
  etl_cmd->add_option("--input", etl.input, "Lake root: shorthand for --songs <lake>/song_data --logs <lake>/log_data");
  etl_cmd->add_option("--songs", etl.songs, "Folder (searched recursively) or file of song JSON");
  etl_cmd->add_option("--logs", etl.logs, "Folder (searched recursively) or file of event-log NDJSON");
  etl_cmd->add_option("--output", etl.output, "Output folder; each table is replaced atomically")->required();
  etl_cmd->add_option("--compression", etl.compression, "Parquet codec: snappy, zstd, gzip or none")
      ->default_val("snappy");
  etl_cmd->add_option("--threads", etl.threads, "Worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  etl_cmd->add_flag("--quiet", etl.quiet, "No progress bar and no summary");
  etl_cmd->add_option("--endpoint-url", etl.endpoint_url,
                      "S3 endpoint for s3:// locations (default: AWS_ENDPOINT_URL, the profile, or AWS)");
  etl_cmd->add_flag("--strict", etl.strict, "Fail (exit 1, nothing written) if any record is rejected");
  etl_cmd->footer(
      "Inputs: files and folders whose names start with '.' or '_' are skipped; .gz and .zst are decompressed.\n"
      "Bad records go to <output>/_rejected/ as JSON lines {source, line, reason, error, record}.\n"
      "Exit codes: 0 ok; 1 rejected records under --strict; 2 unusable input/output/arguments.");

  GenerateOptions gen;
  auto* gen_cmd = app.add_subcommand("generate", "Write a realistic raw lake (song_data/, log_data/) for demos and benchmarks.");
  gen_cmd->add_option("--output", gen.output, "Folder to write the lake into")->required();
  gen_cmd->add_option("--songs", gen.songs, "Number of song files")->default_val(1000);
  gen_cmd->add_option("--events", gen.events, "Number of log events")->default_val(10000);
  gen_cmd->add_option("--seed", gen.seed, "Random seed; same seed, same lake")->default_val(1);
  gen_cmd->add_option("--dirty-rate", gen.dirty_rate, "Share of damaged records, 0..1")->default_val(0.0);
  gen_cmd->add_option("--threads", gen.threads, "Worker threads (default: all cores)");
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
    if (gen_cmd->parsed()) {
      RoutingFileSystem router(gen_endpoint);
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
