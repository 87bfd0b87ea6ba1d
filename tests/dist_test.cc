// The distribution seam without MPI: range splitting and partition ownership (every item has
// exactly one owner for any rank count), the wire encoding, the local communicator, the all-ranks
// agreement, and merging per-rank file lists into one manifest order.
#include <gtest/gtest.h>

#include <random>

#include "base/error.h"
#include "dist/collectives.h"
#include "dist/communicator.h"
#include "dist/partition.h"
#include "dist/wire.h"
#include "pipeline/exchange.h"

namespace lakeforge {
namespace {

TEST(SplitByWeightTest, EveryItemHasExactlyOneOwnerAndRangesAreContiguous) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 500; ++trial) {
    size_t n = rng() % 60;
    int ranks = 1 + static_cast<int>(rng() % 17);
    std::vector<uint64_t> w(n);
    for (auto& x : w) x = rng() % 4 == 0 ? rng() % (uint64_t{1} << 40) : rng() % 1000;
    std::vector<size_t> b = SplitByWeight(w, ranks);
    ASSERT_EQ(b.size(), static_cast<size_t>(ranks) + 1);
    EXPECT_EQ(b.front(), 0u);
    EXPECT_EQ(b.back(), n);
    for (int r = 0; r < ranks; ++r) EXPECT_LE(b[r], b[r + 1]) << "trial " << trial;
  }
}

TEST(SplitByWeightTest, EvenWeightsSplitEvenly) {
  std::vector<uint64_t> w(100, 7);
  std::vector<size_t> b = SplitByWeight(w, 4);
  EXPECT_EQ(b, (std::vector<size_t>{0, 25, 50, 75, 100}));
  // More ranks than items: some own nothing, nobody owns an item twice.
  b = SplitByWeight(std::vector<uint64_t>(3, 1), 8);
  size_t owned = 0;
  for (size_t r = 0; r < 8; ++r) owned += b[r + 1] - b[r];
  EXPECT_EQ(owned, 3u);
  // Weights near 2^64 do not overflow the running sums.
  b = SplitByWeight({UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}, 2);
  EXPECT_EQ(b, (std::vector<size_t>{0, 2, 4}));
}

TEST(SplitByWeightTest, BalanceIsWithinOneItemOfIdeal) {
  std::mt19937_64 rng(5);
  std::vector<uint64_t> w(10000);
  for (auto& x : w) x = 1000 + rng() % 100000;
  uint64_t total = 0, heaviest = 0;
  for (uint64_t x : w) total += x, heaviest = std::max(heaviest, x);
  for (int ranks : {2, 3, 8, 64}) {
    std::vector<size_t> b = SplitByWeight(w, ranks);
    for (int r = 0; r < ranks; ++r) {
      uint64_t mine = 0;
      for (size_t i = b[r]; i < b[r + 1]; ++i) mine += w[i];
      EXPECT_LE(mine, total / static_cast<uint64_t>(ranks) + heaviest) << ranks << " ranks, rank " << r;
    }
  }
}

TEST(PartitionOwnerTest, EachPartitionOneOwnerAndRoundRobin) {
  for (int ranks = 1; ranks <= 9; ++ranks) {
    std::vector<int> per(static_cast<size_t>(ranks));
    for (size_t p = 0; p < 1000; ++p) {
      int o = PartitionOwner(p, ranks);
      ASSERT_GE(o, 0);
      ASSERT_LT(o, ranks);
      ++per[static_cast<size_t>(o)];
    }
    EXPECT_EQ(PartitionOwner(0, ranks), 0);  // an unpartitioned table's single file is rank 0's
    for (int c : per) EXPECT_LE(c, 1000 / ranks + 1);
  }
}

TEST(WireTest, RoundTripsValuesStringsAndArrays) {
  wire::Writer w;
  w.Put<uint32_t>(7);
  w.PutString(std::string("a\0b", 3));
  w.PutVector(std::vector<int64_t>{INT64_MIN, 0, INT64_MAX});
  w.PutString("");
  std::string bytes = w.Take();
  wire::Reader in(bytes);
  EXPECT_EQ(in.Get<uint32_t>("x"), 7u);
  EXPECT_EQ(in.GetString("s"), std::string("a\0b", 3));
  std::vector<int64_t> v{42};
  in.GetVector(&v, "v");
  EXPECT_EQ(v, (std::vector<int64_t>{42, INT64_MIN, 0, INT64_MAX}));
  EXPECT_EQ(in.GetString("empty"), "");
  EXPECT_TRUE(in.done());
}

