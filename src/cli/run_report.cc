// Run report JSON; the document's shape is docs/run-report.schema.json.
#include "cli/run_report.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "base/version.h"
#include "formats/json/json_string.h"

namespace lakeforge::cli {
namespace {

// A minimal streaming JSON writer: commas are placed by the writer, strings are escaped (and made
// valid UTF-8 first: file names and messages can hold any bytes).
class Json {
 public:
  Json& Begin(char c) {
    Sep();
    out_.push_back(c);
    first_ = true;
    return *this;
  }
  Json& End(char c) {
    out_.push_back(c);
    first_ = false;
    return *this;
  }
  Json& Key(std::string_view k) {
    Sep();
    AppendJsonString(k, &out_);
    out_.push_back(':');
    first_ = true;  // the value follows without a comma
    return *this;
  }
  Json& Str(std::string_view v) {
    Sep();
    AppendJsonString(LossyUtf8(v), &out_);
    return *this;
  }
  Json& Num(uint64_t v) {
    Sep();
    out_ += std::to_string(v);
    return *this;
  }
  Json& Real(double v) {
    Sep();
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.6g", std::isfinite(v) ? v : 0.0);
    out_ += buf;
    return *this;
  }
  Json& Bool(bool v) {
    Sep();
    out_ += v ? "true" : "false";
    return *this;
  }
  Json& Null() {
    Sep();
    out_ += "null";
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  void Sep() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
};

// min, median, p99 and max of a list of figures (nearest rank), as one object.
void Distribution(Json& j, std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) {
    return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(std::ceil(q * v.size())) - (q > 0 ? 1 : 0))];
  };
  j.Begin('{');
  j.Key("min").Num(v.empty() ? 0 : v.front());
  j.Key("median").Num(rank(0.5));
  j.Key("p99").Num(rank(0.99));
  j.Key("max").Num(v.empty() ? 0 : v.back());
  j.End('}');
}

void Table(Json& j, const TableReport& t) {
  j.Begin('{');
  j.Key("name").Str(t.name);
  j.Key("rows").Num(t.rows);
  j.Key("files").Num(t.files);
  j.Key("bytes").Num(t.bytes);
  j.Key("partitions").Num(t.written.size());
  std::vector<uint64_t> bytes, rows;
  for (const auto& w : t.written) {
    bytes.push_back(w.bytes);
    rows.push_back(w.rows);
  }
  j.Key("partition_bytes");
  Distribution(j, bytes);
  j.Key("partition_rows");
  Distribution(j, rows);
  // Partition sizes in powers of two: bucket k holds sizes in [2^k, 2^(k+1)).
  std::vector<uint64_t> buckets(64, 0);
  for (uint64_t b : bytes) ++buckets[b == 0 ? 0 : static_cast<size_t>(63 - __builtin_clzll(b))];
  j.Key("partition_bytes_histogram").Begin('[');
  for (size_t k = 0; k < buckets.size(); ++k) {
    if (buckets[k] == 0) continue;
    j.Begin('{').Key("from_bytes").Num(k == 0 ? 0 : uint64_t{1} << k).Key("count").Num(buckets[k]).End('}');
  }
  j.End(']');
  j.End('}');
}

void Compaction(Json& j, const std::string& label, const CompactReport& c) {
  j.Begin('{');
  j.Key("label").Str(label);
  j.Key("inputs").Num(c.inputs);
  j.Key("input_bytes").Num(c.input_bytes);
  j.Key("outputs").Num(c.outputs);
  j.Key("output_bytes").Num(c.output_bytes);
  j.Key("skipped_by_manifest").Num(c.skipped_by_manifest);
  j.Key("unmatched").Num(c.unmatched);
  j.Key("deleted").Num(c.deleted);
  j.Key("seconds").Real(c.seconds);
  j.End('}');
}

bool NamesASecret(std::string_view option) {
  std::string lower(option);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* word : {"key", "secret", "token", "password", "credential"})
    if (lower.find(word) != std::string::npos) return true;
  return false;
}

}  // namespace

