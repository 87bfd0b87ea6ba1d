// libFuzzer target: arbitrary bytes as a song file and as a log file. The parsers must never crash,
// must account for every line (event, filtered or rejected), and every reject must name a line
// that exists. MemberValueText (the source text of a number or boolean kept in a string field) is
// checked against simdjson: for every member of a valid object it must re-parse to the same value.
// The piece path for log lines (FlatObjectLines, then the DOM for the lines it hands back) must give
// exactly what one parse per line gives: the same events, counts and rejects (reason, line,
// message, record). And every line FlatObjectLines accepts, simdjson's DOM accepts with the same
// members in order, of the same types, with the same values bit for bit.
#include <simdjson.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "formats/json/documents.h"
#include "formats/json/flat_objects.h"
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

  static json::FlatObjectLines flat;
  static simdjson::dom::parser line_parser;
  if (flat.Index(view))
    json::ForEachLine(view, [&](json::Document d) {
      if (!flat.Read(d.text)) return;
      simdjson::dom::element doc;
      if (line_parser.parse(std::string(d.text)).get(doc) || doc.type() != simdjson::dom::element_type::OBJECT)
        std::abort();
      auto members = flat.members();
      size_t i = 0;
      simdjson::dom::object object = doc.get_object().value_unsafe();
      for (auto field : object) {
        if (i >= members.size()) std::abort();
        const json::Scalar& v = members[i].value;
        if (members[i].key != field.key || v.type != field.value.type()) std::abort();
        bool same = true;
        switch (v.type) {
          case simdjson::dom::element_type::STRING: same = v.text == field.value.get_string().value_unsafe(); break;
          case simdjson::dom::element_type::INT64: same = v.Int() == field.value.get_int64().value_unsafe(); break;
          case simdjson::dom::element_type::DOUBLE:
            same =
                std::bit_cast<uint64_t>(v.Double()) == std::bit_cast<uint64_t>(field.value.get_double().value_unsafe());
            break;
          case simdjson::dom::element_type::BOOL: same = v.b == field.value.get_bool().value_unsafe(); break;
          case simdjson::dom::element_type::NULL_VALUE: break;
          default: same = false;
        }
        if (!same) std::abort();
        if (v.type != simdjson::dom::element_type::STRING && v.text != json::MemberValueText(d.text, i)) std::abort();
        ++i;
      }
      if (i != members.size()) std::abort();
    });

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
