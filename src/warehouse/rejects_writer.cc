// JSON-lines quarantine output; format in rejects_writer.h.
#include "warehouse/rejects_writer.h"

#include <simdjson.h>

#include "formats/json/json_string.h"

namespace lakeforge {
namespace {

std::string Base64(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint32_t{static_cast<uint8_t>(in[i])} << 16) | (uint32_t{static_cast<uint8_t>(in[i + 1])} << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (i < in.size()) {
    uint32_t v = uint32_t{static_cast<uint8_t>(in[i])} << 16;
    if (i + 1 < in.size()) v |= uint32_t{static_cast<uint8_t>(in[i + 1])} << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

}  // namespace

TableReport WriteRejects(FileSystem& fs, const std::string& root, const std::vector<Reject>& rejects,
                         const std::vector<std::string>& sources, const std::string& run_id) {
  TableReport report{.name = "_rejected", .rows = rejects.size(), .files = 0, .bytes = 0, .written = {}};
  std::string dir = JoinPath(root, "_rejected");
  fs.CreateDirs(dir);
  if (rejects.empty()) return report;
  std::string name = "part-00000-" + run_id + ".jsonl";
  auto out = fs.OpenOutputStream(JoinPath(dir, name));
  std::string line;
  for (const Reject& r : rejects) {
    // The source as a person reads it (invalid bytes shown as U+FFFD) and, when that loses bytes,
    // exactly, for programs.
    const std::string& source = sources[r.file];
    bool source_utf8 = simdjson::validate_utf8(source.data(), source.size());
    line.assign("{\"source\":");
    AppendJsonString(source_utf8 ? source : LossyUtf8(source), &line);
    if (!source_utf8) line += ",\"source_base64\":\"" + Base64(source) + "\"";
    line += ",\"line\":" + std::to_string(r.line) + ",\"reason\":";
    AppendJsonString(RejectReasonName(r.reason), &line);
    line += ",\"error\":";
    bool error_utf8 = simdjson::validate_utf8(r.error.data(), r.error.size());
    AppendJsonString(error_utf8 ? r.error : LossyUtf8(r.error), &line);
    if (simdjson::validate_utf8(r.record.data(), r.record.size())) {
      line += ",\"record\":";
      AppendJsonString(r.record, &line);
    } else {
      line += ",\"record_base64\":\"" + Base64(r.record) + "\"";
    }
    line += "}\n";
    out->Write(line);
  }
  report.bytes = static_cast<uint64_t>(out->Tell());
  report.files = 1;
  out->Close();
  report.written.push_back({.path = name, .bytes = report.bytes, .rows = rejects.size()});
  return report;
}

}  // namespace lakeforge
