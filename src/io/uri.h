// Storage locations as the CLI accepts them: a local path, file://path, or s3://bucket/prefix.
#pragma once

#include <string>
#include <string_view>

namespace lakeforge {

struct Location {
  enum class Kind { kLocal, kS3 } kind = Kind::kLocal;
  std::string bucket;  // S3 only
  std::string path;    // local path, or the S3 key / prefix (no leading '/')
};

// Throws Error::Usage for an unsupported scheme or an s3:// URI without a bucket.
Location ParseLocation(std::string_view uri);
bool IsS3(std::string_view uri);

// Object keys are arbitrary strings, and some would climb out of a folder they are copied into
// (raw/x/../../etc/cron.d/job). Returns why `key` (or a relative path) is refused — an empty, '.'
// or '..' segment, a leading '/', a backslash or a NUL — or "" when it is safe to map onto a folder.
std::string UnsafePathReason(std::string_view key);

}  // namespace lakeforge