std::string UtcNow() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<std::string> RedactArguments(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  bool secret_next = false;
  for (const std::string& a : argv) {
    if (secret_next) {
      out.push_back("***");
      secret_next = false;
      continue;
    }
    std::string r = a;
    size_t eq = r.find('=');
    if (r.rfind("--", 0) == 0 && NamesASecret(r.substr(0, eq))) {
      if (eq == std::string::npos) {
        secret_next = true;
      } else {
        r = r.substr(0, eq + 1) + "***";
      }
    }
    size_t scheme = r.find("://");
    if (scheme != std::string::npos) {  // user:password@ in a URL
      size_t host = r.find_first_of("/?#", scheme + 3);
      size_t at = r.rfind('@', host == std::string::npos ? r.size() : host);
      if (at != std::string::npos && at > scheme) r = r.substr(0, scheme + 3) + "***" + r.substr(at);
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string BuildRunReport(const RunInfo& info, const EtlReport* etl,
                           const std::vector<std::pair<std::string, CompactReport>>& compactions,
                           const StorageStats& storage) {
  Json j;
  j.Begin('{');
  j.Key("schema_version").Num(1);
  j.Key("run_id").Str(info.run_id);
  j.Key("command").Str(info.command);
  j.Key("argv").Begin('[');
  for (const auto& a : RedactArguments(info.argv)) j.Str(a);
  j.End(']');
  j.Key("version").Str(kVersion);
  j.Key("build").Str(kBuildHash);
  std::vector<std::string> hosts;  // distinct, in rank order
  if (etl)
    for (const auto& r : etl->ranks)
      if (std::find(hosts.begin(), hosts.end(), r.host) == hosts.end()) hosts.push_back(r.host);
  if (hosts.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof(host) - 1);
    hosts.emplace_back(host);
  }
  j.Key("hosts").Begin('[');
  for (const auto& h : hosts) j.Str(h);
  j.End(']');
  j.Key("ranks").Num(static_cast<uint64_t>(std::max(1, info.ranks)));
  j.Key("threads").Num(static_cast<uint64_t>(std::max(0, info.threads)));
  if (etl && !etl->reader_backend.empty()) {
    // How the input files were read: in flight at once, read ahead whole, or by the parsers.
    uint64_t ahead = 0, peak = 0;
    for (const auto& r : etl->ranks) {
      ahead += r.files_read_ahead;
      peak = std::max(peak, r.read_buffer_peak);
    }
    j.Key("reader").Begin('{');
    j.Key("backend").Str(etl->reader_backend);
    j.Key("depth").Num(static_cast<uint64_t>(etl->reader_depth));
    j.Key("files_read_ahead").Num(ahead);
    j.Key("files_read_by_parsers").Num(etl->song_files + etl->log_files - ahead);
    j.Key("peak_buffer_bytes").Num(peak);
    j.End('}');
  }
  j.Key("started_at").Str(info.started_at);
  j.Key("ended_at").Str(info.ended_at);
  j.Key("seconds").Real(info.seconds);
  j.Key("status").Str(info.succeeded ? "succeeded" : "failed");
  j.Key("error");
  if (info.succeeded) {
    j.Null();
  } else {
    j.Begin('{').Key("stage").Str(info.failed_stage).Key("message").Str(info.error).End('}');
  }

  j.Key("input").Begin('{');
  if (etl) {
    j.Key("song_files").Num(etl->song_files).Key("log_files").Num(etl->log_files).Key("bytes").Num(etl->input_bytes);
    j.Key("song_records").Num(etl->song_records).Key("log_lines").Num(etl->log_lines);
    j.Key("filtered_lines").Num(etl->filtered_lines).Key("events").Num(etl->events);
    j.Key("duplicate_events").Num(etl->duplicate_events);
    j.Key("prefixes").Begin('[');
    for (const auto& p : etl->prefixes)
      j.Begin('{').Key("prefix").Str(p.prefix).Key("files").Num(p.files).Key("bytes").Num(p.bytes).End('}');
    j.End(']');
    j.Key("skipped_folders").Begin('[');
    for (size_t i = 0; i < etl->skipped_folders.size() && i < 100; ++i) j.Str(etl->skipped_folders[i]);
    j.End(']');
  }
  j.End('}');

  j.Key("compactions").Begin('[');
  for (const auto& [label, c] : compactions) Compaction(j, label, c);
  j.End(']');

  j.Key("stages").Begin('[');
  if (etl) {
    for (const auto& s : etl->stages) {
      j.Begin('{').Key("name").Str(s.name).Key("start_s").Real(s.start).Key("end_s").Real(s.start + s.seconds);
      j.Key("seconds").Real(s.seconds);
      j.Key("workers").Begin('[');
      for (size_t w = 0; w < s.workers.size(); ++w) {
        if (s.workers[w].tasks == 0) continue;
        j.Begin('{').Key("rank").Num(0).Key("worker").Num(w).Key("start_s").Real(s.workers[w].start);
        j.Key("end_s").Real(s.workers[w].end).Key("tasks").Num(s.workers[w].tasks).End('}');
      }
      j.End(']').End('}');
    }
  }
  j.End(']');

  j.Key("tables").Begin('[');
  if (etl)
    for (const auto& t : etl->tables) Table(j, t);
  j.End(']');

  j.Key("rejects").Begin('{');
  j.Key("total").Num(etl ? etl->total_rejects : 0);
  j.Key("by_reason").Begin('[');
  if (etl) {
    for (int r = 0; r < kRejectReasonCount; ++r) {
      if (etl->rejects[static_cast<size_t>(r)] == 0) continue;
      j.Begin('{').Key("reason").Str(RejectReasonName(static_cast<RejectReason>(r)));
      j.Key("count").Num(etl->rejects[static_cast<size_t>(r)]);
      j.Key("samples").Begin('[');
      for (const auto& s : etl->samples[static_cast<size_t>(r)])
        j.Begin('{').Key("source").Str(s.source).Key("line").Num(s.line).Key("error").Str(s.error).End('}');
      j.End(']').End('}');
    }
  }
  j.End(']').End('}');

  j.Key("distribution").Begin('{');
  j.Key("engine").Str(info.ranks > 1 ? "mpi" : "local");
  j.Key("per_rank").Begin('[');
  if (etl) {
    for (const auto& r : etl->ranks) {
      j.Begin('{').Key("rank").Num(static_cast<uint64_t>(r.rank)).Key("host").Str(r.host);
      j.Key("files").Num(r.files).Key("bytes_read").Num(r.bytes_read).Key("records").Num(r.records);
      j.Key("rows_out").Num(r.rows_out).Key("rows_in").Num(r.rows_in);
      j.Key("exchange_bytes_sent")
          .Num(r.exchange_bytes_sent)
          .Key("exchange_bytes_received")
          .Num(r.exchange_bytes_received);
      j.Key("files_written").Num(r.files_written).Key("bytes_written").Num(r.bytes_written);
      j.Key("stage_seconds").Begin('[');
      for (double v : r.stage_seconds) j.Real(v);
      j.End(']').End('}');
    }
  }
  j.End(']');
  j.Key("balance").Begin('{');
  std::vector<RankFigures> none;
  const auto& ranks = etl ? etl->ranks : none;
  j.Key("bytes_read").Real(Imbalance(ranks, &RankFigures::bytes_read));
  j.Key("rows_in").Real(Imbalance(ranks, &RankFigures::rows_in));
  j.Key("files_written").Real(Imbalance(ranks, &RankFigures::files_written));
  j.End('}').End('}');

  j.Key("storage").Begin('{');
  j.Key("requests").Num(storage.requests).Key("retries").Num(storage.retries);
  j.Key("bytes_in").Num(storage.bytes_in).Key("bytes_out").Num(storage.bytes_out);
  j.End('}');

  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  double user = static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6;
  double sys = static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6;
  j.Key("resources").Begin('{');
  j.Key("peak_rss_bytes").Num(static_cast<uint64_t>(ru.ru_maxrss) * 1024);
  j.Key("cpu_user_s").Real(user).Key("cpu_system_s").Real(sys);
  j.End('}');

  uint64_t in_bytes = etl ? etl->input_bytes : 0, records = etl ? etl->song_records + etl->log_lines : 0;
  if (!etl)
    for (const auto& c : compactions) in_bytes += c.second.input_bytes;
  double secs = std::max(info.seconds, 1e-9);
  j.Key("throughput").Begin('{');
  j.Key("input_bytes_per_s").Real(static_cast<double>(in_bytes) / secs);
  j.Key("records_per_s").Real(static_cast<double>(records) / secs);
  j.End('}');
  j.End('}');
  std::string out = j.Take();
  out.push_back('\n');
  return out;
}

}  // namespace lakeforge::cli
