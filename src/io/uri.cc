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

}  // namespace lakeforge
