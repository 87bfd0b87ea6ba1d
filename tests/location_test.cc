// The output-placement rule (io/location.h) against an independent oracle: for random pairs of
// paths — equal, nested either way, through symlinks, with trailing slashes, '.', '..' and empty
// segments, existing or not — OverlapOf must agree with what the kernel says once both folders
// exist: walking up from one folder by ".." and comparing device and inode numbers.
#include "io/location.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "base/error.h"

namespace lakeforge {
namespace {

namespace fsys = std::filesystem;

// A small tree with symlinks: s/a/b/c, s/d, s/ab -> a/b, s/a/up -> .., s/a/b/self -> ., s/dd -> d.
// It sits three levels below the test's temporary root so that '..' never leaves that root.
std::string MakeTree(const std::string& root) {
  std::string s = root + "/1/2/3/s";
  fsys::create_directories(s + "/a/b/c");
  fsys::create_directories(s + "/d");
  fsys::create_directory_symlink("a/b", s + "/ab");
  fsys::create_directory_symlink("..", s + "/a/up");
  fsys::create_directory_symlink(".", s + "/a/b/self");
  fsys::create_directory_symlink("d", s + "/dd");
  return s;
}

std::string RandomPath(std::mt19937_64& rng, const std::string& base) {
  static const char* kSegments[] = {"a", "b", "c", "d", "ab", "up", "self", "dd", "x", "y", ".", "..", ""};
  std::string p = base;
  int n = 1 + static_cast<int>(rng() % 5), ups = 0;
  for (int i = 0; i < n; ++i) {
    std::string seg = kSegments[rng() % 13];
    if (seg == ".." && ++ups > 2) seg = "x";
    p += "/" + seg;
  }
  if (rng() % 3 == 0) p += "/";
  return p;
}

struct Id {
  dev_t dev;
  ino_t ino;
  bool operator==(const Id&) const = default;
};

Id IdOf(int fd) {
  struct stat st;
  EXPECT_EQ(::fstat(fd, &st), 0);
  return {st.st_dev, st.st_ino};
}

// Is `inner` the folder `outer` or below it? Walks up from inner by "..", as the kernel sees it.
bool Within(const std::string& inner, const std::string& outer) {
  int o = ::open(outer.c_str(), O_RDONLY | O_DIRECTORY);
  int fd = ::open(inner.c_str(), O_RDONLY | O_DIRECTORY);
  EXPECT_GE(o, 0) << outer;
  EXPECT_GE(fd, 0) << inner;
  Id target = IdOf(o);
  ::close(o);
  for (;;) {
    Id here = IdOf(fd);
    if (here == target) {
      ::close(fd);
      return true;
    }
    int up = ::openat(fd, "..", O_RDONLY | O_DIRECTORY);
    ::close(fd);
    fd = up;
    if (IdOf(fd) == here) {  // the root is its own parent
      ::close(fd);
      return false;
    }
  }
}

Overlap Oracle(const std::string& a, const std::string& b) {
  bool a_in_b = Within(a, b), b_in_a = Within(b, a);
  if (a_in_b && b_in_a) return Overlap::kSame;
  if (a_in_b) return Overlap::kInside;
  if (b_in_a) return Overlap::kContains;
  return Overlap::kApart;
}

TEST(Locations, OverlapAgreesWithTheKernelForRandomPaths) {
  std::mt19937_64 rng(7);
  std::string root =
      (fsys::temp_directory_path() / ("lakeforge-loc-" + std::to_string(std::random_device{}()))).string();
  int checked = 0;
  for (int i = 0; i < 400; ++i) {
    fsys::remove_all(root);
    std::string s = MakeTree(root);
    std::string a = RandomPath(rng, s), b = RandomPath(rng, s);
    // Resolve first (the folders may not exist yet), then make them exist and ask the kernel.
    Overlap verdict = OverlapOf(ResolveLocation(a), ResolveLocation(b));
    std::error_code ec;
    fsys::create_directories(a, ec);
    fsys::create_directories(b, ec);
    if (!fsys::is_directory(a) || !fsys::is_directory(b)) continue;  // e.g. "x/../.." through a link
    EXPECT_EQ(verdict, Oracle(a, b)) << a << " vs " << b;
    ++checked;
  }
  fsys::remove_all(root);
  EXPECT_GT(checked, 300);
}

TEST(Locations, S3PrefixesAreNormalisedAndRootsFlagged) {
  EXPECT_EQ(ResolveLocation("s3://b/x//y/./z/../").resolved, "s3://b/x/y/");
  EXPECT_TRUE(ResolveLocation("s3://b").is_root);
  EXPECT_TRUE(ResolveLocation("s3://b/./").is_root);
  EXPECT_FALSE(ResolveLocation("s3://b/p").is_root);
  EXPECT_EQ(OverlapOf(ResolveLocation("s3://b/song_data_backup"), ResolveLocation("s3://b/song_data")),
            Overlap::kApart);
  EXPECT_EQ(OverlapOf(ResolveLocation("s3://b/p/q"), ResolveLocation("s3://b/p/")), Overlap::kInside);
  EXPECT_EQ(OverlapOf(ResolveLocation("s3://a/p"), ResolveLocation("s3://b/p")), Overlap::kApart);
  EXPECT_EQ(OverlapOf(ResolveLocation("/tmp/x"), ResolveLocation("s3://tmp/x")), Overlap::kApart);
}

TEST(Locations, CheckNamesBothOptionsAndRefusesRootsAndEmpty) {
  auto message = [](std::vector<NamedLocation> in, std::vector<NamedLocation> out) {
    try {
      CheckLocations(in, out);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kUsage);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message({}, {{.role = "--output", .path = ""}}),
            "--output is empty: lakeforge needs a folder of its own to write into");
  EXPECT_EQ(message({}, {{.role = "--output", .path = "/"}}),
            "--output '/' is a root (/): lakeforge needs a folder of its own to write into");
  EXPECT_EQ(message({{.role = "--src", .path = "s3://b/raw"}}, {{.role = "--dest", .path = "s3://b/raw/"}}),
            "--dest 's3://b/raw/' is the same place as --src 's3://b/raw' (resolved: s3://b/raw/ and s3://b/raw/): "
            "lakeforge never writes where it reads; choose a separate dest");
  EXPECT_EQ(
      message({{.role = "--input", .path = "s3://b/lake/song_data"}}, {{.role = "--output", .path = "s3://b/lake"}}),
      "--output 's3://b/lake' contains --input 's3://b/lake/song_data' (resolved: s3://b/lake/ and "
      "s3://b/lake/song_data/): lakeforge never writes where it reads; choose a separate output");
  EXPECT_EQ(
      message({{.role = "--input", .path = "s3://b/lake/song_data"}}, {{.role = "--output", .path = "s3://b/out"}}),
      "accepted");
}

}  // namespace
}  // namespace lakeforge
