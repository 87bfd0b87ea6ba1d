// FileSystem over S3 ("s3://bucket/key" paths). S3 has no folders and no atomic rename: folders
// are key prefixes, CreateDirs is a no-op, and has_atomic_dir_swap() is false so that writers use
// the manifest commit protocol (see pipeline/etl.cc). Large outputs go up as multipart uploads
// with up to four parts in flight; a failed or abandoned upload is aborted.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

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

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A lease on the lock object, renewed by a thread every third of its length with If-Match writes
// (so a lease that another run took over after it expired is never written again).
class S3WriterLock final : public WriterLock {
 public:
  S3WriterLock(s3::Client* client, std::string bucket, std::string key, LockHolder me, std::string etag,
               int64_t lease_ms)
      : client_(client),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        me_(std::move(me)),
        etag_(std::move(etag)),
        lease_ms_(lease_ms),
        expires_ms_(me_.expires_ms) {
    renewer_ = std::thread([this] { Renew(); });
  }
  ~S3WriterLock() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    renewer_.join();
    if (!held()) return;
    try {  // release: a lease that ends now, so the next run takes it over at once
      LockHolder released = me_;
      released.expires_ms = 0;
      client_->PutIf(bucket_, key_, LockHolderJson(released), etag_);
    } catch (...) {
    }
  }
  bool held() const override { return !lost_.load() && NowMs() < expires_ms_.load(); }

 private:
  void Renew() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(lease_ms_ / 3), [this] { return stop_; })) {
      LockHolder next = me_;
      next.expires_ms = NowMs() + lease_ms_;
      try {
        std::string etag = client_->PutIf(bucket_, key_, LockHolderJson(next), etag_);
        if (etag.empty()) {
          lost_ = true;  // someone took it over: it had expired
          return;
        }
        etag_ = etag;
        expires_ms_ = next.expires_ms;
      } catch (...) {
        // A failed renewal is retried at the next tick; held() turns false when the lease runs out.
      }
    }
  }

  s3::Client* client_;
  std::string bucket_, key_;
  LockHolder me_;
  std::string etag_;
  int64_t lease_ms_;
  std::atomic<int64_t> expires_ms_;
  std::atomic<bool> lost_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread renewer_;
};

class S3FileSystem final : public FileSystem {
 public:
  explicit S3FileSystem(s3::Config config) : client_(std::move(config)) {}

  std::unique_ptr<WriterLock> TryLockForWriting(const std::string& folder, const LockHolder& me,
                                                LockHolder* holder) override {
    Location loc = ParseLocation(folder);
    std::string key = loc.path.empty() ? kLockFileName : loc.path + "/" + kLockFileName;
    int64_t lease_ms = client_.config().lock_lease_seconds * 1000;
    LockHolder mine = me;
    mine.expires_ms = NowMs() + lease_ms;
    std::string body = LockHolderJson(mine);
    std::string etag = client_.PutIf(loc.bucket, key, body, "");
    if (!etag.empty()) {
      // A store that ignores the condition would let two writers in: a second conditional create
      // of the same object must fail.
      if (!client_.PutIf(loc.bucket, key, body, "").empty())
        throw Error::Usage(
            "the S3 endpoint ignores conditional writes (If-None-Match), so lakeforge cannot make sure "
            "it is the only writer of '" +
            folder + "'; use a store that supports them (AWS S3, MinIO)");
      return std::make_unique<S3WriterLock>(&client_, loc.bucket, key, mine, etag, lease_ms);
    }
    s3::Client::Object current = client_.GetObject(loc.bucket, key);
    if (!current.found) return nullptr;  // released between our two requests: try again
    *holder = ParseLockHolder(current.body);
    if (holder->run_id == me.run_id && holder->pid == me.pid) {  // our own create, answered twice
      return std::make_unique<S3WriterLock>(&client_, loc.bucket, key, mine, current.etag, lease_ms);
    }
    if (holder->expires_ms > NowMs()) return nullptr;
    // Expired or released: take it over, unless another run does first.
    etag = client_.PutIf(loc.bucket, key, body, current.etag);
    if (etag.empty()) return nullptr;
    return std::make_unique<S3WriterLock>(&client_, loc.bucket, key, mine, etag, lease_ms);
  }

  bool has_atomic_dir_swap() const override { return false; }
  bool listing_has_sizes() const override { return true; }

  std::vector<FileInfo> ListFiles(const std::string& root, bool skip_hidden, ListingNotes*) override {
    Location loc = ParseLocation(root);
    std::string prefix = loc.path.empty() ? "" : loc.path + "/";
    std::vector<FileInfo> out;
    auto objects = client_.List(loc.bucket, prefix);
    for (const auto& o : objects) {
      if (o.key.compare(0, prefix.size(), prefix) != 0)
        throw Error::Io("listing '" + root + "': the endpoint returned key '" + o.key +
                        "', which is not under the prefix");
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

  size_t AbortUnfinishedUploads(const std::string& dir) override {
    Location loc = ParseLocation(dir);
    std::string prefix = loc.path.empty() ? "" : loc.path + "/";
    std::vector<s3::Client::Upload> uploads = client_.ListUploads(loc.bucket, prefix);
    for (const auto& u : uploads) client_.AbortMultipartUpload(loc.bucket, u.key, u.upload_id);
    return uploads.size();
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
        throw Error::Io("listing '" + path + "': the endpoint returned key '" + o.key +
                        "', which is not under the prefix");
      std::string rel = o.key.substr(prefix.size());
      std::string first = rel.substr(0, rel.find('/'));
      if (out.empty() || out.back() != first) out.push_back(first);
    }
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  StorageStats Stats() const override {
    auto& s = const_cast<s3::Client&>(client_).stats();
    return {.requests = s.requests.load(),
            .retries = s.retries.load(),
            .bytes_in = s.bytes_in.load(),
            .bytes_out = s.bytes_out.load()};
  }

 private:
  s3::Client client_;
};

}  // namespace

std::unique_ptr<FileSystem> MakeS3FileSystem(const std::string& endpoint_url) {
  return std::make_unique<S3FileSystem>(s3::ResolveConfig(endpoint_url));
}

}  // namespace lakeforge
