// SigV4: the published AWS test vectors (get-vanilla, get-vanilla-query-order-key-case) and
// agreement with botocore (Debian python3-botocore, via tests/s3_tool.py) on S3 requests whose keys
// hold spaces, unicode, '+', '=', '%' and '~'.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include "io/sigv4.h"

namespace lakeforge::s3 {
namespace {

const Credentials kAwsExample{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

std::string AuthorizationOf(const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [k, v] : headers)
    if (k == "Authorization") return v;
  return "";
}

TEST(SigV4, AwsTestSuiteGetVanilla) {
  SignedRequest r{"GET", "example.amazonaws.com", "/", {}, {}, Sha256Hex("")};
  auto h = SignV4(r, kAwsExample, "us-east-1", "service", "20150830T123600Z");
  EXPECT_EQ(AuthorizationOf(h),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, AwsTestSuiteQueryOrder) {
  SignedRequest r{"GET", "example.amazonaws.com", "/", {{"Param2", "value2"}, {"Param1", "value1"}}, {}, Sha256Hex("")};
  auto h = SignV4(r, kAwsExample, "us-east-1", "service", "20150830T123600Z");
  EXPECT_EQ(AuthorizationOf(h),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

// Content-MD5 of a DeleteObjects body: RFC 1321's vectors (hex digests d41d8cd9..., 9e107d9d...,
// 7707d6ae...), base64 of the 16 raw bytes.
TEST(SigV4, Md5Base64MatchesKnownDigests) {
  EXPECT_EQ(Md5Base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(Md5Base64("The quick brown fox jumps over the lazy dog"), "nhB9nTcrtoJr2B01QqQZ1g==");
  EXPECT_EQ(Md5Base64(std::string(1000000, 'a')), "dwfWrk4CfHDuoqk1wilvIQ==");
}

TEST(SigV4, UriEncoding) {
  EXPECT_EQ(UriEncode("a b+c=d%e~f/g", false), "a%20b%2Bc%3Dd%25e~f/g");
  EXPECT_EQ(UriEncode("a/b", true), "a%2Fb");
  EXPECT_EQ(UriEncode("é", false), "%C3%A9");
}

std::string Shell(const std::string& cmd) {
  std::array<char, 512> buf;
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return "";
  while (fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(SigV4, AgreesWithBotocoreOnS3Requests) {
  if (Shell("/usr/bin/python3 -c 'import botocore' 2>&1 && echo yes") != "yes") FAIL() << "python3-botocore is required (scripts/install-deps.sh installs it)";
  struct Case {
    std::string key;
    std::vector<std::pair<std::string, std::string>> query;
  };
  std::vector<Case> cases = {
      {"song_data/A/B/C/TRABC.json", {}},
      {"with space/and+plus=eq%pct~tilde.json", {}},
      {"unicode/Café-日本-🎵.json", {}},
      {"", {{"list-type", "2"}, {"prefix", "log data/2018+11/"}, {"continuation-token", "a+b/c=="}}},
      {"multi/part", {{"partNumber", "3"}, {"uploadId", "x/y+z="}}},
  };
  for (const auto& c : cases) {
    SignedRequest r{"GET", "127.0.0.1:4599", "/lake/" + c.key, c.query, {}, Sha256Hex("")};
    auto ours = AuthorizationOf(SignV4(r, kAwsExample, "us-east-1", "s3", "20150830T123600Z"));
    std::string url = "http://127.0.0.1:4599" + UriEncode(r.path, false);
    for (size_t i = 0; i < c.query.size(); ++i)
      url += (i ? "&" : "?") + UriEncode(c.query[i].first, true) + "=" + UriEncode(c.query[i].second, true);
    std::string cmd = "AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY "
                      "AWS_REGION=us-east-1 /usr/bin/python3 " LAKEFORGE_SOURCE_DIR "/tests/s3_tool.py sign GET '" + url +
                      "' 20150830T123600Z";
    EXPECT_EQ(ours, Shell(cmd)) << "key '" << c.key << "'";
  }
}

}  // namespace
}  // namespace lakeforge::s3
