// RoutingFileSystem: local paths and file:// to the local file system, s3:// to S3.
#include "io/file_system.h"

namespace lakeforge {

std::string StripFileScheme(const std::string& path) { return path.rfind("file://", 0) == 0 ? path.substr(7) : path; }

RoutingFileSystem::RoutingFileSystem(std::string endpoint_url)
    : endpoint_url_(std::move(endpoint_url)), local_(MakeLocalFileSystem()) {}
RoutingFileSystem::RoutingFileSystem(std::unique_ptr<FileSystem> local, std::unique_ptr<FileSystem> s3)
    : local_(std::move(local)), s3_(std::move(s3)) {}
RoutingFileSystem::~RoutingFileSystem() = default;

FileSystem& RoutingFileSystem::For(const std::string& path) {
  if (path.rfind("s3://", 0) != 0) return *local_;
  if (!s3_) s3_ = MakeS3FileSystem(endpoint_url_);
  return *s3_;
}

StorageStats RoutingFileSystem::Stats() const { return s3_ ? s3_->Stats() : StorageStats{}; }

}  // namespace lakeforge
