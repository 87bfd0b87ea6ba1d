// libFuzzer target: arbitrary bytes as a song file and as a log file. The parsers must never crash,
// must account for every line (event, filtered or rejected), and every reject must name a line
// that exists. MemberValueText (the source text of a number or boolean kept in a string field) is
// checked against simdjson: for every member of a valid object it must re-parse to the same value.
// The document-stream path for log lines must give exactly what one parse per line gives: the same
// events, counts and rejects (reason, line, message, record).
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "formats/json/documents.h"
#include "sparkify/record_parser.h"

using namespace lakeforge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static RecordParser parser;
  std::string buf(reinterpret_cast<const char*>(data), size);
  buf.append(simdjson::SIMDJSON_PADDING, '\0');
  std::string_view view(buf.data(), size);
  size_t lines = 1;
  for (size_t i = 0; i < size; ++i) lines += data[i] == '\n';

  std::vector<SongRecord> songs;
  std::vector<Reject> rejects;
  parser.ParseSongFile(view, 0, &songs, &rejects);
  for (const auto& r : rejects)
    if (r.line > lines) std::abort();
  for (const auto& s : songs)
    if (s.song_id.empty() || s.artist_id.empty() || s.line == 0 || s.line > lines) std::abort();

  LogFileResult logs;
  rejects.clear();
  SongIndex index;
  ProfilePool profiles;
  parser.ParseLogFile(view, 1, index, profiles, &logs, &rejects);
  if (logs.lines > 0 && logs.events.size() + logs.filtered + rejects.size() != logs.lines) std::abort();
  for (const auto& e : logs.events)
    if (e.line == 0 || e.line > lines || !profiles.contains(e.profile) || e.ts == kNull) std::abort();

  static RecordParser by_line;
  by_line.set_stream_parsing(false);
  LogFileResult ref;
  std::vector<Reject> ref_rejects;
  ProfilePool ref_profiles;
  by_line.ParseLogFile(view, 1, index, ref_profiles, &ref, &ref_rejects);
  if (ref.lines != logs.lines || ref.filtered != logs.filtered || ref.events.size() != logs.events.size() ||
      ref_rejects.size() != rejects.size())
    std::abort();
  for (size_t i = 0; i < rejects.size(); ++i)
    if (rejects[i].line != ref_rejects[i].line || rejects[i].reason != ref_rejects[i].reason ||
        rejects[i].error != ref_rejects[i].error || rejects[i].record != ref_rejects[i].record)
      std::abort();
  for (size_t i = 0; i < ref.events.size(); ++i) {
    const Event &a = logs.events[i], &b = ref.events[i];
    if (a.line != b.line || a.ts != b.ts || a.user_id != b.user_id || a.session_id != b.session_id ||
        a.item != b.item || !(profiles[a.profile] == ref_profiles[b.profile]))
      std::abort();
  }

  static simdjson::dom::parser whole, piece;
  simdjson::dom::element doc;
  if (!whole.parse(view.data(), view.size(), false).get(doc) && doc.type() == simdjson::dom::element_type::OBJECT) {
    size_t i = 0;
    simdjson::dom::object obj = doc.get_object().value_unsafe();
    for (auto field : obj) {
      std::string text(json::MemberValueText(view, i++));
      simdjson::dom::element v;
      if (piece.parse(text).get(v) || v.type() != field.value.type()) std::abort();
      if (simdjson::to_string(v) != simdjson::to_string(field.value)) std::abort();
    }
    if (!json::MemberValueText(view, i).empty()) std::abort();
  }
  return 0;
}
