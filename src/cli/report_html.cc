// The run report as one HTML page, drawn from the JSON document alone (so `lakeforge report` can
// redraw any saved report): headline figures, a Gantt of stages and worker threads, rows, files and
// bytes per table, partition-size histograms on a log scale, rejects by reason with samples, input
// per folder. Inline SVG and CSS, no script, no network; light and dark by prefers-color-scheme.
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/error.h"
#include "cli/report_printer.h"
#include "cli/run_report.h"

namespace lakeforge::cli {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string Esc(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

std::string Str(element e, const char* key) {
  std::string_view v;
  return e[key].get(v) ? std::string() : std::string(v);
}
uint64_t U(element e, const char* key) {
  uint64_t v = 0;
  if (!e[key].get(v)) return v;
  int64_t i = 0;
  return e[key].get(i) ? 0 : static_cast<uint64_t>(std::max<int64_t>(0, i));
}
double D(element e, const char* key) {
  double v = 0;
  if (!e[key].get(v)) return v;
  return static_cast<double>(U(e, key));
}
element Obj(element e, const char* key) {
  element o;
  if (e[key].get(o) || !o.is_object())
    throw Error::InvalidInput("run report: '" + std::string(key) + "' is missing or not an object");
  return o;
}
std::string Text(element e) {
  std::string_view v;
  return e.get(v) ? std::string() : std::string(v);
}
array Arr(element e, const char* key) {
  array a;
  if (e[key].get(a)) throw Error::InvalidInput("run report: '" + std::string(key) + "' is missing or not an array");
  return a;
}

constexpr const char* kStyle = R"(
:root{--bg:#f6f7f9;--card:#fff;--ink:#1b1f24;--muted:#5b6470;--line:#d9dde3;--a:#2f6fdf;--b:#18a058;--c:#d97706;--bad:#d03050;--bar:#2f6fdf}
@media (prefers-color-scheme:dark){:root{--bg:#0f1216;--card:#171b21;--ink:#e6e9ee;--muted:#9aa4b2;--line:#2a3039;--a:#5b9bff;--b:#3ccf8e;--c:#f0a33a;--bad:#ff6b81;--bar:#5b9bff}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif}
main{max-width:1360px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px}h3{font-size:15px;margin:14px 0 6px;color:var(--muted)}
.sub{color:var(--muted)}.ok{color:var(--b)}.failed{color:var(--bad)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:12px;margin-top:16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.card .v{font-size:24px;font-weight:650}.card .k{color:var(--muted);font-size:13px}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px;overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:right;padding:5px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
th:first-child,td:first-child{text-align:left}th{color:var(--muted);font-weight:600}
td.msg{text-align:left;white-space:normal;word-break:break-all;font-family:ui-monospace,Menlo,monospace;font-size:12.5px}
svg text{fill:var(--ink);font:12px system-ui,sans-serif}svg .muted{fill:var(--muted)}svg .grid{stroke:var(--line)}
.grid2{display:grid;grid-template-columns:repeat(auto-fill,minmax(400px,1fr));gap:12px}
.error{background:var(--card);border:2px solid var(--bad);border-radius:10px;padding:12px;margin-top:14px}
)";

// Horizontal bars, one per label, scaled to the largest value; the exact value is written beside it.
std::string Bars(const std::vector<std::pair<std::string, double>>& items, const std::string& unit, bool bytes,
                 const char* color, int width = 560, int label = 150) {
  double max = 1;
  for (const auto& [k, v] : items) max = std::max(max, v);
  int row = 26;
  std::string svg = "<svg width='" + std::to_string(width + label + 130) + "' height='" +
                    std::to_string(static_cast<int>(items.size()) * row + 6) + "' role='img'>";
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& [k, v] = items[i];
    int y = static_cast<int>(i) * row;
    double w = std::max(1.0, v / max * width);
    std::string shown = bytes ? HumanBytes(v) : Fmt("%.0f", v) + unit;
    svg += "<text x='0' y='" + std::to_string(y + 17) + "'>" + Esc(k) + "</text>";
    svg += "<rect x='" + std::to_string(label) + "' y='" + std::to_string(y + 4) + "' width='" + Fmt("%.1f", w) +
           "' height='18' rx='3' fill='" + color + "'/>";
    svg += "<text x='" + Fmt("%.1f", label + w + 6) + "' y='" + std::to_string(y + 17) + "'>" + Esc(shown) + "</text>";
  }
  return svg + "</svg>";
}

std::string Timeline(array stages, double total) {
  int left = 170, width = 980, row = 20;
  std::vector<std::string> rows;
  std::string bars;
  double scale = width / std::max(total, 1e-6);
  int y = 22;
  const char* colors[] = {"var(--a)", "var(--b)", "var(--c)"};
  size_t si = 0;
  for (element s : stages) {
    double start = D(s, "start_s"), end = D(s, "end_s");
    const char* color = colors[si++ % 3];
    bars += "<text x='0' y='" + std::to_string(y + 14) + "'>" + Esc(Str(s, "name")) + " (" +
            Fmt("%.3f", D(s, "seconds")) + " s)</text><rect x='" + Fmt("%.1f", left + start * scale) + "' y='" +
            std::to_string(y + 3) + "' width='" + Fmt("%.1f", std::max(1.5, (end - start) * scale)) +
            "' height='14' rx='2' fill='" + color + "'/>";
    y += row;
    array workers;
    if (!s["workers"].get(workers)) {
      for (element w : workers) {
        double ws = D(w, "start_s"), we = D(w, "end_s");
        bars += "<text class='muted' x='14' y='" + std::to_string(y + 12) + "'>rank " + std::to_string(U(w, "rank")) +
                " · worker " + std::to_string(U(w, "worker")) + " · " + std::to_string(U(w, "tasks")) +
                " tasks</text><rect x='" + Fmt("%.1f", left + ws * scale) + "' y='" + std::to_string(y + 3) +
                "' width='" + Fmt("%.1f", std::max(1.5, (we - ws) * scale)) + "' height='10' rx='2' fill='" + color +
                "' opacity='0.55'/>";
        y += 16;
      }
    }
  }
  std::string axis;
  for (int k = 0; k <= 10; ++k) {
    double t = total * k / 10;
    double x = left + t * scale;
    axis += "<line class='grid' x1='" + Fmt("%.1f", x) + "' x2='" + Fmt("%.1f", x) + "' y1='16' y2='" +
            std::to_string(y) + "'/><text class='muted' x='" + Fmt("%.1f", x - 10) + "' y='12'>" + Fmt("%.2f", t) +
            " s</text>";
  }
  return "<svg width='" + std::to_string(left + width + 40) + "' height='" + std::to_string(y + 6) + "' role='img'>" +
         axis + bars + "</svg>";
}

// Partition sizes: one bar per power-of-two bucket, heights on a log scale of the count.
std::string Histogram(element table) {
  array buckets = Arr(table, "partition_bytes_histogram");
  std::vector<std::pair<uint64_t, uint64_t>> b;
  for (element e : buckets) b.emplace_back(U(e, "from_bytes"), U(e, "count"));
  if (b.empty()) return "<p class='sub'>no files</p>";
  double maxlog = 0;
  for (const auto& [f, c] : b) maxlog = std::max(maxlog, std::log10(static_cast<double>(c) + 1));
  int h = 120, bw = 52, gap = 8;
  std::string svg = "<svg width='" + std::to_string(static_cast<int>(b.size()) * (bw + gap) + 40) + "' height='" +
                    std::to_string(h + 44) + "' role='img'>";
  for (size_t i = 0; i < b.size(); ++i) {
    double frac = std::log10(static_cast<double>(b[i].second) + 1) / std::max(maxlog, 1e-9);
    int bh = std::max(2, static_cast<int>(frac * h));
    int x = static_cast<int>(i) * (bw + gap);
    svg += "<rect x='" + std::to_string(x) + "' y='" + std::to_string(h - bh + 16) + "' width='" + std::to_string(bw) +
           "' height='" + std::to_string(bh) + "' rx='2' fill='var(--bar)'/>";
    svg += "<text x='" + std::to_string(x + 2) + "' y='" + std::to_string(h - bh + 12) + "'>" +
           std::to_string(b[i].second) + "</text>";
    svg += "<text class='muted' style='font-size:10.5px' x='" + std::to_string(x) + "' y='" + std::to_string(h + 32) +
           "'>≥" + Esc(HumanBytes(static_cast<double>(b[i].first))) + "</text>";
  }
  return svg + "</svg>";
}

}  // namespace

namespace {
std::string RenderHtml(std::string_view json, const std::string& what);
std::string Diff(std::string_view a_json, const std::string& a_name, std::string_view b_json,
                 const std::string& b_name);
}  // namespace

// A report that parses but lacks a part names the file and the part.
std::string RenderRunReportHtml(std::string_view json, const std::string& what) {
  try {
    return RenderHtml(json, what);
  } catch (const Error& e) {
    if (std::string(e.what()).rfind("run report: ", 0) != 0) throw;
    throw Error::InvalidInput("'" + what +
                              "' is not a complete lakeforge run report: " + std::string(e.what()).substr(12));
  }
}

std::string DiffRunReports(std::string_view a_json, const std::string& a_name, std::string_view b_json,
                           const std::string& b_name) {
  try {
    return Diff(a_json, a_name, b_json, b_name);
  } catch (const Error& e) {
    if (std::string(e.what()).rfind("run report: ", 0) != 0) throw;
    throw Error::InvalidInput("'" + a_name + "' or '" + b_name +
                              "' is not a complete lakeforge run report: " + std::string(e.what()).substr(12));
  }
}

namespace {

std::string RenderHtml(std::string_view json, const std::string& what) {
  simdjson::dom::parser parser;
  element r;
  if (parser.parse(json.data(), json.size(), true).get(r) || !r.is_object() || U(r, "schema_version") != 1)
    throw Error::InvalidInput("'" + what + "' is not a lakeforge run report (expected JSON with schema_version 1)");
  bool ok = Str(r, "status") == "succeeded";
  element input = Obj(r, "input");
  std::string h =
      "<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
      "<title>lakeforge " +
      Esc(Str(r, "command")) + " " + Esc(Str(r, "run_id")) + "</title><style>" + kStyle + "</style></head><body><main>";
  h += "<h1>lakeforge " + Esc(Str(r, "command")) + " <span class='" + (ok ? "ok" : "failed") + "'>" +
       (ok ? "succeeded" : "failed") + "</span></h1>";
  h += "<div class='sub'>run <span id='run-id'>" + Esc(Str(r, "run_id")) + "</span> · " + Esc(Str(r, "started_at")) +
       " → " + Esc(Str(r, "ended_at")) + " · <span id='seconds'>" + Fmt("%.3f", D(r, "seconds")) +
       "</span> s · lakeforge " + Esc(Str(r, "version")) + " (build " + Esc(Str(r, "build")) + ") · " +
       std::to_string(U(r, "threads")) + " threads · ";
  for (element host : Arr(r, "hosts")) h += Esc(Text(host)) + " ";
  h += "</div>";
  std::string argv;
  for (element a : Arr(r, "argv")) argv += Text(a) + " ";
  h += "<div class='sub'><code>" + Esc(argv) + "</code></div>";
  element err;
  if (!ok && !r["error"].get(err) && err.is_object())
    h += "<div class='error'><b>Failed in stage " + Esc(Str(err, "stage")) + ":</b> " + Esc(Str(err, "message")) +
         "</div>";

  // Headline figures.
  uint64_t rows = 0, files = 0, bytes = 0;
  array tables = Arr(r, "tables");
  for (element t : tables) {
    if (Str(t, "name") == "_rejected") continue;
    rows += U(t, "rows");
    files += U(t, "files");
    bytes += U(t, "bytes");
  }
  element res = Obj(r, "resources"), rej = Obj(r, "rejects"), st = Obj(r, "storage");
  auto card = [](const std::string& id, const std::string& v, const std::string& k) {
    return "<div class='card'><div class='v' id='" + id + "'>" + v + "</div><div class='k'>" + k + "</div></div>";
  };
  // A size shown rounded, with the exact bytes beside it for whoever reads the page as data.
  auto bytes_card = [](const std::string& id, double v, const std::string& k) {
    return "<div class='card'><div class='v' data-bytes='" + Fmt("%.0f", v) + "' id='" + id + "'>" +
           Esc(HumanBytes(v)) + "</div><div class='k'>" + k + "</div></div>";
  };
  h += "<div class='cards'>";
  h += card("input-files", std::to_string(U(input, "song_files") + U(input, "log_files")), "input files");
  h += bytes_card("input-bytes", D(input, "bytes"), "input read");
  h += card("records", std::to_string(U(input, "song_records") + U(input, "log_lines")),
            "records (song records + log lines)");
  h += card("events", std::to_string(U(input, "events")), "events");
  h += card("rows", std::to_string(rows), "rows written");
  h += card("files", std::to_string(files), "files written");
  h += bytes_card("bytes", static_cast<double>(bytes), "bytes written");
  h += card("rejects", std::to_string(U(rej, "total")), "records rejected");
  h += card("peak-rss", Esc(HumanBytes(D(res, "peak_rss_bytes"))), "peak memory");
  h += card("cpu", Fmt("%.2f", D(res, "cpu_user_s") + D(res, "cpu_system_s")) + " s", "CPU time");
  h += card("throughput", Esc(HumanBytes(D(Obj(r, "throughput"), "input_bytes_per_s"))) + "/s", "input throughput");
  if (U(st, "requests") > 0)
    h += card("requests", std::to_string(U(st, "requests")),
              "S3 requests (" + std::to_string(U(st, "retries")) + " retries)");
  h += "</div>";

  h += "<h2>Where the time went</h2><div class='panel'>" + Timeline(Arr(r, "stages"), std::max(D(r, "seconds"), 1e-3)) +
       "</div>";

  h +=
      "<h2>Tables</h2><div class='panel'><table id='tables'><tr><th>table</th><th>rows</th><th>files</th><th>bytes</th>"
      "<th>partitions</th><th>partition bytes min / median / p99 / max</th></tr>";
  std::vector<std::pair<std::string, double>> by_rows, by_files, by_bytes;
  for (element t : tables) {
    element pb = Obj(t, "partition_bytes");
    h += "<tr data-table='" + Esc(Str(t, "name")) + "'><td>" + Esc(Str(t, "name")) + "</td><td class='rows'>" +
         std::to_string(U(t, "rows")) + "</td><td class='files'>" + std::to_string(U(t, "files")) +
         "</td><td class='bytes'>" + std::to_string(U(t, "bytes")) + "</td><td>" + std::to_string(U(t, "partitions")) +
         "</td><td>" + Esc(HumanBytes(D(pb, "min"))) + " / " + Esc(HumanBytes(D(pb, "median"))) + " / " +
         Esc(HumanBytes(D(pb, "p99"))) + " / " + Esc(HumanBytes(D(pb, "max"))) + "</td></tr>";
    by_rows.emplace_back(Str(t, "name"), D(t, "rows"));
    by_files.emplace_back(Str(t, "name"), D(t, "files"));
    by_bytes.emplace_back(Str(t, "name"), D(t, "bytes"));
  }
  h += "</table></div><div class='grid2' style='margin-top:12px'>";
  h += "<div class='panel'><h3>rows</h3>" + Bars(by_rows, "", false, "var(--a)", 190, 80) + "</div>";
  h += "<div class='panel'><h3>files</h3>" + Bars(by_files, "", false, "var(--b)", 190, 80) + "</div>";
  h += "<div class='panel'><h3>bytes</h3>" + Bars(by_bytes, "", true, "var(--c)", 190, 80) + "</div></div>";

  h += "<h2>Partition sizes <span class='sub'>(files per size bucket, log scale)</span></h2><div class='grid2'>";
  for (element t : tables) h += "<div class='panel'><h3>" + Esc(Str(t, "name")) + "</h3>" + Histogram(t) + "</div>";
  h += "</div>";

  h += "<h2>Rejected records: <span id='rejects-total'>" + std::to_string(U(rej, "total")) +
       "</span></h2><div class='panel'>";
  std::vector<std::pair<std::string, double>> reasons;
  array by_reason = Arr(rej, "by_reason");
  for (element e : by_reason) reasons.emplace_back(Str(e, "reason"), D(e, "count"));
  if (reasons.empty()) {
    h += "<p class='sub'>none</p>";
  } else {
    h += Bars(reasons, "", false, "var(--bad)");
    h += "<table id='rejects'><tr><th>reason</th><th>count</th><th>source</th><th>line</th><th>error</th></tr>";
    for (element e : by_reason) {
      bool first = true;
      for (element s : Arr(e, "samples")) {
        h += "<tr data-reason='" + Esc(Str(e, "reason")) + "'><td>" + (first ? Esc(Str(e, "reason")) : "") +
             "</td><td class='count'>" + (first ? std::to_string(U(e, "count")) : "") + "</td><td class='msg'>" +
             Esc(Str(s, "source")) + "</td><td>" + std::to_string(U(s, "line")) + "</td><td class='msg'>" +
             Esc(Str(s, "error")) + "</td></tr>";
        first = false;
      }
    }
    h += "</table>";
  }
  h += "</div>";

  array compactions = Arr(r, "compactions");
  if (compactions.size() > 0) {
    h += "<h2>Compaction</h2><div class='panel'><table><tr><th>part</th><th>inputs</th><th>input "
         "bytes</th><th>outputs</th>"
         "<th>output bytes</th><th>seconds</th></tr>";
    for (element c : compactions)
      h += "<tr><td>" + Esc(Str(c, "label")) + "</td><td>" + std::to_string(U(c, "inputs")) + "</td><td>" +
           std::to_string(U(c, "input_bytes")) + "</td><td>" + std::to_string(U(c, "outputs")) + "</td><td>" +
           std::to_string(U(c, "output_bytes")) + "</td><td>" + Fmt("%.3f", D(c, "seconds")) + "</td></tr>";
    h += "</table></div>";
  }

  // Ranks of a distributed run: who read, exchanged and wrote what (reports without the section,
  // or of one process, show nothing here).
  element dist;
  array per_rank;
  if (!r["distribution"].get(dist) && dist.is_object() && !dist["per_rank"].get(per_rank) && per_rank.size() > 1) {
    element bal = Obj(dist, "balance");
    h += "<h2>Ranks <span class='sub'>(balance max/mean: bytes read " + Fmt("%.2f", D(bal, "bytes_read")) +
         ", rows in " + Fmt("%.2f", D(bal, "rows_in")) + ", files written " + Fmt("%.2f", D(bal, "files_written")) +
         ")</span></h2><div class='panel'><table id='ranks'><tr><th>rank</th><th>host</th><th>files</th><th>bytes "
         "read</th><th>records</th><th>rows out</th><th>rows in</th><th>bytes exchanged</th><th>files "
         "written</th><th>bytes written</th><th>seconds: list · songs · logs · transform · write · commit</th></tr>";
    std::vector<std::pair<std::string, double>> read;
    for (element k : per_rank) {
      h += "<tr><td>" + std::to_string(U(k, "rank")) + "</td><td>" + Esc(Str(k, "host")) + "</td><td>" +
           std::to_string(U(k, "files")) + "</td><td class='bytes-read'>" + std::to_string(U(k, "bytes_read")) +
           "</td><td>" + std::to_string(U(k, "records")) + "</td><td>" + std::to_string(U(k, "rows_out")) +
           "</td><td>" + std::to_string(U(k, "rows_in")) + "</td><td>" + Esc(HumanBytes(D(k, "exchange_bytes_sent"))) +
           "</td><td>" + std::to_string(U(k, "files_written")) + "</td><td>" + Esc(HumanBytes(D(k, "bytes_written"))) +
           "</td><td>";
      array secs;
      bool first = true;
      if (!k["stage_seconds"].get(secs)) {
        for (element v : secs) {
          double d = 0;
          if (v.get(d)) d = 0;
          h += (first ? "" : " · ") + Fmt("%.2f", d);
          first = false;
        }
      }
      h += "</td></tr>";
      read.emplace_back("rank " + std::to_string(U(k, "rank")), D(k, "bytes_read"));
    }
    h += "</table><h3>bytes read per rank</h3>" + Bars(read, "", true, "var(--a)") + "</div>";
  }

  array prefixes;
  if (!input["prefixes"].get(prefixes) && prefixes.size() > 0) {
    std::vector<std::pair<std::string, double>> top;
    for (element p : prefixes)
      top.emplace_back(Str(p, "prefix") + " (" + std::to_string(U(p, "files")) + " files)", D(p, "bytes"));
    std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (top.size() > 20) top.resize(20);
    h += "<h2>Input by folder <span class='sub'>(largest 20)</span></h2><div class='panel'>" +
         Bars(top, "", true, "var(--a)") + "</div>";
  }
  h += "</main></body></html>\n";
  return h;
}

std::string Diff(std::string_view a_json, const std::string& a_name, std::string_view b_json,
                 const std::string& b_name) {
  simdjson::dom::parser pa, pb;
  element a, b;
  if (pa.parse(a_json.data(), a_json.size(), true).get(a) || !a.is_object() || U(a, "schema_version") != 1)
    throw Error::InvalidInput("'" + a_name + "' is not a lakeforge run report (expected JSON with schema_version 1)");
  if (pb.parse(b_json.data(), b_json.size(), true).get(b) || !b.is_object() || U(b, "schema_version") != 1)
    throw Error::InvalidInput("'" + b_name + "' is not a lakeforge run report (expected JSON with schema_version 1)");
  std::string out = "run " + Str(a, "run_id") + " (" + Str(a, "started_at") + ") -> run " + Str(b, "run_id") + " (" +
                    Str(b, "started_at") + ")\n";
  auto line = [&](const std::string& what, double x, double y, bool real) {
    char buf[200];
    double d = y - x;
    std::string pct = x != 0 ? Fmt(" (%+.1f%%)", 100.0 * d / x) : (y != 0 ? " (new)" : "");
    if (real) {
      std::snprintf(buf, sizeof(buf), "  %-28s %14.3f %14.3f %+14.3f%s\n", what.c_str(), x, y, d, pct.c_str());
    } else {
      std::snprintf(buf, sizeof(buf), "  %-28s %14.0f %14.0f %+14.0f%s\n", what.c_str(), x, y, d, pct.c_str());
    }
    out += buf;
  };
  // Pairs up entries of two arrays by a name key, in A's order then B's new ones.
  auto pairs = [](element ea, element eb, const char* list, const char* key) {
    std::vector<std::string> names;
    for (element e : Arr(ea, list)) names.push_back(Str(e, key));
    for (element e : Arr(eb, list))
      if (std::find(names.begin(), names.end(), Str(e, key)) == names.end()) names.push_back(Str(e, key));
    return names;
  };
  auto find = [](element e, const char* list, const char* key, const std::string& name) -> std::optional<element> {
    for (element x : Arr(e, list))
      if (Str(x, key) == name) return x;
    return std::nullopt;
  };
  auto get = [](std::optional<element> e, const char* k) { return e ? D(*e, k) : 0.0; };
  out += "\ntables                                    A              B         change\n";
  for (const auto& t : pairs(a, b, "tables", "name")) {
    auto x = find(a, "tables", "name", t), y = find(b, "tables", "name", t);
    line(t + " rows", get(x, "rows"), get(y, "rows"), false);
    line(t + " files", get(x, "files"), get(y, "files"), false);
    line(t + " bytes", get(x, "bytes"), get(y, "bytes"), false);
  }
  out += "\nrejected records                          A              B         change\n";
  element ra = Obj(a, "rejects"), rb = Obj(b, "rejects");
  line("total", D(ra, "total"), D(rb, "total"), false);
  for (const auto& reason : pairs(ra, rb, "by_reason", "reason"))
    line(reason, get(find(ra, "by_reason", "reason", reason), "count"),
         get(find(rb, "by_reason", "reason", reason), "count"), false);
  out += "\nseconds per stage                         A              B         change\n";
  for (const auto& s : pairs(a, b, "stages", "name"))
    line(s, get(find(a, "stages", "name", s), "seconds"), get(find(b, "stages", "name", s), "seconds"), true);
  line("whole run", D(a, "seconds"), D(b, "seconds"), true);
  return out;
}

}  // namespace
}  // namespace lakeforge::cli
