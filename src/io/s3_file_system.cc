// FileSystem over S3 ("s3://bucket/key" paths). S3 has no folders and no atomic rename: folders
// are key prefixes, CreateDirs is a no-op, and has_atomic_dir_swap() is false so that writers use
// the manifest commit protocol (see pipeline/etl.cc). Large outputs go up as multipart uploads
// with up to four parts in flight; a failed or abandoned upload is aborted.
#include <algorithm>
#include <future>
#include <mutex>

#include "base/error.h"
#include "io/file_system.h"
#include "io/s3_client.h"
#include "io/uri.h"

namespace lakeforge {
namespace {

constexpr size_t kPartSize = size_t{8} << 20;

class S3OutputStream final : public OutputStream {
 public:
  S3OutputStream(s3::Client* client, std::string bucket, std::string key)
      : client_(client), bucket_(std::move(bucket)), key_(std::move(key)) {}
  ~S3OutputStream() override {
    if (!closed_ && !upload_id_.empty()) {
      for (auto& f : parts_) {
        try {
          f.wait();
        } catch (...) {
        }
      }
      try {
        client_->AbortMultipartUpload(bucket_, key_, upload_id_);
      } catch (...) {
      }
    }
  }
  void Write(std::string_view data) override {
    buf_.append(data.data(), data.size());
    written_ += static_cast<int64_t>(data.size());
    if (buf_.size() >= kPartSize) SendPart();
  }
  int64_t Tell() const override { return written_; }
  void Close() override {
    if (closed_) return;
    if (upload_id_.empty()) {
      client_->Put(bucket_, key_, buf_);
    } else {
      if (!buf_.empty() || parts_.empty()) SendPart();
      std::vector<std::string> etags;
      for (auto& f : parts_) etags.push_back(f.get());
      client_->CompleteMultipartUpload(bucket_, key_, upload_id_, etags);
    }
    closed_ = true;
  }

 private:
  void SendPart() {
    if (upload_id_.empty()) upload_id_ = client_->CreateMultipartUpload(bucket_, key_);
    if (parts_.size() >= 4) parts_[parts_.size() - 4].wait();  // at most four parts in flight
    int number = static_cast<int>(parts_.size()) + 1;
    parts_.push_back(std::async(std::launch::async, [this, number, body = std::move(buf_)] {
      return client_->UploadPart(bucket_, key_, upload_id_, number, body);
    }));
    buf_.clear();
  }

