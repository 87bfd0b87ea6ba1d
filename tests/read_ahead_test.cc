// The read-ahead reader (io/read_ahead.h) against plain reads of the same files: every file is
// handed over exactly once, whole and padded, or without a buffer when it is too large, vanished
// or failed — whatever the backend (io_uring, threads), the depth (1, 7, 256) and the order the
// parsers take files in; the budget is never exceeded (a tiny one with large files); a parser's
// exception stops the others and reaches the caller. SplitLines (parsing read-ahead files where
// they lie) gives the lines ReadInputLines gives, with the same numbers.
#include "io/read_ahead.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "formats/input_file.h"
#include "formats/json/documents.h"

namespace lakeforge {
namespace {

constexpr size_t kPadding = 64;

class ReadAheadTest : public ::testing::TestWithParam<ReaderBackend> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("read_ahead_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    fs_ = MakeLocalFileSystem();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // n files of random sizes (some empty, some large) with random bytes; returns their contents.
  std::map<std::string, std::string> MakeFiles(size_t n, size_t max_size, uint32_t seed) {
    std::mt19937 rng(seed);
    std::map<std::string, std::string> contents;
    for (size_t i = 0; i < n; ++i) {
      size_t size = rng() % 7 == 0 ? 0 : rng() % (rng() % 5 == 0 ? max_size : max_size / 16 + 1);
      std::string data(size, '\0');
      for (auto& c : data) c = static_cast<char>(rng());
      std::string path = (dir_ / ("d" + std::to_string(i % 13)) / ("f" + std::to_string(i) + ".json")).string();
      auto out = fs_->OpenOutputStream(path);
      out->Write(data);
      out->Close();
      contents[path] = data;
    }
    return contents;
  }

  std::vector<FileInfo> List() { return fs_->ListFiles(dir_.string(), true); }

  ReadAheadOptions Options(int depth, uint64_t budget) {
    ReadAheadOptions o;
    o.depth = depth;
    o.budget_bytes = budget;
    o.padding = kPadding;
    o.backend = GetParam();
    o.parsers_may_read = false;  // exact counts of what the reader read
    return o;
  }

  // Every file once, through ForEachReadAhead on 3 workers: whole ones equal the file and are
  // padded with zeros; the others are read here, as a parser would.
  void ExpectEveryFileOnce(const std::vector<FileInfo>& files, const std::map<std::string, std::string>& contents,
                           const ReadAheadOptions& o, ReadAheadStats* stats) {
    std::vector<std::atomic<int>> seen(files.size());
    std::atomic<uint64_t> whole{0};
    {
      ReadAhead reader(*fs_, files, 0, files.size(), o);
      ForEachReadAhead(reader, 3, [&](size_t i, const FileBuffer* buf, int) {
        ++seen[i];
        const std::string& want = contents.at(files[i].path);
        if (buf != nullptr) {
          ++whole;
          ASSERT_EQ(buf->view(), want) << files[i].path;
          ASSERT_GE(buf->data.size(), buf->size + kPadding);
          for (size_t k = 0; k < kPadding; ++k) ASSERT_EQ(buf->data[buf->size + k], '\0');
        } else {
          FileBuffer own;
          fs_->ReadFile(files[i].path, kPadding, &own);
          ASSERT_EQ(own.view(), want);
        }
      });
      *stats = reader.Stats();
    }
    for (size_t i = 0; i < files.size(); ++i) EXPECT_EQ(seen[i].load(), 1) << files[i].path;
    EXPECT_EQ(stats->files_read, whole.load());
    EXPECT_EQ(stats->files_read + stats->files_passed, files.size());
    EXPECT_LE(stats->peak_buffered_bytes, o.budget_bytes);
  }

  std::filesystem::path dir_;
  std::unique_ptr<FileSystem> fs_;
};

TEST_P(ReadAheadTest, EveryFileOnceWholeAtAnyDepth) {
  auto contents = MakeFiles(400, 64 << 10, 1);
  auto files = List();
  ASSERT_EQ(files.size(), contents.size());
  for (int depth : {1, 7, 256}) {
    ReadAheadStats st;
    ExpectEveryFileOnce(files, contents, Options(depth, 64 << 20), &st);
    EXPECT_EQ(st.files_passed, 0u) << depth;  // all fit the budget
    EXPECT_EQ(st.depth, depth);
    uint64_t bytes = 0;
    for (const auto& [p, c] : contents) bytes += c.size();
    EXPECT_EQ(st.bytes_read, bytes);
  }
}

// Parsers reading files themselves while the reader lags (cached files) still see each file once.
TEST_P(ReadAheadTest, ParsersTakingUnreadFilesStillSeeEachOnce) {
  auto contents = MakeFiles(800, 4 << 10, 9);
  auto files = List();
  for (int depth : {2, 64}) {
    ReadAheadOptions o = Options(depth, 1 << 20);
    o.parsers_may_read = true;
    ReadAheadStats st;
    ExpectEveryFileOnce(files, contents, o, &st);
  }
}

TEST_P(ReadAheadTest, TinyBudgetWithLargeFilesIsRespected) {
  auto contents = MakeFiles(120, 1 << 20, 2);  // up to 1 MiB each
  auto files = List();
  ReadAheadStats st;
  // 256 KiB: files over a third of it (less the padding) are the parsers' to read.
  ExpectEveryFileOnce(files, contents, Options(16, 256 << 10), &st);
  size_t large = 0;
  for (const auto& [p, c] : contents) large += c.size() + kPadding + 1 > (256 << 10) / 3;
  EXPECT_GT(large, 0u);
  EXPECT_EQ(st.files_passed, large);
  EXPECT_LE(st.peak_buffered_bytes, uint64_t{256} << 10);
  EXPECT_GT(st.files_read, 0u);
}

TEST_P(ReadAheadTest, TakeInOrderAndNextInAnyOrder) {
  auto contents = MakeFiles(200, 8 << 10, 3);
  auto files = List();
  {
    ReadAhead reader(*fs_, files, 10, 150, Options(7, 1 << 20));
    for (size_t i = 10; i < 150; ++i) {
      ReadAhead::Item item;
      ASSERT_TRUE(reader.Take(i, &item));
      ASSERT_EQ(item.index, i);
      ASSERT_NE(item.buffer, nullptr);
      EXPECT_EQ(item.buffer->view(), contents[files[i].path]);
      reader.Release(&item);
    }
    ReadAhead::Item item;
    EXPECT_FALSE(reader.Next(&item));
  }
  // Next on a range: each index of the range once, none outside it.
  ReadAhead reader(*fs_, files, 50, 60, Options(256, 1 << 20));
  std::set<size_t> got;
  ReadAhead::Item item;
  while (reader.Next(&item)) {
    EXPECT_TRUE(got.insert(item.index).second);
    reader.Release(&item);
  }
  EXPECT_EQ(got.size(), 10u);
  EXPECT_EQ(*got.begin(), 50u);
  EXPECT_EQ(*got.rbegin(), 59u);
}

// Taking files in order with a budget that holds only a few of them (compaction's way): the
// reader never waits for space held by files the caller has not taken yet.
TEST_P(ReadAheadTest, TakeInOrderWithATinyBudgetNeverStalls) {
  auto contents = MakeFiles(150, 200 << 10, 8);
  auto files = List();
  ReadAheadOptions o = Options(16, 256 << 10);
  o.in_order = true;
  ReadAhead reader(*fs_, files, 0, files.size(), o);
  for (size_t i = 0; i < files.size(); ++i) {
    ReadAhead::Item item;
    ASSERT_TRUE(reader.Take(i, &item));
    if (item.buffer) {
      EXPECT_EQ(item.buffer->view(), contents[files[i].path]);
    }
    reader.Release(&item);
  }
  EXPECT_LE(reader.Stats().peak_buffered_bytes, uint64_t{256} << 10);
}

TEST_P(ReadAheadTest, VanishedFilesAreTheParsersToReadAndReport) {
  auto contents = MakeFiles(60, 4 << 10, 4);
  auto files = List();
  std::set<size_t> gone;
  for (size_t i = 0; i < files.size(); i += 5) {
    std::filesystem::remove(files[i].path);
    gone.insert(i);
  }
  ReadAhead reader(*fs_, files, 0, files.size(), Options(7, 1 << 20));
  std::mutex mu;
  std::set<size_t> failed;
  ForEachReadAhead(reader, 2, [&](size_t i, const FileBuffer* buf, int) {
    if (buf != nullptr) {
      EXPECT_EQ(buf->view(), contents[files[i].path]);
      return;
    }
    try {  // as the ETL does: its own read says what is wrong, naming the file
      FileBuffer own;
      fs_->ReadFile(files[i].path, kPadding, &own);
      ADD_FAILURE() << "read a deleted file " << files[i].path;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(files[i].path), std::string::npos) << e.what();
      std::lock_guard<std::mutex> lock(mu);
      failed.insert(i);
    }
  });
  EXPECT_EQ(failed, gone);
}

TEST_P(ReadAheadTest, AParserErrorStopsTheOthersAndIsRethrown) {
  MakeFiles(300, 4 << 10, 5);
  auto files = List();
  ReadAhead reader(*fs_, files, 0, files.size(), Options(7, 64 << 10));
  std::atomic<int> calls{0};
  EXPECT_THROW(ForEachReadAhead(reader, 3,
                                [&](size_t i, const FileBuffer*, int) {
                                  if (++calls == 20) throw Error::Io("parser failed on " + files[i].path);
                                }),
               Error);
  EXPECT_LT(calls.load(), 300);
}

// A file system whose reads fail for files named f1* (a disk error mid-read, a throttled request)
// when `fail` is set, and each take `delay` (an object store's latency). Not posix: the threads
// backend reads through it.
class TroubledFileSystem final : public FileSystem {
 public:
  TroubledFileSystem(FileSystem& inner, bool fail, std::chrono::milliseconds delay = {})
      : inner_(inner), fail_(fail), delay_(delay) {}
  std::vector<FileInfo> ListFiles(const std::string& r, bool h, ListingNotes* n) override {
    return inner_.ListFiles(r, h, n);
  }
  void ReadFile(const std::string& path, size_t padding, FileBuffer* buf) override {
    std::this_thread::sleep_for(delay_);
    if (fail_ && path.find("f1") != std::string::npos) throw Error::Io(path + ": cannot read: Input/output error");
    inner_.ReadFile(path, padding, buf);
  }
  std::unique_ptr<OutputStream> OpenOutputStream(const std::string& p) override { return inner_.OpenOutputStream(p); }
  bool Exists(const std::string& p) override { return inner_.Exists(p); }
  int64_t FileSize(const std::string& p) override { return inner_.FileSize(p); }
  void CreateDirs(const std::string& p) override { inner_.CreateDirs(p); }
  void DeleteDirRecursive(const std::string& p) override { inner_.DeleteDirRecursive(p); }
  void CommitDir(const std::string& s, const std::string& t, const std::string& o) override {
    inner_.CommitDir(s, t, o);
  }
  std::vector<std::string> ListDir(const std::string& p) override { return inner_.ListDir(p); }
  void DeleteFiles(const std::vector<std::string>& p) override { inner_.DeleteFiles(p); }
  std::unique_ptr<WriterLock> TryLockForWriting(const std::string& f, const LockHolder& me, LockHolder* h) override {
    return inner_.TryLockForWriting(f, me, h);
  }

