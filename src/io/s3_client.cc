// S3 requests over libcurl; behaviour described in s3_client.h.
#include "io/s3_client.h"

#include <curl/curl.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <pugixml.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "base/error.h"

namespace lakeforge::s3 {
namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

// One handle per thread: curl keeps the connection open between requests of the same handle.
CURL* ThreadHandle() {
  static CurlGlobal global;
  struct Holder {
    CURL* h = curl_easy_init();
    ~Holder() { curl_easy_cleanup(h); }
  };
  thread_local Holder holder;
  return holder.h;
}

size_t WriteBody(char* ptr, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(ptr, size * n);
  return size * n;
}

struct UploadState {
  const std::string* body;
  size_t pos = 0;
};
size_t ReadBody(char* buf, size_t size, size_t n, void* user) {
  auto* s = static_cast<UploadState*>(user);
  size_t len = std::min(size * n, s->body->size() - s->pos);
  std::memcpy(buf, s->body->data() + s->pos, len);
  s->pos += len;
  return len;
}

// Counts the requests curl puts on the wire: one header block each. curl resends a request on its
// own when a kept-alive connection turns out dead, so its attempts can outnumber ours.
int CountSentRequests(CURL*, curl_infotype type, char*, size_t, void* user) {
  if (type == CURLINFO_HEADER_OUT) ++*static_cast<uint64_t*>(user);
  return 0;
}

size_t HeaderLine(char* ptr, size_t size, size_t n, void* user) {
  std::string_view line(ptr, size * n);
  if (line.size() > 5 && (line.substr(0, 5) == "ETag:" || line.substr(0, 5) == "etag:")) {
    std::string v(line.substr(5));
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.pop_back();
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    *static_cast<std::string*>(user) = v;
  }
  return size * n;
}

std::string AmzDate() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[20];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Reads `key` of [section] from an INI-style AWS file.
std::string IniValue(const std::string& path, const std::string& section, const std::string& key) {
  std::ifstream in(path);
  std::string line, current;
  auto trim = [](std::string s) {
    size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
  };
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      current = trim(line.substr(1, line.size() - 2));
      continue;
    }
    auto eq = line.find('=');
    if (eq != std::string::npos && current == section && trim(line.substr(0, eq)) == key)
      return trim(line.substr(eq + 1));
  }
  return "";
}

std::string S3ErrorCode(const std::string& body, std::string* message) {
  pugi::xml_document doc;
  if (!doc.load_string(body.c_str())) return "";
  auto err = doc.child("Error");
  if (message) *message = err.child_value("Message");
  return err.child_value("Code");
}

}  // namespace

