// SigV4 signing with OpenSSL's SHA-256 and HMAC; the algorithm is summarised in sigv4.h.
#include "io/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

namespace lakeforge::s3 {
namespace {

std::string Hex(const unsigned char* p, size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 15]);
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Header values: trim, and collapse inner runs of spaces to one.
std::string TrimValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string UriEncode(std::string_view s, bool encode_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encode_slash)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return Hex(md, sizeof(md));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string Md5Base64(std::string_view data) {
  // Through EVP: OpenSSL 3 deprecates the one-shot MD5().
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr) != 1)
    throw std::runtime_error("MD5 of a " + std::to_string(data.size()) + "-byte body failed (OpenSSL EVP_Digest)");
  unsigned char b64[32];
  int n = EVP_EncodeBlock(b64, md, static_cast<int>(len));
  return std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

std::string CanonicalRequest(const SignedRequest& r,
                             const std::vector<std::pair<std::string, std::string>>& all_headers) {
  std::vector<std::pair<std::string, std::string>> q;
  for (const auto& [k, v] : r.query) q.emplace_back(UriEncode(k, true), UriEncode(v, true));
  std::sort(q.begin(), q.end());
  std::string query;
  for (const auto& [k, v] : q) {
    if (!query.empty()) query.push_back('&');
    query += k + "=" + v;
  }
  std::vector<std::pair<std::string, std::string>> h;
  for (const auto& [k, v] : all_headers) h.emplace_back(Lower(k), TrimValue(v));
  std::sort(h.begin(), h.end());
  std::string canonical_headers, signed_headers;
  for (const auto& [k, v] : h) {
    canonical_headers += k + ":" + v + "\n";
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += k;
  }
  return r.method + "\n" + UriEncode(r.path, false) + "\n" + query + "\n" + canonical_headers + "\n" + signed_headers +
         "\n" + r.payload_sha256;
}

std::vector<std::pair<std::string, std::string>> SignV4(const SignedRequest& r, const Credentials& creds,
                                                        const std::string& region, const std::string& service,
                                                        const std::string& amz_date) {
  std::vector<std::pair<std::string, std::string>> headers = r.headers;
  headers.emplace_back("host", r.host);
  headers.emplace_back("x-amz-date", amz_date);
  if (service == "s3") headers.emplace_back("x-amz-content-sha256", r.payload_sha256);
  if (!creds.session_token.empty()) headers.emplace_back("x-amz-security-token", creds.session_token);
  std::string canonical = CanonicalRequest(r, headers);
  std::string date = amz_date.substr(0, 8);
  std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  std::string to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(canonical);
  std::string key = HmacSha256("AWS4" + creds.secret_access_key, date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  key = HmacSha256(key, "aws4_request");
  std::string sig = HmacSha256(key, to_sign);
  std::string signed_headers;
  {
    std::vector<std::string> names;
    for (const auto& [k, v] : headers) names.push_back(Lower(k));
    std::sort(names.begin(), names.end());
    for (const auto& n : names) signed_headers += (signed_headers.empty() ? "" : ";") + n;
  }
  headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" + scope +
                                            ", SignedHeaders=" + signed_headers + ", Signature=" +
                                            Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size()));
  return headers;
}

}  // namespace lakeforge::s3
