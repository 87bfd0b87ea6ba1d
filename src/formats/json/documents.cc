// Shape detection for JSON input files; see documents.h.
#include "formats/json/documents.h"

#include <algorithm>

namespace lakeforge::json {

FileShape DetectShape(std::string_view file) {
  // One line (most song files): nothing continues on a next line. memchr is far cheaper than the scan.
  if (file.find('\n') == std::string_view::npos) return FileShape::kLines;
  size_t pos = 0;
  while (pos < file.size() && (file[pos] == ' ' || file[pos] == '\t' || file[pos] == '\r' || file[pos] == '\n')) ++pos;
  int depth = 0;
  bool in_string = false, escaped = false, opened = false;
  for (; pos < file.size(); ++pos) {
    char c = file[pos];
    if (c == '\n') break;
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
      opened = true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  // An object left open at the end of the first line continues on the next lines.
  bool more_lines = pos < file.size();
  return (opened && depth > 0 && more_lines) ? FileShape::kSingleDocument : FileShape::kLines;
}

uint32_t LineOf(std::string_view file, size_t pos) {
  pos = std::min(pos, file.size());
  return 1 + static_cast<uint32_t>(std::count(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

namespace {

size_t SkipSpace(std::string_view s, size_t pos) {
  while (pos < s.size() && IsSpace(s[pos])) ++pos;
  return pos;
}

// `pos` is at an opening quote; returns the position after the closing one.
size_t SkipString(std::string_view s, size_t pos) {
  for (++pos; pos < s.size(); ++pos) {
    if (s[pos] == '\\') {
      ++pos;
    } else if (s[pos] == '"') {
      return pos + 1;
    }
  }
  return s.size();
}

// `pos` is at the first character of a value; returns the position after its last one.
size_t SkipValue(std::string_view s, size_t pos) {
  if (pos >= s.size()) return pos;
  if (s[pos] == '"') return SkipString(s, pos);
  if (s[pos] == '{' || s[pos] == '[') {
    int depth = 0;
    while (pos < s.size()) {
      char c = s[pos];
      if (c == '"') {
        pos = SkipString(s, pos);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return pos + 1;
      ++pos;
    }
    return pos;
  }
  // A number or a literal: up to the next separator.
  while (pos < s.size() && !IsSpace(s[pos]) && s[pos] != ',' && s[pos] != '}' && s[pos] != ']') ++pos;
  return pos;
}

}  // namespace

std::string_view MemberValueText(std::string_view s, size_t index) {
  size_t pos = SkipSpace(s, 0);
  if (pos >= s.size() || s[pos] != '{') return {};
  ++pos;
  for (size_t member = 0;; ++member) {
    pos = SkipSpace(s, pos);
    if (pos >= s.size() || s[pos] != '"') return {};
    pos = SkipSpace(s, SkipString(s, pos));
    if (pos >= s.size() || s[pos] != ':') return {};
    size_t start = SkipSpace(s, pos + 1);
    size_t end = SkipValue(s, start);
    if (member == index) return s.substr(start, end - start);
    pos = SkipSpace(s, end);
    if (pos >= s.size() || s[pos] != ',') return {};
    ++pos;
  }
}

}  // namespace lakeforge::json
