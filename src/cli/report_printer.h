// Human-facing output of the CLI: the live progress line and the end-of-run summary table.
#pragma once

#include <atomic>
#include <thread>

#include "pipeline/etl.h"
#include "pipeline/progress.h"

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

void PrintEtlSummary(const EtlReport& report, double seconds, std::FILE* out);

}  // namespace lakeforge::cli
