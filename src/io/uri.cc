// Location parsing; see uri.h.
#include "io/uri.h"

#include "base/error.h"

namespace lakeforge {

bool IsS3(std::string_view uri) { return uri.substr(0, 5) == "s3://"; }

Location ParseLocation(std::string_view uri) {
  Location loc;
  if (IsS3(uri)) {
    loc.kind = Location::Kind::kS3;
    std::string_view rest = uri.substr(5);
    size_t slash = rest.find('/');
    loc.bucket = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos) loc.path = std::string(rest.substr(slash + 1));
    while (!loc.path.empty() && loc.path.back() == '/') loc.path.pop_back();
    if (loc.bucket.empty()) throw Error::Usage("bad location '" + std::string(uri) + "': expected s3://bucket/prefix");
    return loc;
  }
  if (uri.substr(0, 7) == "file://") uri.remove_prefix(7);
  size_t scheme = uri.find("://");
  if (scheme != std::string_view::npos && uri.find('/') > scheme)
    throw Error::Usage("unsupported location '" + std::string(uri) + "': expected a local path, file:// or s3://");
  loc.path = std::string(uri);
  return loc;
}

std::string UnsafePathReason(std::string_view key) {
  if (key.empty()) return "it is empty";
  if (key.front() == '/') return "it starts with '/'";
  if (key.find('\0') != std::string_view::npos) return "it holds a NUL byte";
  if (key.find('\\') != std::string_view::npos) return "it holds a backslash";
  size_t pos = 0;
  for (;;) {
    size_t slash = key.find('/', pos);
    std::string_view seg = key.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (seg.empty()) return "it has an empty segment ('//' or a trailing '/')";
    if (seg == "." || seg == "..") return "it has a '" + std::string(seg) + "' segment";
    if (slash == std::string_view::npos) return "";
    pos = slash + 1;
  }
}

}  // namespace lakeforge
