// Writing JSON string literals: the one escaper behind every JSON line lakeforge writes
// (rejected records, manifests) and every lake it generates.
#pragma once

#include <string>
#include <string_view>

namespace lakeforge {

// Appends s as a JSON string literal (quotes included): '"', '\\' and control characters escaped.
// s must be valid UTF-8.
void AppendJsonString(std::string_view s, std::string* out);

// s with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD, as browsers,
// Node.js and Python's errors="replace" decode it: a name a person can read and JSON can carry.
std::string LossyUtf8(std::string_view s);

}  // namespace lakeforge
