// Counters the pipeline bumps as it goes; the CLI renders them (progress bar) and never the
// pipeline itself. All fields are safe to read from another thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace lakeforge {

class Progress {
 public:
  void BeginStage(const std::string& name, uint64_t total_files) {
    std::lock_guard<std::mutex> lock(mu_);
    stage_ = name;
    files_total_ = total_files;
    files_done_ = 0;
    bytes_done_ = 0;
  }
  std::string stage() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stage_;
  }
  void FileDone(uint64_t bytes) {
    files_done_.fetch_add(1, std::memory_order_relaxed);
    bytes_done_.fetch_add(bytes, std::memory_order_relaxed);
  }
  uint64_t files_total() const { return files_total_.load(); }
  uint64_t files_done() const { return files_done_.load(); }
  uint64_t bytes_done() const { return bytes_done_.load(); }

 private:
  mutable std::mutex mu_;
  std::string stage_;
  std::atomic<uint64_t> files_total_{0}, files_done_{0}, bytes_done_{0};
};

}  // namespace lakeforge
