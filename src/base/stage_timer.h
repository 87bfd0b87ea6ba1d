// Stage and per-worker timing for run reports: a stage's wall time and start, and when each worker
// thread of a parallel stage was busy (one clock read per task).
#pragma once

#include <chrono>
#include <cstdint>
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

// Where a timer's stages go on a run's timeline: the clock's zero (the run's start) and where its
// first stage starts (the end of the stage before it, when another timer began the run).
struct TimelineOrigin {
  Clock::time_point run_start, stages_from;
};

// Stages follow one another with no gap: each starts where the one before it ended (one clock
// reading per boundary; two would leave the work between them in no stage).
class StageTimer {
 public:
  // Stages from now, on a clock that starts now.
  explicit StageTimer(std::vector<StageTime>* stages) : StageTimer(stages, Start(Clock::now())) {}
  StageTimer(std::vector<StageTime>* stages, TimelineOrigin origin)
      : stages_(stages), run_start_(origin.run_start), start_(origin.stages_from) {}
  // Ends the current stage; `workers` are the spans of its worker threads, when it ran in parallel.
  void Mark(const std::string& name, std::vector<WorkerSpan> workers = {}) {
    auto now = Clock::now();
    stages_->push_back({.name = name,
                        .seconds = std::chrono::duration<double>(now - start_).count(),
                        .start = Since(start_),
                        .workers = std::move(workers)});
    start_ = now;
  }
  // Where a timer that carries on this run's timeline after this one starts.
  TimelineOrigin Next() const { return {.run_start = run_start_, .stages_from = start_}; }
  double Since(Clock::time_point t) const { return std::chrono::duration<double>(t - run_start_).count(); }
  double Now() const { return Since(Clock::now()); }

 private:
  static TimelineOrigin Start(Clock::time_point now) { return {.run_start = now, .stages_from = now}; }

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