Config ResolveConfig(const std::string& endpoint_url) {
  Config c;
  std::string profile = Env("AWS_PROFILE").empty() ? "default" : Env("AWS_PROFILE");
  std::string home = Env("HOME");
  std::string creds_file =
      Env("AWS_SHARED_CREDENTIALS_FILE").empty() ? home + "/.aws/credentials" : Env("AWS_SHARED_CREDENTIALS_FILE");
  std::string config_file = Env("AWS_CONFIG_FILE").empty() ? home + "/.aws/config" : Env("AWS_CONFIG_FILE");
  std::string config_section = profile == "default" ? "default" : "profile " + profile;
  c.endpoint = endpoint_url;
  if (c.endpoint.empty()) c.endpoint = Env("AWS_ENDPOINT_URL_S3");
  if (c.endpoint.empty()) c.endpoint = Env("AWS_ENDPOINT_URL");
  if (c.endpoint.empty()) c.endpoint = IniValue(config_file, config_section, "endpoint_url");
  std::string region = Env("AWS_REGION");
  if (region.empty()) region = Env("AWS_DEFAULT_REGION");
  if (region.empty()) region = IniValue(config_file, config_section, "region");
  if (!region.empty()) c.region = region;
  if (c.endpoint.empty()) {
    c.endpoint = "https://s3." + c.region + ".amazonaws.com";
  } else {
    c.path_style = true;  // custom endpoints (MinIO, Ceph, local servers) expect path-style URLs
  }
  if (!Env("AWS_ACCESS_KEY_ID").empty()) {
    c.credentials = {Env("AWS_ACCESS_KEY_ID"), Env("AWS_SECRET_ACCESS_KEY"), Env("AWS_SESSION_TOKEN")};
  } else {
    c.credentials = {IniValue(creds_file, profile, "aws_access_key_id"),
                     IniValue(creds_file, profile, "aws_secret_access_key"),
                     IniValue(creds_file, profile, "aws_session_token")};
  }
  if (c.credentials.access_key_id.empty())
    throw Error::Usage(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials");
  if (Env("LAKEFORGE_S3_PATH_STYLE") == "false") c.path_style = false;
  auto whole_number = [](const std::string& name, const std::string& text, long lo, long hi) {
    char* end = nullptr;
    long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < lo || v > hi)
      throw Error::Usage(name + "=" + text + ": expected a whole number from " + std::to_string(lo) + " to " +
                         std::to_string(hi));
    return v;
  };
  std::string attempts = Env("AWS_MAX_ATTEMPTS");
  if (attempts.empty()) attempts = IniValue(config_file, config_section, "max_attempts");
  if (!attempts.empty()) c.max_attempts = static_cast<int>(whole_number("AWS_MAX_ATTEMPTS", attempts, 1, 100));
  if (std::string t = Env("LAKEFORGE_S3_REQUEST_TIMEOUT"); !t.empty())
    c.request_timeout_seconds = whole_number("LAKEFORGE_S3_REQUEST_TIMEOUT", t, 1, 86400);
  if (std::string t = Env("LAKEFORGE_S3_LOCK_LEASE_SECONDS"); !t.empty())
    c.lock_lease_seconds = whole_number("LAKEFORGE_S3_LOCK_LEASE_SECONDS", t, 3, 86400);
  return c;
}

Client::Client(Config config) : config_(std::move(config)) {
  auto sep = config_.endpoint.find("://");
  if (sep == std::string::npos)
    throw Error::Usage("bad S3 endpoint '" + config_.endpoint + "': expected http(s)://host[:port]");
  scheme_ = config_.endpoint.substr(0, sep);
  host_ = config_.endpoint.substr(sep + 3);
  while (!host_.empty() && host_.back() == '/') host_.pop_back();
}

