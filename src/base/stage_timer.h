// Stage and per-worker timing for run reports: a stage's wall time and start, and when each worker
// thread of a parallel stage was busy (one clock read per task).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace lakeforge {

using Clock = std::chrono::steady_clock;

// When one worker thread of a stage was busy, in seconds since the run started, and with how many
// tasks (files, partitions): what a run report's timeline draws.
struct WorkerSpan {
  double start = 0, end = 0;
  uint64_t tasks = 0;
};

struct StageTime {
  std::string name;
  double seconds;
  double start = 0;                 // seconds since the run started
  std::vector<WorkerSpan> workers;  // parallel stages only
};

class StageTimer {
 public:
  explicit StageTimer(std::vector<StageTime>* stages) : stages_(stages), run_start_(Clock::now()), start_(run_start_) {}
  // Ends the current stage; `workers` are the spans of its worker threads, when it ran in parallel.
  void Mark(const std::string& name, std::vector<WorkerSpan> workers = {}) {
    auto now = Clock::now();
    stages_->push_back({.name = name,
                        .seconds = std::chrono::duration<double>(now - start_).count(),
                        .start = Since(start_),
                        .workers = std::move(workers)});
    start_ = now;
  }
  double Since(Clock::time_point t) const { return std::chrono::duration<double>(t - run_start_).count(); }
  double Now() const { return Since(Clock::now()); }

 private:
  std::vector<StageTime>* stages_;
  Clock::time_point run_start_, start_;
};

// Per-thread busy spans of a parallel stage: each task widens its worker's span.
class WorkerSpans {
 public:
  WorkerSpans(const StageTimer& timer, int threads) : timer_(timer), spans_(static_cast<size_t>(threads)) {}
  template <typename Fn>
  void Run(int worker, Fn&& fn) {
    double t0 = timer_.Now();
    fn();
    WorkerSpan& s = spans_[static_cast<size_t>(worker)];
    if (s.tasks++ == 0) s.start = t0;
    s.end = timer_.Now();
  }
  std::vector<WorkerSpan> Take() { return std::move(spans_); }

 private:
  const StageTimer& timer_;
  std::vector<WorkerSpan> spans_;
};

}  // namespace lakeforge
