// Location resolution and the output-placement rule; see location.h.
#include "io/location.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <memory>

#include "base/error.h"
#include "io/file_system.h"

namespace lakeforge {
namespace {

// Splits on '/', dropping empty and '.' segments and applying '..' lexically.
std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    std::string seg = path.substr(pos, slash - pos);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!seg.empty() && seg != ".") {
      out.push_back(std::move(seg));
    }
    pos = slash + 1;
  }
  return out;
}

std::string Joined(const std::string& head, const std::vector<std::string>& segments, size_t from) {
  std::string out = head;
  for (size_t i = from; i < segments.size(); ++i) out += segments[i] + "/";
  return out;
}

std::string RealPath(const std::string& path) {
  std::unique_ptr<char, decltype(&::free)> real(::realpath(path.c_str(), nullptr), &::free);
  return real ? std::string(real.get()) : std::string();
}

// Applies the path one segment at a time, as the kernel would once the missing folders were made:
// a segment that exists is resolved (symlinks followed, so '..' after a link climbs from its
// target); a missing one is appended as it is, and a '..' after it removes it again.
std::string ResolveLocal(const std::string& given) {
  std::string current = RealPath(given[0] == '/' ? "/" : ".");
  if (current.empty()) throw Error::Io("cannot resolve the current folder for '" + given + "'");
  size_t pos = 0;
  while (pos <= given.size()) {
    size_t slash = given.find('/', pos);
    if (slash == std::string::npos) slash = given.size();
    std::string seg = given.substr(pos, slash - pos);
    pos = slash + 1;
    if (seg.empty() || seg == ".") continue;
    std::string candidate = (current == "/" ? "" : current) + "/" + seg;
    std::string real = RealPath(candidate);
    if (!real.empty()) {
      current = real;
    } else if (seg == "..") {
      current = current.substr(0, std::max<size_t>(1, current.rfind('/')));
    } else {
      current = candidate;
    }
  }
  return current == "/" ? current : current + "/";
}

const char* OverlapWords(Overlap o) {
  switch (o) {
    case Overlap::kSame: return "is the same place as";
    case Overlap::kInside: return "lies inside";
    case Overlap::kContains: return "contains";
    case Overlap::kApart: break;
  }
  return "is apart from";
}

}  // namespace

ResolvedLocation ResolveLocation(const std::string& given) {
  if (given.empty()) throw Error::Usage("a location is empty");
  ResolvedLocation loc;
  loc.given = given;
  std::string path = StripFileScheme(given);
  if (path.rfind("s3://", 0) == 0) {
    std::string rest = path.substr(5);
    size_t slash = rest.find('/');
    std::string bucket = rest.substr(0, slash);
    if (bucket.empty()) throw Error::Usage("'" + given + "' names no bucket");
    std::vector<std::string> segments = Segments(slash == std::string::npos ? "" : rest.substr(slash + 1));
    loc.resolved = Joined("s3://" + bucket + "/", segments, 0);
    loc.is_root = segments.empty();
    return loc;
  }
  if (path.empty()) throw Error::Usage("'" + given + "' names no path");
  loc.resolved = ResolveLocal(path);
  loc.is_root = loc.resolved == "/";
  return loc;
}

Overlap OverlapOf(const ResolvedLocation& a, const ResolvedLocation& b) {
  if (a.resolved == b.resolved) return Overlap::kSame;
  if (a.resolved.rfind(b.resolved, 0) == 0) return Overlap::kInside;
  if (b.resolved.rfind(a.resolved, 0) == 0) return Overlap::kContains;
  return Overlap::kApart;
}

void CheckLocations(const std::vector<NamedLocation>& inputs, const std::vector<NamedLocation>& outputs) {
  std::vector<ResolvedLocation> in;
  for (const auto& i : inputs) {
    if (i.path.empty()) throw Error::Usage(i.role + " is empty");
    in.push_back(ResolveLocation(i.path));
  }
  for (const auto& o : outputs) {
    if (o.path.empty()) throw Error::Usage(o.role + " is empty: lakeforge needs a folder of its own to write into");
    ResolvedLocation out = ResolveLocation(o.path);
    if (out.is_root)
      throw Error::Usage(o.role + " '" + o.path + "' is a root (" + out.resolved +
                         "): lakeforge needs a folder of its own to write into");
    for (size_t k = 0; k < in.size(); ++k) {
      Overlap ov = OverlapOf(out, in[k]);
      if (ov == Overlap::kApart) continue;
      throw Error::Usage(o.role + " '" + o.path + "' " + OverlapWords(ov) + " " + inputs[k].role + " '" +
                         inputs[k].path + "' (resolved: " + out.resolved + " and " + in[k].resolved +
                         "): lakeforge never writes where it reads; choose a separate " + o.role.substr(2));
    }
  }
}

}  // namespace lakeforge
