// One conformance suite for every FileSystem: local always; S3 when LAKEFORGE_TEST_S3_ROOT
// (s3://bucket/prefix) is set — tests/e2e_s3.sh sets it against a loopback S3 server. Capability
// differences are flags (has_atomic_dir_swap), never a check of the kind.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "base/error.h"
#include "io/file_system.h"

namespace lakeforge {
namespace {

struct Target {
  std::string name;
  std::string root;
};

// The local target's root, shared by every test of this process. Each test deletes its own folder
// (root/<test>/local); the folders above it go when the process ends, so no run leaves litter in /tmp.
const std::string& LocalRoot() {
  static const std::string root =
      (std::filesystem::temp_directory_path() / ("lakeforge-fs-" + std::to_string(std::random_device{}()))).string();
  return root;
}

class RemoveLocalRoot : public ::testing::Environment {
 public:
  void TearDown() override { std::filesystem::remove_all(LocalRoot()); }
};
const auto* const kRemoveLocalRoot = ::testing::AddGlobalTestEnvironment(new RemoveLocalRoot);

std::vector<Target> Targets() {
  std::vector<Target> t;
  t.push_back({"local", LocalRoot()});
  if (const char* s3 = std::getenv("LAKEFORGE_TEST_S3_ROOT")) t.push_back({"s3", s3});
  return t;
}

class FileSystemConformance : public ::testing::TestWithParam<Target> {
 protected:
  void SetUp() override {
    root_ = JoinPath(GetParam().root, ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs_ = &router_.For(root_);
    fs_->DeleteDirRecursive(root_);
  }
  void TearDown() override { fs_->DeleteDirRecursive(root_); }
  void Put(const std::string& rel, const std::string& data) {
    auto out = fs_->OpenOutputStream(JoinPath(root_, rel));
    out->Write(data);
    EXPECT_EQ(out->Tell(), static_cast<int64_t>(data.size()));
    out->Close();
  }
  std::string Get(const std::string& rel) {
    FileBuffer buf;
    fs_->ReadFile(JoinPath(root_, rel), 64, &buf);
    return std::string(buf.view());
  }

  RoutingFileSystem router_;
  FileSystem* fs_ = nullptr;
  std::string root_;
};

TEST_P(FileSystemConformance, WriteThenReadBack) {
  Put("a/b/c.json", "{\"x\": 1}");
  Put("empty", "");
  EXPECT_EQ(Get("a/b/c.json"), "{\"x\": 1}");
  EXPECT_EQ(Get("empty"), "");
  EXPECT_TRUE(fs_->Exists(JoinPath(root_, "a/b/c.json")));
  EXPECT_FALSE(fs_->Exists(JoinPath(root_, "a/b/nope.json")));
}

TEST_P(FileSystemConformance, LargeFileInManyWrites) {
  // 20 MiB in odd-sized writes: several multipart parts on object stores.
  std::string data;
  std::mt19937_64 rng(1);
  while (data.size() < (size_t{20} << 20)) data.push_back(static_cast<char>(rng()));
  auto out = fs_->OpenOutputStream(JoinPath(root_, "big.bin"));
  for (size_t pos = 0; pos < data.size(); pos += 777777) out->Write(std::string_view(data).substr(pos, 777777));
  out->Close();
  EXPECT_EQ(Get("big.bin"), data);
}

TEST_P(FileSystemConformance, RecursiveListingSortedAndHiddenSkipped) {
  for (const char* rel : {"z.json", "a/2.json", "a/10.json", "a/.ipynb_checkpoints/x.json", "_tmp/y.json", "b/_SUCCESS",
                          "b/c/d/e.json", "key with space+plus=eq.json", "café.json"})
    Put(rel, rel);
  std::vector<std::string> got;
  for (const auto& f : fs_->ListFiles(root_, true)) got.push_back(f.path.substr(root_.size() + 1));
  std::vector<std::string> want{"a/10.json", "a/2.json", "b/c/d/e.json", "café.json", "key with space+plus=eq.json",
                                "z.json"};
  EXPECT_EQ(got, want);
  EXPECT_EQ(fs_->ListFiles(root_, false).size(), 9u);
  EXPECT_EQ(Get("key with space+plus=eq.json"), "key with space+plus=eq.json");
  EXPECT_EQ(fs_->ListDir(root_),
            (std::vector<std::string>{"_tmp", "a", "b", "café.json", "key with space+plus=eq.json", "z.json"}));
}

TEST_P(FileSystemConformance, MissingRootIsAClearError) {
  try {
    fs_->ListFiles(JoinPath(root_, "does-not-exist"), true);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kIo);
    EXPECT_NE(std::string(e.what()).find("does-not-exist"), std::string::npos) << e.what();
  }
}

// A prefix that does not exist is missing even when a sibling that starts with the same letters
// exists (S3 listed "song_data" without the '/' and saw "song_data_backup/": exit 0, empty tables).
TEST_P(FileSystemConformance, MissingRootBesideASiblingWithTheSamePrefix) {
  Put("song_data_backup/A/x.json", "{}");
  Put("song_datum", "{}");
  EXPECT_THROW(fs_->ListFiles(JoinPath(root_, "song_data"), true), Error);
  EXPECT_THROW(ListFilesConcurrently(*fs_, JoinPath(root_, "song_data"), true, 4), Error);
  EXPECT_EQ(fs_->ListFiles(JoinPath(root_, "song_datum"), true).size(), 1u);  // one file as the root
}

TEST_P(FileSystemConformance, DeleteFilesAndFolders) {
  for (int i = 0; i < 30; ++i) Put("d/f" + std::to_string(i), "x");
  Put("keep/k", "k");
  fs_->DeleteFiles({JoinPath(root_, "d/f0"), JoinPath(root_, "d/f1"), JoinPath(root_, "d/missing")});
  EXPECT_EQ(fs_->ListFiles(JoinPath(root_, "d"), false).size(), 28u);
  fs_->DeleteDirRecursive(JoinPath(root_, "d"));
  EXPECT_FALSE(fs_->Exists(JoinPath(root_, "d")));
  EXPECT_EQ(Get("keep/k"), "k");
}

TEST_P(FileSystemConformance, CommitDirWhereSupported) {
  if (!fs_->has_atomic_dir_swap()) GTEST_SKIP() << "no atomic folder swap: writers use the manifest protocol";
  Put("live/t/old", "old");
  Put("stage/t/new", "new");
  fs_->CommitDir(JoinPath(root_, "stage/t"), JoinPath(root_, "live/t"), JoinPath(root_, "stage/previous"));
  EXPECT_EQ(Get("live/t/new"), "new");
  EXPECT_FALSE(fs_->Exists(JoinPath(root_, "live/t/old")));
  EXPECT_EQ(Get("stage/previous/old"), "old");
  Put("stage/u/first", "1");  // first commit of a table: a plain rename
  fs_->CommitDir(JoinPath(root_, "stage/u"), JoinPath(root_, "live/u"), JoinPath(root_, "stage/previous-u"));
  EXPECT_EQ(Get("live/u/first"), "1");
}

// Local only (object stores have no links): deleting a folder never follows a symlink out of it.
// A fresh folder holding precious/sub/data: what links inside a folder being deleted point to.
std::string FolderWithPreciousData(const std::string& prefix) {
  namespace fsys = std::filesystem;
  std::string root = (fsys::temp_directory_path() / (prefix + std::to_string(std::random_device{}()))).string();
  fsys::create_directories(root + "/precious/sub");
  std::ofstream(root + "/precious/sub/data") << "keep";
  return root;
}

TEST(LocalFileSystem, DeleteDirRecursiveRemovesLinksNotTheirTargets) {
  namespace fsys = std::filesystem;
  std::string root = FolderWithPreciousData("lakeforge-del-");
  fsys::create_directories(root + "/doomed/a");
  fsys::create_directory_symlink(root + "/precious", root + "/doomed/a/link-to-dir");
  fsys::create_symlink(root + "/precious/sub/data", root + "/doomed/link-to-file");
  fsys::create_directory_symlink(root + "/precious", root + "/doomed-link");
  auto fs = MakeLocalFileSystem();
  fs->DeleteDirRecursive(root + "/doomed-link");  // the link itself is removed, not what it points to
  fs->DeleteDirRecursive(root + "/doomed");
  EXPECT_FALSE(fsys::exists(fsys::symlink_status(root + "/doomed-link")));
  EXPECT_FALSE(fsys::exists(root + "/doomed"));
  EXPECT_TRUE(fsys::exists(root + "/precious/sub/data"));
  fsys::remove_all(root);
}

// A previous table version as a rerun deletes it: wide (hundreds of partition folders, deleted by
// several threads) and deep, files at every level, links to folders and files outside at every
// depth. Everything below goes, nothing a link points to does.
TEST(LocalFileSystem, DeleteDirRecursiveOfAWideDeepTreeInParallel) {
  namespace fsys = std::filesystem;
  std::string root = FolderWithPreciousData("lakeforge-wide-");
  std::string t = root + "/stage/run/previous-songs";
  fsys::create_directories(t);
  std::ofstream(root + "/stage/run/_SUCCESS") << "m";
  fsys::create_directory_symlink(root + "/precious", root + "/stage/link-near-top");
  size_t files = 0;
  for (int y = 0; y < 30; ++y) {
    for (int a = 0; a < 12; ++a) {
      std::string dir = t + "/year=" + std::to_string(1990 + y) + "/artist_id=A" + std::to_string(a);
      fsys::create_directories(dir + "/deeper");
      std::ofstream(dir + "/part-0.parquet") << "p";
      std::ofstream(dir + "/deeper/x") << "x";
      files += 2;
      if (a == 3) fsys::create_directory_symlink(root + "/precious", dir + "/deeper/link-to-dir");
      if (a == 5) fsys::create_symlink(root + "/precious/sub/data", dir + "/link-to-file");
    }
    std::ofstream(t + "/year=" + std::to_string(1990 + y) + "/loose") << "l";
  }
  ASSERT_GT(files, 700u);
  auto fs = MakeLocalFileSystem();
  fs->DeleteDirRecursive(root + "/stage");
  EXPECT_FALSE(fsys::exists(fsys::symlink_status(root + "/stage")));
  EXPECT_TRUE(fsys::exists(root + "/precious/sub/data"));
  EXPECT_EQ(std::distance(fsys::recursive_directory_iterator(root), fsys::recursive_directory_iterator()), 3);
  fs->DeleteDirRecursive(root + "/stage");  // gone already: nothing to do, no error
  fsys::remove_all(root);
}

INSTANTIATE_TEST_SUITE_P(Storage, FileSystemConformance, ::testing::ValuesIn(Targets()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace lakeforge
