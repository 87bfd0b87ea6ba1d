// Where a command reads and writes, resolved so that two spellings of one place compare equal, and
// the one rule every command applies before it writes or deletes anything: an output must not be
// empty, a root, an input, inside an input, or around one.
//
// Resolution: a local path becomes its real path (symlinks followed); for a path that does not
// exist yet, the real path of its deepest existing ancestor plus the rest, with '.' and '..'
// collapsed. An S3 location becomes s3://bucket/ plus its prefix with empty, '.' and '..' segments
// collapsed. Both end with '/', so "inside" is a byte-prefix test.
#pragma once

#include <string>
#include <vector>

namespace lakeforge {

struct ResolvedLocation {
  std::string given;     // as the user wrote it
  std::string resolved;  // "/real/path/" or "s3://bucket/prefix/"
  bool is_root = false;  // "/" or a bucket without a prefix
};

// Throws Error::Usage when `given` is empty.
ResolvedLocation ResolveLocation(const std::string& given);

struct NamedLocation {
  std::string role;  // the option that named it, e.g. "--output"
  std::string path;
};

// Throws Error::Usage, naming both locations and their options, when an output is empty or a
// root, or equals, lies inside or contains any input.
void CheckLocations(const std::vector<NamedLocation>& inputs, const std::vector<NamedLocation>& outputs);

// How two resolved locations relate.
enum class Overlap { kApart, kSame, kInside, kContains };  // kInside: a lies inside b
Overlap OverlapOf(const ResolvedLocation& a, const ResolvedLocation& b);

}  // namespace lakeforge