Client::Response Client::Request(const std::string& method, const std::string& bucket, const std::string& key,
                                 const std::vector<std::pair<std::string, std::string>>& query, const std::string& body,
                                 std::vector<std::pair<std::string, std::string>> headers, long allowed_status) {
  SignedRequest req;
  req.method = method;
  req.host = config_.path_style ? host_ : bucket + "." + host_;
  req.path = config_.path_style ? "/" + bucket + "/" + key : "/" + key;
  req.query = query;
  req.headers = std::move(headers);
  req.payload_sha256 = Sha256Hex(body);
  std::string url = scheme_ + "://" + req.host + UriEncode(req.path, false);
  std::string qs;
  for (const auto& [k, v] : query)
    qs += (qs.empty() ? "?" : "&") + UriEncode(k, true) +
          (v.empty() && k != "prefix" && k != "continuation-token" ? "" : "=" + UriEncode(v, true));
  url += qs;
  std::string what = "S3 " + method + " s3://" + bucket + "/" + key;
  for (const auto& [k, v] : query)
    if (k == "prefix") what = "S3 list s3://" + bucket + "/" + v;
  std::mt19937_64 rng(std::random_device{}());
  std::string last_error;
  uint64_t sent_before = 0;
  for (int attempt = 0; attempt < config_.max_attempts; ++attempt) {
    if (attempt > 0) {
      long cap = std::min<long>(5000, 50L << std::min(attempt, 10));
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<long>(cap / 4, cap)(rng)));
    }
    auto signed_headers = SignV4(req, config_.credentials, config_.region, "s3", AmzDate());
    CURL* h = ThreadHandle();
    curl_easy_reset(h);
    curl_slist* list = nullptr;
    for (const auto& [k, v] : signed_headers) {
      if (k == "host") continue;  // curl sets Host from the URL, identically
      list = curl_slist_append(list, (k + ": " + v).c_str());
    }
    list = curl_slist_append(list, "Expect:");
    Response resp;
    UploadState up{&body};
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, HeaderLine);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp.etag);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, config_.connect_timeout_ms);
    // A stalled or trickling endpoint must not hold the run forever (a 200 and then two bytes a
    // second defeats a 1 byte/s guard): a deadline for what the request sends, and a minimum rate.
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, config_.min_bytes_per_second);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, config_.request_timeout_seconds);
    bool object_read = method == "GET" && !key.empty();  // a response of any size: the rate guard only
    if (!object_read) {
      long deadline_ms = (config_.request_timeout_seconds +
                          static_cast<long>(body.size()) / std::max(1L, config_.min_bytes_per_second)) *
                         1000;
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, deadline_ms);
    }
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    uint64_t sent = 0;
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, CountSentRequests);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &sent);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    if (method == "PUT") {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadBody);
      curl_easy_setopt(h, CURLOPT_READDATA, &up);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else if (method == "POST") {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else if (method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(list);
    // requests: what reached the wire; retries: every request beyond this operation's first one.
    stats_.requests.fetch_add(sent);
    stats_.retries.fetch_add(sent_before == 0 && sent > 0 ? sent - 1 : sent);
    sent_before += sent;
    if (rc != CURLE_OK) {
      last_error = std::string(curl_easy_strerror(rc));
      continue;  // connection refused/reset, timeouts: all retryable
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    stats_.bytes_in.fetch_add(resp.body.size());
    stats_.bytes_out.fetch_add(body.size());
    if (resp.status >= 200 && resp.status < 300) return resp;
    if (allowed_status != 0 && resp.status == allowed_status) return resp;
    std::string message;
    std::string code = S3ErrorCode(resp.body, &message);
    bool retryable = resp.status >= 500 || resp.status == 429 || code == "SlowDown" || code == "RequestTimeout" ||
                     code == "InternalError";
    last_error =
        std::to_string(resp.status) + (code.empty() ? "" : " " + code) + (message.empty() ? "" : ": " + message);
    if (!retryable) throw Error::Io(what + ": " + last_error);
  }
  throw Error::Io(what + ": gave up after " + std::to_string(config_.max_attempts) + " attempts (endpoint " +
                  config_.endpoint + "): " + last_error);
}

std::vector<ObjectInfo> Client::List(const std::string& bucket, const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::string token;
  for (;;) {
    std::vector<std::pair<std::string, std::string>> q{{"list-type", "2"}, {"prefix", prefix}};
    if (!token.empty()) q.emplace_back("continuation-token", token);
    Response r = Request("GET", bucket, "", q, "", {});
    pugi::xml_document doc;
    if (!doc.load_string(r.body.c_str()))
      throw Error::Io("S3 list s3://" + bucket + "/" + prefix + ": response is not XML: expected ListBucketResult");
    auto root = doc.child("ListBucketResult");
    for (auto c : root.children("Contents")) out.push_back({c.child_value("Key"), std::atoll(c.child_value("Size"))});
    if (std::string(root.child_value("IsTruncated")) != "true") break;
    token = root.child_value("NextContinuationToken");
    if (token.empty())
      throw Error::Io("S3 list s3://" + bucket + "/" + prefix + ": truncated listing without a continuation token");
  }
  return out;
}

std::string Client::Get(const std::string& bucket, const std::string& key, int64_t begin, int64_t end) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (end > begin) headers.emplace_back("range", "bytes=" + std::to_string(begin) + "-" + std::to_string(end - 1));
  return Request("GET", bucket, key, {}, "", headers).body;
}

bool Client::Exists(const std::string& bucket, const std::string& key) {
  return Request("HEAD", bucket, key, {}, "", {}, 404).status != 404;
}

void Client::Put(const std::string& bucket, const std::string& key, const std::string& body) {
  Request("PUT", bucket, key, {}, body, {});
}

