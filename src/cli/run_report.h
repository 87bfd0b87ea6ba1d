// The run report: one JSON document per etl, run or compact (schema in docs/run-report.schema.json,
// schema_version 1) that orchestrators read and the HTML page is drawn from. It is built from the
// same report objects as the text summary, holds no secret (the command line is redacted, the
// environment never read into it), and stays small whatever the lake: samples, prefixes and
// histograms are bounded.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compact/compact.h"
#include "io/file_system.h"
#include "pipeline/etl.h"

namespace lakeforge::cli {

struct RunInfo {
  std::string command;            // etl, run or compact
  std::vector<std::string> argv;  // as given; redacted when written
  std::string run_id;
  std::string started_at, ended_at;  // UTC, ISO 8601
  double seconds = 0;
  int threads = 0;  // per rank
  int ranks = 1;
  bool succeeded = false;
  std::string error;         // when it failed
  std::string failed_stage;  // when it failed
};

// "scheme://user:secret@host/…" -> "scheme://***@host/…"; the values of options that name a
// secret (key, secret, token, password, credential) -> "***".
std::vector<std::string> RedactArguments(const std::vector<std::string>& argv);

// The JSON document. `etl` may be null (compact, or a run that failed before its ETL began).
std::string BuildRunReport(const RunInfo& info, const EtlReport* etl,
                           const std::vector<std::pair<std::string, CompactReport>>& compactions,
                           const StorageStats& storage);

// The report as one self-contained HTML page (inline SVG and CSS, no script, no network).
// Throws Error::InvalidInput naming `what` when `json` is not a run report.
std::string RenderRunReportHtml(std::string_view json, const std::string& what);

// What changed from run A to run B: rows, files and bytes per table, rejects per reason, seconds
// per stage. Throws Error::InvalidInput naming the file that is not a run report.
std::string DiffRunReports(std::string_view a, const std::string& a_name, std::string_view b,
                           const std::string& b_name);

// UTC now as ISO 8601.
std::string UtcNow();

}  // namespace lakeforge::cli