  s3::Client* client_;
  std::string bucket_, key_, buf_, upload_id_;
  std::vector<std::future<std::string>> parts_;
  int64_t written_ = 0;
  bool closed_ = false;
};

bool HiddenBelow(const std::string& rel) {
  size_t pos = 0;
  while (pos < rel.size()) {
    if (rel[pos] == '.' || rel[pos] == '_') return true;
    size_t slash = rel.find('/', pos);
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return false;
}

class S3FileSystem final : public FileSystem {
 public:
  explicit S3FileSystem(s3::Config config) : client_(std::move(config)) {}

  bool has_atomic_dir_swap() const override { return false; }

  std::vector<FileInfo> ListFiles(const std::string& root, bool skip_hidden, ListingNotes*) override {
    Location loc = ParseLocation(root);
    std::string prefix = loc.path.empty() ? "" : loc.path + "/";
    std::vector<FileInfo> out;
    auto objects = client_.List(loc.bucket, prefix);
    for (const auto& o : objects) {
      if (o.key.compare(0, prefix.size(), prefix) != 0)
        throw Error::Io("listing '" + root + "': the endpoint returned key '" + o.key + "', which is not under the prefix");
      std::string rel = o.key.substr(prefix.size());
      if (rel.empty() || (skip_hidden && HiddenBelow(rel))) continue;
      if (rel.back() == '/' && o.size == 0) continue;  // a console's "folder" marker, not data
      if (std::string why = UnsafePathReason(o.key); !why.empty())
        throw Error::InvalidInput("refusing object key 's3://" + loc.bucket + "/" + o.key + "' under '" + root +
                                  "': " + why + "; such a key could be read twice or climb out of a folder");
      out.push_back({.path = "s3://" + loc.bucket + "/" + o.key, .size = o.size});
    }
    // Nothing under "<prefix>/" (a sibling such as "<prefix>_backup/" does not count): the root is
    // one object, or it is missing, which is an error as for a missing folder, before any output
    // is touched.
    if (objects.empty() && !loc.path.empty()) {
      if (!client_.Exists(loc.bucket, loc.path))
        throw Error::Io("cannot read input '" + root + "': no objects under this prefix");
      out.push_back({.path = "s3://" + loc.bucket + "/" + loc.path, .size = -1});
    }
    std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    return out;
  }

  void ReadFile(const std::string& path, size_t padding, FileBuffer* buf) override {
    Location loc = ParseLocation(path);
    buf->data = client_.Get(loc.bucket, loc.path);
    buf->size = buf->data.size();
    buf->data.append(padding, '\0');
  }

  std::unique_ptr<OutputStream> OpenOutputStream(const std::string& path) override {
    Location loc = ParseLocation(path);
    return std::make_unique<S3OutputStream>(&client_, loc.bucket, loc.path);
  }

  bool Exists(const std::string& path) override {
    Location loc = ParseLocation(path);
    return client_.Exists(loc.bucket, loc.path) || !client_.List(loc.bucket, loc.path + "/").empty();
  }

  int64_t FileSize(const std::string& path) override {
    Location loc = ParseLocation(path);
    for (const auto& o : client_.List(loc.bucket, loc.path))
      if (o.key == loc.path) return o.size;
    throw Error::Io("cannot stat '" + path + "': no such object");
  }

  void CreateDirs(const std::string&) override {}

  void DeleteDirRecursive(const std::string& path) override {
    Location loc = ParseLocation(path);
    std::vector<std::string> keys;
    for (const auto& o : client_.List(loc.bucket, loc.path + "/")) keys.push_back(o.key);
    client_.DeleteObjects(loc.bucket, keys);
  }

  void DeleteFiles(const std::vector<std::string>& paths) override {
    std::vector<std::string> keys;
    std::string bucket;
    for (const auto& p : paths) {
      Location loc = ParseLocation(p);
      if (!bucket.empty() && loc.bucket != bucket) {
        client_.DeleteObjects(bucket, keys);
        keys.clear();
      }
      bucket = loc.bucket;
      keys.push_back(loc.path);
    }
    if (!keys.empty()) client_.DeleteObjects(bucket, keys);
  }

  void CommitDir(const std::string&, const std::string& target, const std::string&) override {
    throw Error::Internal("CommitDir on S3 '" + target + "': object stores have no atomic rename");
  }

  std::vector<std::string> ListDir(const std::string& path) override {
    std::vector<std::string> out;
    Location loc = ParseLocation(path);
    std::string prefix = loc.path.empty() ? "" : loc.path + "/";
    for (const auto& o : client_.List(loc.bucket, prefix)) {
      if (o.key.compare(0, prefix.size(), prefix) != 0)
        throw Error::Io("listing '" + path + "': the endpoint returned key '" + o.key + "', which is not under the prefix");
      std::string rel = o.key.substr(prefix.size());
      std::string first = rel.substr(0, rel.find('/'));
      if (out.empty() || out.back() != first) out.push_back(first);
    }
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  std::string StatsLine() const override {
    auto& s = const_cast<s3::Client&>(client_).stats();
    return "s3: " + std::to_string(s.requests.load()) + " requests, " + std::to_string(s.retries.load()) + " retries, " +
           std::to_string(s.bytes_in.load()) + " bytes in, " + std::to_string(s.bytes_out.load()) + " bytes out";
  }

 private:
  s3::Client client_;
};

}  // namespace

std::unique_ptr<FileSystem> MakeS3FileSystem(const std::string& endpoint_url) {
  return std::make_unique<S3FileSystem>(s3::ResolveConfig(endpoint_url));
}

}  // namespace lakeforge
