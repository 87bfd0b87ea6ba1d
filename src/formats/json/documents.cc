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

}  // namespace lakeforge::json
