// ReadInputLines against reading the file whole: random files (long lines, lines longer than a
// piece, blank and CRLF lines, with and without a final newline, empty files) read in pieces of
// several sizes must give the same lines with the same numbers, and padding after every piece.
#include "pipeline/input_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "formats/json/documents.h"

namespace lakeforge {
namespace {

using Lines = std::vector<std::pair<std::string, uint32_t>>;

TEST(ReadInputLines, PiecesGiveTheLinesOfTheWholeFile) {
  auto fs = MakeLocalFileSystem();
  std::string dir =
      (std::filesystem::temp_directory_path() / ("lakeforge-input-" + std::to_string(::getpid()))).string();
  std::mt19937_64 rng(11);
  for (int round = 0; round < 60; ++round) {
    std::string text;
    size_t n = rng() % 40;
    for (size_t i = 0; i < n; ++i) {
      switch (rng() % 6) {
        case 0: text += ""; break;                              // blank line
        case 1: text += "  \t\r"; break;                        // blank with spaces and CR
        case 2: text += std::string(rng() % 3000, 'x'); break;  // longer than small pieces
        default: text += "{\"n\":" + std::to_string(rng() % 1000) + "}" + (rng() % 2 ? "\r" : ""); break;
      }
      if (i + 1 < n || rng() % 2) text += "\n";  // sometimes no final newline
    }
    std::string path = dir + "/f" + std::to_string(round) + ".json";
    auto out = fs->OpenOutputStream(path);
    out->Write(text);
    out->Close();
    Lines want;
    json::ForEachLine(text, [&](json::Document d) { want.emplace_back(std::string(d.text), d.line); });
    for (size_t piece : {size_t{1}, size_t{7}, size_t{64}, size_t{1000}, size_t{1} << 20}) {
      SCOPED_TRACE("round " + std::to_string(round) + ", piece " + std::to_string(piece));
      Lines got;
      FileBuffer buf;
      uint64_t stored = 0;
      ReadInputLines(*fs, path, 64, piece, &buf, &stored, [&](std::string_view lines, uint32_t first_line) {
        // The padding after the piece must be readable (simdjson reads up to 64 bytes past it).
        EXPECT_LE(lines.data() + lines.size() + 64, buf.data.data() + buf.data.size());
        return json::ForEachLine(
            lines, [&](json::Document d) { got.emplace_back(std::string(d.text), d.line); }, first_line);
      });
      EXPECT_EQ(stored, text.size());
      ASSERT_EQ(got, want);
    }
  }
  fs->DeleteDirRecursive(dir);
}

TEST(ReadInputLines, MissingFileThrowsNamingIt) {
  auto fs = MakeLocalFileSystem();
  FileBuffer buf;
  uint64_t stored = 0;
  try {
    ReadInputLines(*fs, "/nonexistent/lakeforge/x.json", 64, 1024, &buf, &stored,
                   [](std::string_view, uint32_t) { return uint32_t{0}; });
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/lakeforge/x.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lakeforge
