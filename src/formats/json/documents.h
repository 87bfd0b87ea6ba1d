// Splits a JSON input file into record documents, each with the 1-based line it starts on.
//
// Two shapes are accepted, as they occur in data lakes:
//  - newline-delimited JSON (one document per line, with or without a trailing newline, CRLF ok;
//    blank lines are skipped), the shape of log files and of compacted song files;
//  - a single document spread over several lines (pretty-printed song files).
// A file is treated as a single document when it is not valid line by line but its first line
// opens a document that does not close on that line; the parser then judges the whole file.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace lakeforge::json {

struct Document {
  std::string_view text;
  uint32_t line;  // 1-based line where the document starts
};

enum class FileShape { kLines, kSingleDocument };

// Picks the shape by looking at the first non-blank line: a line that balances its braces/brackets
// (outside strings) is a complete document, so the file is line-delimited.
FileShape DetectShape(std::string_view file);

// Calls fn(Document) for each non-blank line; the first line of `file` is numbered first_line
// (a later piece of a file read in pieces). Returns the number of lines (blank ones included).
template <typename Fn>
uint32_t ForEachLine(std::string_view file, Fn&& fn, uint32_t first_line = 1) {
  uint32_t line = first_line - 1;
  size_t pos = 0;
  while (pos < file.size()) {
    ++line;
    size_t nl = file.find('\n', pos);
    size_t end = nl == std::string_view::npos ? file.size() : nl;
    std::string_view text = file.substr(pos, end - pos);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    bool blank = true;
    for (char c : text) {
      if (c != ' ' && c != '\t' && c != '\r') {
        blank = false;
        break;
      }
    }
    if (!blank) fn(Document{text, line});
    pos = end + 1;
  }
  return line - (first_line - 1);
}

// JSON's whitespace: space, tab, carriage return, line feed (RFC 8259; nothing else, not even
// a vertical tab or form feed).
inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Line number (1-based) of byte offset `pos` in `file`.
uint32_t LineOf(std::string_view file, size_t pos);

// The source text of the value of the index-th member (0-based, in document order, duplicates
// counted) of the JSON object `object_text`, which a validating parser has already accepted:
// `112` for index 1 of {"title":"x","artist_name":112}. Empty when there is no such member.
// Used to keep a number or boolean found in a string field as the characters the file holds.
std::string_view MemberValueText(std::string_view object_text, size_t index);

}  // namespace lakeforge::json
