// Reject translation from merged files back to raw inputs; see merged_sources.h.
#include "compact/merged_sources.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>

namespace lakeforge {

void TranslateMergedRejects(const LineMap& map, std::vector<std::string>* sources, std::vector<Reject>* rejects) {
  std::unordered_map<std::string, uint32_t> index_of;
  auto source_index = [&](const std::string& path) {
    auto [it, inserted] = index_of.emplace(path, static_cast<uint32_t>(sources->size()));
    if (inserted) sources->push_back(path);
    return it->second;
  };
  // Sort key: the merged file's place, then the input's place in it, then the raw line.
  using Key = std::tuple<uint32_t, size_t, uint32_t>;
  std::vector<std::pair<Key, Reject>> keyed;
  const uint32_t merged_files = static_cast<uint32_t>(sources->size());
  for (Reject& r : *rejects) {
    auto it = map.find((*sources)[r.file]);
    if (it == map.end()) {
      keyed.push_back({Key{r.file, 0, r.line}, std::move(r)});
      continue;
    }
    const auto& inputs = it->second;
    if (r.line == 0) continue;  // a whole merged file: its blank inputs are reported one by one below
    auto in = std::upper_bound(inputs.begin(), inputs.end(), r.line,
                               [](uint32_t line, const MergedInput& m) { return line < m.first_line; });
    size_t k = static_cast<size_t>(in - inputs.begin()) - 1;  // first_line of the first input is 1
    // A blank input holds no record, so no reject comes from it; one that follows an input with no
    // final newline starts on that input's last line (the separating newline comes later).
    while (k > 0 && inputs[k].blank) --k;
    uint32_t file = r.file;
    r.line = r.line - inputs[k].first_line + 1;
    r.file = source_index(inputs[k].path);
    keyed.push_back({Key{file, k, r.line}, std::move(r)});
  }
  // Blank inputs of every merged file the run read (those with no reject too).
  for (uint32_t f = 0; f < merged_files; ++f) {
    auto it = map.find((*sources)[f]);
    if (it == map.end()) continue;
    for (size_t k = 0; k < it->second.size(); ++k) {
      if (!it->second[k].blank) continue;
      keyed.push_back({Key{f, k, 0}, Reject{.file = source_index(it->second[k].path),
                                            .line = 0,
                                            .reason = RejectReason::kEmptyFile,
                                            .error = "empty file: expected at least one JSON record",
                                            .record = ""}});
    }
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  rejects->clear();
  for (auto& [key, r] : keyed) rejects->push_back(std::move(r));
}

}  // namespace lakeforge
