// ReadInputLines against reading the file whole: random files (long lines, lines longer than a
// piece or than the record limit, blank and CRLF lines, with and without a final newline, empty
// files), plain, gzip (several members) and zstd, read in pieces of several sizes, must give the
// same lines with the same numbers, every line over the limit reported once with its length and
// first bytes, and padding after every piece. A bomb checks that memory stays bounded.
#include "formats/input_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <filesystem>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "formats/compression.h"
#include "formats/json/documents.h"

namespace lakeforge {
namespace {

// (text or "<oversized N>", line)
using Lines = std::vector<std::pair<std::string, uint32_t>>;

std::string Oversized(uint64_t bytes) { return "<oversized " + std::to_string(bytes) + ">"; }

void Write(FileSystem& fs, const std::string& path, const std::string& data) {
  auto out = fs.OpenOutputStream(path);
  out->Write(data);
  out->Close();
}

TEST(ReadInputLines, PiecesGiveTheLinesOfTheWholeFile) {
  auto fs = MakeLocalFileSystem();
  std::string dir =
      (std::filesystem::temp_directory_path() / ("lakeforge-input-" + std::to_string(::getpid()))).string();
  std::mt19937_64 rng(11);
  const uint64_t kMax = 2500;
  for (int round = 0; round < 60; ++round) {
    std::string text;
    size_t n = rng() % 40;
    for (size_t i = 0; i < n; ++i) {
      switch (rng() % 7) {
        case 0: text += ""; break;                                      // blank line
        case 1: text += "  \t\r"; break;                                // blank with spaces and CR
        case 2: text += std::string(rng() % 3000, 'x'); break;          // longer than small pieces, maybe than kMax
        case 3: text += std::string(kMax + rng() % 20000, 'y'); break;  // over the limit
        default: text += "{\"n\":" + std::to_string(rng() % 1000) + "}" + (rng() % 2 ? "\r" : ""); break;
      }
      if (i + 1 < n || rng() % 2) text += "\n";  // sometimes no final newline
    }
    Lines want;
    json::ForEachLine(text, [&](json::Document d) {
      want.emplace_back(d.text.size() > kMax ? Oversized(d.text.size()) : std::string(d.text), d.line);
    });
    std::string gz, zst;
    size_t half = text.size() / 2;
    Compress(Codec::kGzip, std::string_view(text).substr(0, half), &gz);  // two members, as cat a.gz b.gz makes
    Compress(Codec::kGzip, std::string_view(text).substr(half), &gz);
    Compress(Codec::kZstd, text, &zst);
    std::string base = dir + "/f" + std::to_string(round) + ".json";
    Write(*fs, base, text);
    Write(*fs, base + ".gz", gz);
    Write(*fs, base + ".zst", zst);
    for (const auto& [path, stored_size] :
         {std::pair{base, text.size()}, std::pair{base + ".gz", gz.size()}, std::pair{base + ".zst", zst.size()}}) {
      for (size_t piece : {size_t{1}, size_t{7}, size_t{64}, size_t{1000}, size_t{1} << 20}) {
        SCOPED_TRACE("round " + std::to_string(round) + ", " + path + ", piece " + std::to_string(piece));
        Lines got;
        FileBuffer buf;
        uint64_t stored = 0;
        ReadInputLines(*fs, path, 64, piece, kMax, &buf, &stored,
                       {.lines =
                            [&](std::string_view lines, uint32_t first_line) {
                              // The padding after the piece must be readable (simdjson reads 64 bytes past it).
                              EXPECT_LE(lines.data() + lines.size() + 64, buf.data.data() + buf.data.size());
                              return json::ForEachLine(
                                  lines,
                                  [&](json::Document d) {
                                    got.emplace_back(
                                        d.text.size() > kMax ? Oversized(d.text.size()) : std::string(d.text), d.line);
                                  },
                                  first_line);
                            },
                        .oversized =
                            [&](const OversizedRecord& big) {
                              // Its first bytes: the long lines here are one letter repeated.
                              EXPECT_TRUE(big.head.size() == std::min<uint64_t>(big.bytes, kOversizedHeadBytes) &&
                                          big.head == std::string(big.head.size(), big.head[0]))
                                  << "head of " << big.head.size() << " bytes for a line of " << big.bytes;
                              got.emplace_back(Oversized(big.bytes), big.line);
                            }});
        EXPECT_EQ(stored, stored_size);
        ASSERT_EQ(got, want);
        EXPECT_LE(buf.data.size(), kMax + 2 * piece + 64 + (size_t{64} << 10));  // bounded by the limit and a piece
      }
    }
  }
  fs->DeleteDirRecursive(dir);
}

// A gzip bomb of one 1 GiB line without a newline: reported as one oversized record of the right
// length while the process grows by far less than the line.
TEST(ReadInputLines, DecompressionBombStaysBounded) {
  auto fs = MakeLocalFileSystem();
  std::string path =
      (std::filesystem::temp_directory_path() / ("lakeforge-bomb-" + std::to_string(::getpid()) + ".json.gz")).string();
  {
    auto out = fs->OpenOutputStream(path);
    CompressingWriter w(Codec::kGzip, out.get());
    std::string chunk(size_t{1} << 20, 'a');
    for (int i = 0; i < 1024; ++i) w.Write(chunk);
    w.Finish();
    out->Close();
  }
  rusage before{}, after{};
  ::getrusage(RUSAGE_SELF, &before);
  FileBuffer buf;
  uint64_t stored = 0;
  std::vector<OversizedRecord> big;
  uint32_t lines = 0;
  ReadInputLines(*fs, path, 64, size_t{1} << 20, uint64_t{16} << 20, &buf, &stored,
                 {.lines = [&](std::string_view piece,
                               uint32_t) { return json::ForEachLine(piece, [&](json::Document) { ++lines; }); },
                  .oversized = [&](const OversizedRecord& r) { big.push_back(r); }});
  ::getrusage(RUSAGE_SELF, &after);
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].bytes, uint64_t{1} << 30);
  EXPECT_EQ(big[0].line, 1u);
  EXPECT_EQ(lines, 0u);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 200 * 1024) << "KiB";  // ru_maxrss is in KiB
  fs->DeleteFiles({path});
}

TEST(ReadInputLines, MissingFileThrowsNamingIt) {
  auto fs = MakeLocalFileSystem();
  FileBuffer buf;
  uint64_t stored = 0;
  try {
    ReadInputLines(
        *fs, "/nonexistent/lakeforge/x.json", 64, 1024, 1 << 20, &buf, &stored,
        {.lines = [](std::string_view, uint32_t) { return uint32_t{0}; }, .oversized = [](const OversizedRecord&) {}});
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/lakeforge/x.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lakeforge
