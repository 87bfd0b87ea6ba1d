// The commit protocol under faults, through the FileSystem seam: a staged file that goes missing or
// changes size between writing and commit fails the run, commits nothing, leaves the previous
// tables as they were and removes the run's staging; the writer lock admits one holder at a time.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>

#include "base/error.h"
#include "io/file_system.h"
#include "io/writer_lock.h"
#include "pipeline/etl.h"
#include "sparkify/generator.h"

namespace lakeforge {
namespace {

namespace fsys = std::filesystem;

// The local file system, except that the first time a staged file of `table` is looked at (the
// check before commit), one of that table's files is damaged, as another process would: deleted,
// or cut short.
class Saboteur final : public FileSystem {
 public:
  enum class Harm { kDelete, kTruncate };
  Saboteur(std::string table, Harm harm) : table_(std::move(table)), harm_(harm) {}
  void FileSizesBelow(const std::string& dir, const std::string* rel, size_t n, int64_t* sizes) override {
    FileSystem::FileSizesBelow(dir, rel, n, sizes);  // one FileSize per file, which the harm hooks into
  }
  int64_t FileSize(const std::string& p) override {
    size_t at = p.find("/_temporary/");
    if (at != std::string::npos && p.find(table_ + "/", at) != std::string::npos && !done_.exchange(true)) {
      if (harm_ == Harm::kDelete) {
        fsys::remove(p);
      } else {
        fsys::resize_file(p, fsys::file_size(p) - 1);
      }
    }
    return local_->FileSize(p);
  }
  std::vector<FileInfo> ListFiles(const std::string& root, bool skip_hidden, ListingNotes* notes) override {
    return local_->ListFiles(root, skip_hidden, notes);
  }
  void ReadFile(const std::string& p, size_t padding, FileBuffer* buf) override { local_->ReadFile(p, padding, buf); }
  std::unique_ptr<InputStream> OpenInputStream(const std::string& p) override { return local_->OpenInputStream(p); }
  std::unique_ptr<OutputStream> OpenOutputStream(const std::string& p) override { return local_->OpenOutputStream(p); }
  bool Exists(const std::string& p) override { return local_->Exists(p); }
  void CreateDirs(const std::string& p) override { local_->CreateDirs(p); }
  void DeleteDirRecursive(const std::string& p) override { local_->DeleteDirRecursive(p); }
  void CommitDir(const std::string& s, const std::string& t, const std::string& o) override {
    local_->CommitDir(s, t, o);
  }
  std::vector<std::string> ListDir(const std::string& p) override { return local_->ListDir(p); }
  void DeleteFiles(const std::vector<std::string>& p) override { local_->DeleteFiles(p); }
  std::unique_ptr<WriterLock> TryLockForWriting(const std::string& f, const LockHolder& me, LockHolder* h) override {
    return local_->TryLockForWriting(f, me, h);
  }

 private:
  std::unique_ptr<FileSystem> local_ = MakeLocalFileSystem();
  std::string table_;
  Harm harm_;
  std::atomic<bool> done_{false};
};

// Relative path -> size of every file below `dir` (the lock file aside).
std::map<std::string, uintmax_t> Snapshot(const std::string& dir) {
  std::map<std::string, uintmax_t> out;
  for (auto& e : fsys::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() != kLockFileName)
      out[e.path().string().substr(dir.size())] = e.file_size();
  return out;
}

class CommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = (fsys::temp_directory_path() / ("lakeforge-commit-" + std::to_string(std::random_device{}()))).string();
    auto local = MakeLocalFileSystem();
    GenerateLake(
        *local, {.output = root_ + "/lake", .songs = 300, .events = 3000, .seed = 3, .dirty_rate = 0.05, .threads = 2});
    RoutingFileSystem router;
    RunEtl(router, Options());
  }
  void TearDown() override { fsys::remove_all(root_); }
  EtlOptions Options() {
    EtlOptions o;
    o.songs = root_ + "/lake/song_data";
    o.logs = root_ + "/lake/log_data";
    o.output = root_ + "/out";
    o.threads = 2;
    return o;
  }
  std::string root_;
};

TEST_F(CommitTest, AStagedFileThatVanishesOrShrinksCommitsNothing) {
  for (auto harm : {Saboteur::Harm::kDelete, Saboteur::Harm::kTruncate}) {
    for (const char* table : {"/songs", "/songplays", "/_rejected"}) {
      SCOPED_TRACE(std::string(table) + (harm == Saboteur::Harm::kDelete ? " deleted" : " truncated"));
      auto before = Snapshot(root_ + "/out");
      RoutingFileSystem router(std::make_unique<Saboteur>(table, harm), nullptr);
      try {
        RunEtl(router, Options());
        ADD_FAILURE() << "committed a damaged table";
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("failed its check before commit"), std::string::npos) << e.what();
      }
      EXPECT_TRUE(Snapshot(root_ + "/out") == before) << "a table changed";  // nothing swapped in
      EXPECT_FALSE(fsys::exists(root_ + "/out/_temporary"));                 // the failed run removed its staging
    }
  }
}

TEST(WriterLock, OneHolderAtATimeAndTheHolderIsNamed) {
  std::string dir =
      (fsys::temp_directory_path() / ("lakeforge-lock-" + std::to_string(std::random_device{}()))).string();
  auto fs = MakeLocalFileSystem();
  auto first = LockForWriting(*fs, dir, "run-one", 0);
  ASSERT_TRUE(first && first->held());
  try {
    LockForWriting(*fs, dir, "run-two", 0.3);  // waits 0.3 s, then gives up naming the holder
    FAIL() << "two holders";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kUsage);
    std::string m = e.what();
    EXPECT_NE(m.find("output '" + dir + "' is being written by run run-one on "), std::string::npos) << m;
    EXPECT_NE(m.find("(pid " + std::to_string(::getpid()) + ") since 20"), std::string::npos) << m;
    EXPECT_NE(m.find("gave up waiting after 0 s"), std::string::npos) << m;
  }
  first.reset();
  EXPECT_TRUE(LockForWriting(*fs, dir, "run-two", 0));  // released: the next one gets it at once
  EXPECT_EQ(
      ParseLockHolder(LockHolderJson({.run_id = "r\"1", .host = "h", .pid = 7, .since = "s", .expires_ms = 9})).run_id,
      "r\"1");
  fsys::remove_all(dir);
}

}  // namespace
}  // namespace lakeforge