 private:
  FileSystem& inner_;
  bool fail_;
  std::chrono::milliseconds delay_;
};

TEST_P(ReadAheadTest, FailedReadsAreHandedOverUnread) {
  auto contents = MakeFiles(50, 4 << 10, 6);
  auto files = List();
  TroubledFileSystem failing(*fs_, true);
  ReadAhead reader(failing, files, 0, files.size(), Options(7, 1 << 20));  // not posix: threads
  std::atomic<size_t> passed{0}, expected{0};
  for (const auto& f : files) expected += f.path.find("f1") != std::string::npos;
  ForEachReadAhead(reader, 2, [&](size_t i, const FileBuffer* buf, int) {
    bool fails = files[i].path.find("f1") != std::string::npos;
    EXPECT_EQ(buf == nullptr, fails) << files[i].path;
    if (buf == nullptr) ++passed;
    if (buf != nullptr) {
      EXPECT_EQ(buf->view(), contents[files[i].path]);
    }
  });
  EXPECT_EQ(passed.load(), expected.load());
  EXPECT_EQ(reader.Stats().backend, "threads");
}

// Parsing slower than reading (cached files): a parser never finds nothing ready while the limit
// holds the reader back, so the reader keeps to its first 4 MiB of buffers, whatever the budget.
TEST_P(ReadAheadTest, SlowParsersKeepTheBuffersSmall) {
  auto contents = MakeFiles(600, 8 << 10, 12);
  auto files = List();
  ReadAheadStats st;
  {
    ReadAhead reader(*fs_, files, 0, files.size(), Options(64, 64 << 20));
    ForEachReadAhead(reader, 2, [&](size_t, const FileBuffer* buf, int) {
      EXPECT_NE(buf, nullptr);
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    });
    st = reader.Stats();
  }
  EXPECT_EQ(st.files_read, files.size());
  EXPECT_GT(st.peak_buffered_bytes, uint64_t{1} << 20);  // it did read ahead
  EXPECT_LE(st.peak_buffered_bytes, uint64_t{4} << 20);
}

// Reads slower than parsing (latency) while the limit holds the reader back: the parsers wait,
// and the limit grows past its first 4 MiB, up to the budget.
TEST_P(ReadAheadTest, SlowReadsGrowTheBuffersUpToTheBudget) {
  std::vector<FileInfo> files;
  const std::string block(1 << 20, 'x');
  for (int i = 0; i < 24; ++i) {
    std::string path = (dir_ / ("big" + std::to_string(i))).string();
    auto out = fs_->OpenOutputStream(path);
    out->Write(block);
    out->Close();
    files.push_back({.path = path, .size = static_cast<int64_t>(block.size())});
  }
  TroubledFileSystem slow(*fs_, false, std::chrono::milliseconds(20));
  ReadAheadStats st;
  {
    ReadAhead reader(slow, files, 0, files.size(), Options(8, 32 << 20));
    ForEachReadAhead(reader, 2, [&](size_t i, const FileBuffer* buf, int) {
      ASSERT_NE(buf, nullptr) << i;
      EXPECT_EQ(buf->view(), block);
    });
    st = reader.Stats();
  }
  EXPECT_EQ(st.files_read, files.size());
  EXPECT_GT(st.peak_buffered_bytes, uint64_t{4} << 20);
  EXPECT_LE(st.peak_buffered_bytes, uint64_t{32} << 20);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReadAheadTest, ::testing::Values(ReaderBackend::kUring, ReaderBackend::kThreads),
                         [](const auto& info) { return info.param == ReaderBackend::kUring ? "io_uring" : "threads"; });

// SplitLines over a file in memory and ReadInputLines over the same file give the same lines with
// the same numbers, for random files and piece sizes (lines over the limit: the parser rejects
// them in either case, so here they are compared as lines).
TEST(SplitLinesTest, SameLinesAsReadInputLines) {
  auto fs = MakeLocalFileSystem();
  std::string path = (std::filesystem::temp_directory_path() / ("split_lines_" + std::to_string(::getpid()))).string();
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::string data;
    size_t lines = rng() % 40;
    for (size_t l = 0; l < lines; ++l) {
      data.append(rng() % 10 == 0 ? rng() % 3000 : rng() % 60, static_cast<char>('a' + rng() % 26));
      if (l + 1 < lines || rng() % 2) data += rng() % 8 == 0 ? "\r\n" : "\n";
    }
    {
      auto out = fs->OpenOutputStream(path);
      out->Write(data);
      out->Close();
    }
    size_t piece = 1 + rng() % 700;
    auto collect = [](std::vector<std::pair<std::string, uint32_t>>* out) {
      return LineCallbacks{.lines =
                               [out](std::string_view text, uint32_t first) {
                                 return json::ForEachLine(
                                     text, [&](json::Document d) { out->emplace_back(std::string(d.text), d.line); },
                                     first);
                               },
                           .oversized =
                               [out](const OversizedRecord& big) {
                                 out->emplace_back("<oversized " + std::to_string(big.bytes) + ">", big.line);
                               }};
    };
    std::vector<std::pair<std::string, uint32_t>> streamed, split;
    FileBuffer buf, whole;
    uint64_t stored = 0;
    ReadInputLines(*fs, path, kPadding, piece, uint64_t{1} << 30, &buf, &stored, collect(&streamed));
    fs->ReadFile(path, kPadding, &whole);
    uint64_t stored2 = 0;
    ReadInputLines(*fs, path, kPadding, piece, uint64_t{1} << 30, &buf, &stored2, collect(&split), &whole);
    ASSERT_EQ(streamed, split) << "round " << round << " piece " << piece;
    EXPECT_EQ(stored, stored2);
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace lakeforge
