// Progress line and summary table rendering.
#include "cli/report_printer.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "formats/json/json_string.h"

namespace lakeforge::cli {
namespace {

void PrintSkippedFolders(const std::vector<std::string>& skipped, std::FILE* out);

// Text from outside (file names, error messages) made safe for a terminal: invalid UTF-8 shown as
// U+FFFD, control characters as \xNN, so a hostile file name cannot move the cursor or hide lines.
std::string Printable(std::string_view text) {
  std::string lossy = LossyUtf8(text), out;
  for (unsigned char c : lossy) {
    if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02X", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace

std::string HumanBytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

std::string StorageLine(const StorageStats& s) {
  if (s.requests == 0) return "";
  auto n = [](uint64_t v) { return std::to_string(v); };
  return "s3: " + n(s.requests) + " requests, " + n(s.retries) + " retries, " + n(s.bytes_in) + " bytes in, " +
         n(s.bytes_out) + " bytes out";
}

ProgressLine::ProgressLine(const Progress* progress, bool enabled) : progress_(progress) {
  if (enabled && ::isatty(STDERR_FILENO)) thread_ = std::thread([this] { Loop(); });
}

ProgressLine::~ProgressLine() {
  stop_ = true;
  if (thread_.joinable()) {
    thread_.join();
    std::fprintf(stderr, "\r\033[K");
  }
}

void ProgressLine::Loop() {
  using Clock = std::chrono::steady_clock;
  std::string stage;
  Clock::time_point stage_start = Clock::now();
  while (!stop_) {
    std::string now_stage = progress_->stage();
    if (now_stage != stage) {
      stage = now_stage;
      stage_start = Clock::now();
    }
    double elapsed = std::chrono::duration<double>(Clock::now() - stage_start).count();
    uint64_t done = progress_->files_done(), total = progress_->files_total(), bytes = progress_->bytes_done();
    double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
    int width = 24, filled = static_cast<int>(frac * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    double rate = elapsed > 0 ? static_cast<double>(bytes) / elapsed : 0;
    double eta = (frac > 0 && frac < 1) ? elapsed / frac - elapsed : 0;
    std::fprintf(stderr, "\r\033[K%-15s [%s] %llu/%llu files  %s  %s/s  ETA %.0fs", stage.c_str(), bar.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                 HumanBytes(static_cast<double>(bytes)).c_str(), HumanBytes(rate).c_str(), eta);
    std::fflush(stderr);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void PrintEtlSummary(const EtlReport& r, double seconds, std::FILE* out) {
  std::fprintf(out, "lakeforge etl  run %s  %.2f s\n", r.run_id.c_str(), seconds);
  std::fprintf(out,
               "input   %llu song files, %llu log files, %s; %llu song records, %llu log lines "
               "(%llu not NextSong), %llu events (%llu duplicates dropped)\n",
               static_cast<unsigned long long>(r.song_files), static_cast<unsigned long long>(r.log_files),
               HumanBytes(static_cast<double>(r.input_bytes)).c_str(), static_cast<unsigned long long>(r.song_records),
               static_cast<unsigned long long>(r.log_lines), static_cast<unsigned long long>(r.filtered_lines),
               static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(r.duplicate_events));
  std::fprintf(out, "\n%-10s %12s %8s %12s\n", "table", "rows", "files", "bytes");
  for (const auto& t : r.tables) {
    std::fprintf(out, "%-10s %12llu %8llu %12s\n", t.name.c_str(), static_cast<unsigned long long>(t.rows),
                 static_cast<unsigned long long>(t.files), HumanBytes(static_cast<double>(t.bytes)).c_str());
  }
  std::fprintf(out, "\nrejected  %llu\n", static_cast<unsigned long long>(r.total_rejects));
  for (int i = 0; i < kRejectReasonCount; ++i) {
    if (r.rejects[static_cast<size_t>(i)] == 0) continue;
    std::fprintf(out, "  %-20s %llu\n", RejectReasonName(static_cast<RejectReason>(i)),
                 static_cast<unsigned long long>(r.rejects[static_cast<size_t>(i)]));
  }
  if (!r.first_reject.empty()) std::fprintf(out, "  first: %s\n", Printable(r.first_reject).c_str());
  PrintSkippedFolders(r.skipped_folders, out);
  if (std::string line = StorageLine(r.storage); !line.empty()) std::fprintf(out, "\n%s\n", line.c_str());
  std::fprintf(out, "\nstages   ");
  for (const auto& s : r.stages) std::fprintf(out, " %s %.3fs", s.name.c_str(), s.seconds);
  std::fprintf(out, "\n");
  if (r.ranks.size() > 1) PrintRanks(r.ranks, out);
}

void PrintRanks(const std::vector<RankFigures>& ranks, std::FILE* out) {
  auto Fixed = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.2f", v);
    return std::string(buf);
  };
  auto n = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::fprintf(out, "\n%-5s %-12s %6s %10s %10s %10s %10s %10s %7s %10s  %s\n", "rank", "host", "files", "read",
               "records", "rows out", "rows in", "exchanged", "written", "bytes", "seconds per stage");
  for (const auto& k : ranks) {
    std::string stages;
    for (double s : k.stage_seconds) stages += (stages.empty() ? "" : " ") + Fixed(s);
    std::fprintf(out, "%-5d %-12.12s %6llu %10s %10llu %10llu %10llu %10s %7llu %10s  %s\n", k.rank, k.host.c_str(),
                 n(k.files), HumanBytes(static_cast<double>(k.bytes_read)).c_str(), n(k.records), n(k.rows_out),
                 n(k.rows_in), HumanBytes(static_cast<double>(k.exchange_bytes_sent)).c_str(), n(k.files_written),
                 HumanBytes(static_cast<double>(k.bytes_written)).c_str(), stages.c_str());
  }
  std::fprintf(out, "stages per rank in order: list songs logs transform write commit\n");
  std::fprintf(out, "balance   (max/mean) bytes read %.2f, rows in %.2f, files written %.2f\n",
               Imbalance(ranks, &RankFigures::bytes_read), Imbalance(ranks, &RankFigures::rows_in),
               Imbalance(ranks, &RankFigures::files_written));
}

namespace {
// Symlinked folders a listing did not enter (loops, aliases): counted, with a few examples.
void PrintSkippedFolders(const std::vector<std::string>& skipped, std::FILE* out) {
  if (skipped.empty()) return;
  std::fprintf(out, "\nskipped   %zu symlinked folder(s), each listed once only:\n", skipped.size());
  for (size_t i = 0; i < skipped.size() && i < 5; ++i) std::fprintf(out, "  %s\n", Printable(skipped[i]).c_str());
}
}  // namespace

void PrintCompactSummary(const char* label, const CompactReport& r, std::FILE* out) {
  auto n = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::fprintf(out, "%s: %llu inputs (%s) -> %llu outputs (%s) in %.2f s", label, n(r.inputs),
               HumanBytes(static_cast<double>(r.input_bytes)).c_str(), n(r.outputs),
               HumanBytes(static_cast<double>(r.output_bytes)).c_str(), r.seconds);
  if (r.skipped_by_manifest) std::fprintf(out, "; %llu skipped (in the previous manifest)", n(r.skipped_by_manifest));
  if (r.deleted) std::fprintf(out, "; %llu inputs deleted", n(r.deleted));
  std::fprintf(out, "\n");
  if (r.unmatched) {
    std::fprintf(out, "  %llu files did not match --groupBy and were not copied, e.g.:\n", n(r.unmatched));
    for (const auto& e : r.unmatched_examples) std::fprintf(out, "    %s\n", e.c_str());
  }
  PrintSkippedFolders(r.skipped_folders, out);
}

}  // namespace lakeforge::cli
