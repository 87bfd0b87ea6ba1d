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

}  // namespace lakeforge
