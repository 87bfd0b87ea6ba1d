// Human-facing output of the CLI: the live progress line and the end-of-run summary table.
#pragma once

#include <atomic>
#include <thread>

#include "base/progress.h"
#include "compact/compact.h"
#include "pipeline/etl.h"

namespace lakeforge::cli {

// Redraws one status line on stderr every 200 ms while alive (only when stderr is a terminal).
class ProgressLine {
 public:
  ProgressLine(const Progress* progress, bool enabled);
  ~ProgressLine();

 private:
  void Loop();
  const Progress* progress_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// "34.8 KiB": bytes in the largest unit that keeps the figure at least 1, one decimal past bytes.
std::string HumanBytes(double bytes);
// "s3: N requests, R retries, X bytes in, Y bytes out", or "" when no request was made.
std::string StorageLine(const StorageStats& stats);

void PrintEtlSummary(const EtlReport& report, double seconds, std::FILE* out);
// One line: "<label>: N inputs (size) -> M outputs (size) in T s", then skipped, deleted and
// unmatched inputs when there are any.
// Per-rank figures of a distributed run and the load balance.
void PrintRanks(const std::vector<RankFigures>& ranks, std::FILE* out);
void PrintCompactSummary(const char* label, const CompactReport& report, std::FILE* out);

}  // namespace lakeforge::cli
