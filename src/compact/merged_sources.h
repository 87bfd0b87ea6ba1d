// Where the lines of a merged (compacted) file came from, so that `run`, which reads merged files,
// reports every record by its raw file and line exactly as `etl` on the raw lake would.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "warehouse/reject.h"

namespace lakeforge {

// One input of a merged file, with the merged file's line its first byte landed on.
struct MergedInput {
  uint32_t first_line;
  std::string path;
  bool blank;      // nothing but spaces, tabs and line breaks: it leaves no record behind
  uint64_t bytes;  // as stored
};
using LineMap = std::map<std::string, std::vector<MergedInput>>;  // merged file path -> its inputs, in order

// Rewrites rejects that name a merged file (by index into *sources) to name the raw input and its
// line, adds the "empty file" reject of every blank raw input (a merged file never is one), and
// orders the result as the raw files and lines sort. Sources not in `map` are left as they are.
void TranslateMergedRejects(const LineMap& map, std::vector<std::string>* sources, std::vector<Reject>* rejects);

}  // namespace lakeforge