TEST(WireTest, ATruncatedMessageIsAnErrorNamingTheField) {
  wire::Writer w;
  w.PutVector(std::vector<uint64_t>{1, 2, 3});
  std::string bytes = w.Take();
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    wire::Reader in(std::string_view(bytes).substr(0, cut));
    std::vector<uint64_t> v;
    try {
      in.GetVector(&v, "shuffled values");
      FAIL() << "no error at cut " << cut;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("shuffled values"), std::string::npos) << e.what();
    }
  }
}

TEST(LocalCommunicatorTest, CollectivesAreCopiesForOneRank) {
  LocalCommunicator c;
  EXPECT_EQ(c.size(), 1);
  EXPECT_TRUE(c.root());
  std::string s = "x";
  c.Broadcast(&s);
  EXPECT_EQ(s, "x");
  EXPECT_EQ(c.AllGather("a"), std::vector<std::string>{"a"});
  EXPECT_EQ(c.Gather("b"), std::vector<std::string>{"b"});
  EXPECT_EQ(c.AllToAll({"c"}), std::vector<std::string>{"c"});
  EXPECT_EQ(c.SumAll({1, 2}), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(ExclusivePrefixSum(c, 5), 0u);
  EXPECT_EQ(AllGatherValue(c, 9), std::vector<uint64_t>{9});
  EXPECT_EQ(c.bytes_sent(), 0u);
}

TEST(LocalCommunicatorTest, AgreeRethrowsTheOriginalErrorAlone) {
  LocalCommunicator c;
  EXPECT_NO_THROW(c.Agree(nullptr));
  try {
    c.Agree(std::make_exception_ptr(Error::Usage("bad --output")));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kUsage);
    EXPECT_STREQ(e.what(), "bad --output");  // one process: no "rank 0:" prefix
  }
  EXPECT_FALSE(c.failed_together());
}

TEST(ExchangeTest, SongRecordsAndRejectsRoundTrip) {
  SongRecord r{.song_id = "SO1",
               .artist_id = "AR1",
               .title = "t",
               .artist_name = std::nullopt,
               .artist_location = "",
               .artist_latitude = -0.0,
               .artist_longitude = std::nullopt,
               .duration = 1e300,
               .year = 0,
               .file = 3,
               .line = 9};
  Reject j{.file = 4, .line = 2, .reason = RejectReason::kRecordTooLarge, .error = "e", .record = std::string(3, '\0')};
  wire::Writer w;
  PutSongRecord(w, r);
  PutReject(w, j);
  std::string bytes = w.Take();
  wire::Reader in(bytes);
  SongRecord r2 = GetSongRecord(in);
  Reject j2 = GetReject(in);
  EXPECT_TRUE(in.done());
  EXPECT_EQ(r2.song_id, r.song_id);
  EXPECT_EQ(r2.title, r.title);
  EXPECT_EQ(r2.artist_name, r.artist_name);
  EXPECT_EQ(r2.artist_location, r.artist_location);
  EXPECT_TRUE(std::signbit(*r2.artist_latitude));
  EXPECT_EQ(r2.duration, r.duration);
  EXPECT_EQ(r2.year, r.year);
  EXPECT_EQ(r2.file, 3u);
  EXPECT_EQ(r2.line, 9u);
  EXPECT_EQ(j2.reason, j.reason);
  EXPECT_EQ(j2.record, j.record);
}

TEST(ExchangeTest, MergedTableReportsListFilesInPartitionOrderWithSums) {
  auto file = [](std::string p, uint64_t bytes, uint64_t rows, uint64_t part) {
    return WrittenFile{.path = std::move(p), .bytes = bytes, .rows = rows, .partition = part};
  };
  std::vector<std::vector<TableReport>> per_rank = {
      {{.name = "songs", .rows = 0, .files = 0, .bytes = 0, .written = {file("a", 10, 1, 0), file("c", 30, 3, 2)}},
       {.name = "time", .rows = 0, .files = 0, .bytes = 0, .written = {}}},
      {{.name = "songs", .rows = 0, .files = 0, .bytes = 0, .written = {file("b", 20, 2, 1)}},
       {.name = "time", .rows = 0, .files = 0, .bytes = 0, .written = {file("m", 5, 5, 0)}}}};
  std::vector<TableReport> m = MergeTableReports(per_rank);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].name, "songs");
  ASSERT_EQ(m[0].written.size(), 3u);
  EXPECT_EQ(m[0].written[1].path, "b");
  EXPECT_EQ(m[0].rows, 6u);
  EXPECT_EQ(m[0].bytes, 60u);
  EXPECT_EQ(m[0].files, 3u);
  EXPECT_EQ(m[1].files, 1u);
}

}  // namespace
}  // namespace lakeforge
