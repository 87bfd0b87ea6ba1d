// A small S3 client over libcurl: SigV4-signed requests with retries, and the operations the
// pipeline needs (ListObjectsV2 with continuation tokens, GET, PUT, multipart upload,
// DeleteObjects in batches of 1000). One curl easy handle per thread keeps connections alive.
//
// Retries: 5xx, SlowDown, RequestTimeout, timeouts and connection resets are retried with
// exponential backoff and full jitter; other errors (403, 404, 400) fail at once with the bucket,
// key and S3 error code in the message. Credentials never appear in messages.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "io/sigv4.h"

namespace lakeforge::s3 {

struct Config {
  std::string endpoint;  // "https://s3.us-east-1.amazonaws.com" or "http://127.0.0.1:4568"
  std::string region = "us-east-1";
  bool path_style = false;  // true: endpoint/bucket/key; false: bucket.endpoint/key
  Credentials credentials;
  int max_attempts = 8;  // AWS_MAX_ATTEMPTS or the profile's max_attempts
  long connect_timeout_ms = 5000;
  // Every request has a deadline that scales with the bytes it sends: request_timeout_seconds plus
  // one second per min_bytes_per_second (LAKEFORGE_S3_REQUEST_TIMEOUT sets the base). A response
  // of unknown size (a whole object) is abandoned when it delivers less than min_bytes_per_second
  // for request_timeout_seconds. Either way the request is retried, then the run fails naming it.
  long request_timeout_seconds = 30;
  long min_bytes_per_second = 64 << 10;
  long lock_lease_seconds = 60;  // the writer lock's lease (LAKEFORGE_S3_LOCK_LEASE_SECONDS)
};

// Resolves endpoint, region and credentials the way the AWS CLI does: explicit endpoint_url, then
// AWS_ENDPOINT_URL; AWS_REGION / AWS_DEFAULT_REGION / the profile's region; AWS_ACCESS_KEY_ID +
// AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else the AWS_PROFILE (default "default") in
// ~/.aws/credentials and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE override).
Config ResolveConfig(const std::string& endpoint_url);

struct ObjectInfo {
  std::string key;
  int64_t size;
};

struct Stats {
  std::atomic<uint64_t> requests{0}, retries{0}, bytes_in{0}, bytes_out{0};
};

class Client {
 public:
  explicit Client(Config config);

  std::vector<ObjectInfo> List(const std::string& bucket, const std::string& prefix);
  // GET of a whole object (or a byte range when range_end > range_begin). Throws Error::Io, with
  // "NoSuchKey" in the message for a missing object.
  std::string Get(const std::string& bucket, const std::string& key, int64_t range_begin = 0, int64_t range_end = 0);
  bool Exists(const std::string& bucket, const std::string& key);
  void Put(const std::string& bucket, const std::string& key, const std::string& body);
  // Conditional write (AWS S3 since 2024, MinIO): only where no object exists (if_match empty:
  // If-None-Match: *), or only over the object whose ETag is if_match. Returns the new ETag, or
  // "" when the condition did not hold (412).
  std::string PutIf(const std::string& bucket, const std::string& key, const std::string& body,
                    const std::string& if_match);
  struct Object {
    bool found;
    std::string body, etag;
  };
  Object GetObject(const std::string& bucket, const std::string& key);
  std::string CreateMultipartUpload(const std::string& bucket, const std::string& key);
  std::string UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id, int part,
                         const std::string& body);  // returns the ETag
  void CompleteMultipartUpload(const std::string& bucket, const std::string& key, const std::string& upload_id,
                               const std::vector<std::string>& etags);
  void AbortMultipartUpload(const std::string& bucket, const std::string& key, const std::string& upload_id);
  struct Upload {
    std::string key, upload_id;
  };
  // Multipart uploads begun under `prefix` and neither completed nor aborted (ListMultipartUploads).
  std::vector<Upload> ListUploads(const std::string& bucket, const std::string& prefix);
  void DeleteObjects(const std::string& bucket, const std::vector<std::string>& keys);

  Stats& stats() { return stats_; }
  const Config& config() const { return config_; }

 private:
  struct Response {
    long status = 0;
    std::string body;
    std::string etag;
  };
  Response Request(const std::string& method, const std::string& bucket, const std::string& key,
                   const std::vector<std::pair<std::string, std::string>>& query, const std::string& body,
                   std::vector<std::pair<std::string, std::string>> headers, long allowed_status = 0);

  Config config_;
  std::string scheme_, host_;  // from the endpoint
  Stats stats_;
};

}  // namespace lakeforge::s3
