// AWS Signature Version 4 for S3 requests, computed by hand (curl 7.88's built-in SigV4 neither
// canonicalises query strings nor encodes paths).
//
//   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
//                      SignedHeaders \n HexSHA256(payload)
//   StringToSign     = "AWS4-HMAC-SHA256" \n AmzDate \n Date/Region/Service/aws4_request \n
//                      HexSHA256(CanonicalRequest)
//   SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, Date), Region), Service), "aws4_request")
//
// S3 paths are URI-encoded once, segment by segment ('/' kept); query keys and values are
// RFC 3986-encoded ('/' too) and sorted.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lakeforge::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when none
};

struct SignedRequest {
  std::string method;                                        // GET, PUT, POST, DELETE, HEAD
  std::string host;                                          // "bucket.s3.amazonaws.com" or "127.0.0.1:4568"
  std::string path;                                          // raw (unencoded) path, starting with '/'
  std::vector<std::pair<std::string, std::string>> query;    // raw (unencoded) pairs
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers to sign (raw names/values)
  std::string payload_sha256;                                // hex; "UNSIGNED-PAYLOAD" allowed
};

// RFC 3986 percent-encoding; '/' is kept when encode_slash is false.
std::string UriEncode(std::string_view s, bool encode_slash);
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Md5Base64(std::string_view data);

// The canonical request and string to sign, exposed for tests.
std::string CanonicalRequest(const SignedRequest& r,
                             const std::vector<std::pair<std::string, std::string>>& all_headers);

// Adds x-amz-date, x-amz-content-sha256, host (and x-amz-security-token) to the returned header list
// and returns it with the Authorization header appended. amz_date is "YYYYMMDDTHHMMSSZ".
std::vector<std::pair<std::string, std::string>> SignV4(const SignedRequest& r, const Credentials& creds,
                                                        const std::string& region, const std::string& service,
                                                        const std::string& amz_date);

}  // namespace lakeforge::s3
