// Concurrent discovery of the files below a root: the first level is listed once, then every
// first-level prefix is listed recursively in parallel (on S3 each is its own paged
// ListObjectsV2 stream), and the results are merged in path order.
#include <algorithm>

#include "base/parallel.h"
#include "io/file_system.h"

namespace lakeforge {

std::vector<FileInfo> ListFilesConcurrently(FileSystem& fs, const std::string& root, bool skip_hidden, int concurrency,
                                            ListingNotes* notes) {
  std::vector<std::string> children;
  for (auto& c : fs.ListDir(root))
    if (!skip_hidden || (c[0] != '.' && c[0] != '_')) children.push_back(JoinPath(root, c));
  ListingNotes scratch;
  if (notes == nullptr) notes = &scratch;
  // A missing root, a root that is one file, or an empty folder: the plain listing says which.
  if (children.empty()) return fs.ListFiles(root, skip_hidden, notes);
  std::vector<std::vector<FileInfo>> parts(children.size());
  std::vector<ListingNotes> part_notes(children.size(), ListingNotes{.scope = root, .skipped = {}});
  ParallelFor(children.size(), concurrency,
              [&](size_t i, int) { parts[i] = fs.ListFiles(children[i], skip_hidden, &part_notes[i]); });
  std::vector<FileInfo> out;
  for (auto& p : parts) std::move(p.begin(), p.end(), std::back_inserter(out));
  for (auto& n : part_notes) std::move(n.skipped.begin(), n.skipped.end(), std::back_inserter(notes->skipped));
  std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  return out;
}

}  // namespace lakeforge