std::string Client::PutIf(const std::string& bucket, const std::string& key, const std::string& body,
                          const std::string& if_match) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (if_match.empty()) {
    headers.emplace_back("if-none-match", "*");
  } else {
    headers.emplace_back("if-match", if_match);
  }
  Response r = Request("PUT", bucket, key, {}, body, headers, 412);
  return r.status == 412 ? "" : r.etag;
}

Client::Object Client::GetObject(const std::string& bucket, const std::string& key) {
  Response r = Request("GET", bucket, key, {}, "", {}, 404);
  return {.found = r.status != 404, .body = std::move(r.body), .etag = std::move(r.etag)};
}

std::string Client::CreateMultipartUpload(const std::string& bucket, const std::string& key) {
  Response r = Request("POST", bucket, key, {{"uploads", ""}}, "", {});
  pugi::xml_document doc;
  doc.load_string(r.body.c_str());
  std::string id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
  if (id.empty()) throw Error::Io("S3 multipart upload s3://" + bucket + "/" + key + ": no UploadId in the response");
  return id;
}

std::string Client::UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                               int part, const std::string& body) {
  return Request("PUT", bucket, key, {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}}, body, {}).etag;
}

void Client::CompleteMultipartUpload(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                     const std::vector<std::string>& etags) {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i)
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags[i] + "</ETag></Part>";
  xml += "</CompleteMultipartUpload>";
  Request("POST", bucket, key, {{"uploadId", upload_id}}, xml, {});
}

void Client::AbortMultipartUpload(const std::string& bucket, const std::string& key, const std::string& upload_id) {
  Request("DELETE", bucket, key, {{"uploadId", upload_id}}, "", {}, 404);
}

std::vector<Client::Upload> Client::ListUploads(const std::string& bucket, const std::string& prefix) {
  std::vector<Upload> out;
  std::string key_marker, id_marker;
  for (;;) {
    std::vector<std::pair<std::string, std::string>> q{{"prefix", prefix}, {"uploads", ""}};
    if (!key_marker.empty()) q.emplace_back("key-marker", key_marker);
    if (!id_marker.empty()) q.emplace_back("upload-id-marker", id_marker);
    Response r = Request("GET", bucket, "", q, "", {});
    pugi::xml_document doc;
    if (!doc.load_string(r.body.c_str()))
      throw Error::Io("S3 list uploads s3://" + bucket + "/" + prefix +
                      ": response is not XML: expected ListMultipartUploadsResult");
    auto root = doc.child("ListMultipartUploadsResult");
    for (auto u : root.children("Upload")) out.push_back({u.child_value("Key"), u.child_value("UploadId")});
    if (std::string(root.child_value("IsTruncated")) != "true") break;
    key_marker = root.child_value("NextKeyMarker");
    id_marker = root.child_value("NextUploadIdMarker");
    if (key_marker.empty())
      throw Error::Io("S3 list uploads s3://" + bucket + "/" + prefix +
                      ": truncated listing without a next key marker");
  }
  return out;
}

void Client::DeleteObjects(const std::string& bucket, const std::vector<std::string>& keys) {
  for (size_t i = 0; i < keys.size(); i += 1000) {
    pugi::xml_document doc;
    auto del = doc.append_child("Delete");
    del.append_child("Quiet").text().set("true");
    for (size_t j = i; j < std::min(keys.size(), i + 1000); ++j)
      del.append_child("Object").append_child("Key").text().set(keys[j].c_str());
    std::ostringstream ss;
    doc.save(ss, "", pugi::format_raw | pugi::format_no_declaration);
    std::string body = ss.str();
    Response r = Request("POST", bucket, "", {{"delete", ""}}, body, {{"content-md5", Md5Base64(body)}});
    pugi::xml_document res;
    if (res.load_string(r.body.c_str())) {
      for (auto e : res.child("DeleteResult").children("Error"))
        throw Error::Io("S3 delete s3://" + bucket + "/" + e.child_value("Key") + ": " + e.child_value("Code") + ": " +
                        e.child_value("Message"));
    }
  }
}

}  // namespace lakeforge::s3
