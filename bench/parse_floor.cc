// The JSON parse floor of a lake's event logs: the least CPU any tool spends to validate every line
// of every log file, with simdjson, on all cores. Three ways, all timed from files already in the
// page cache:
//   per_line   one DOM parse per line (what a line-at-a-time reader pays: stage 1 re-entered per line)
//   parse_many simdjson's document stream over each file (stage 1 once per batch), every document's
//              span checked against its line, as a line-exact reader would
//   pieces     the same over pieces of about 1 MiB of whole lines, each piece one batch (the
//              pieces lakeforge reads, running stage 1 once per piece too): a piece stays in the
//              core's cache from stage 1 to stage 2, and a stream of one batch runs no stage 1
//              thread of its own beside the parsing threads (a multi-batch stream does, in this
//              simdjson build)
// Files are read whole with one read() each into a padded buffer (the read is part of the work).
// Prints one JSON line: files, lines, bytes, and per way the wall seconds, CPU seconds, GB/s, the
// documents it counted and how many of them were invalid (or not exactly one line).
//
// Usage: parse_floor <log folder> [threads]
#include <simdjson.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/parallel.h"
#include "formats/input_file.h"
#include "io/file_system.h"

using namespace lakeforge;

namespace {

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Tally {
  std::atomic<uint64_t> lines{0}, bytes{0}, invalid{0};
};

// One DOM parse per non-empty line.
void PerLine(std::string_view data, simdjson::dom::parser& parser, Tally* t) {
  uint64_t lines = 0, invalid = 0;
  for (size_t pos = 0; pos < data.size();) {
    size_t nl = data.find('\n', pos);
    size_t end = nl == std::string_view::npos ? data.size() : nl;
    if (end > pos) {
      ++lines;
      simdjson::dom::element doc;
      if (parser.parse(data.data() + pos, end - pos, false).get(doc)) ++invalid;
    }
    pos = end + 1;
  }
  t->lines += lines;
  t->invalid += invalid;
}

// A document stream over `data` in batches of `batch` bytes; each document must end where its line
// does. Returns the documents counted, or nullopt, with nothing counted, when a document is longer
// than a batch.
std::optional<uint64_t> StreamLines(std::string_view data, size_t batch, simdjson::dom::parser& parser, Tally* t) {
  uint64_t lines = 0, invalid = 0;
  simdjson::dom::document_stream stream;
  if (parser.parse_many(data.data(), data.size(), batch).get(stream)) {
    t->invalid += 1;
    return 0;
  }
  size_t expected = 0;
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    ++lines;
    simdjson::dom::element doc;
    size_t at = it.current_index();
    auto error = (*it).get(doc);
    if (error == simdjson::CAPACITY) return std::nullopt;
    if (error || at != expected) ++invalid;
    size_t nl = data.find('\n', at);
    expected = nl == std::string_view::npos ? data.size() : nl + 1;
  }
  t->lines += lines;
  t->invalid += invalid;
  return lines;
}

// The whole file in batches of 1 MiB (the file again in one batch when a line is longer).
void ParseMany(std::string_view data, simdjson::dom::parser& parser, Tally* t) {
  if (!StreamLines(data, size_t{1} << 20, parser, t)) StreamLines(data, data.size() + 1, parser, t);
}

// Pieces of about 1 MiB of whole lines, cut where lakeforge's reader cuts them (SplitLines), each
// one batch.
void ParsePieces(std::string_view data, simdjson::dom::parser& parser, Tally* t) {
  SplitLines(data, size_t{1} << 20,
             {.lines =
                  [&](std::string_view piece, uint32_t) {
                    auto lines = StreamLines(piece, std::max(piece.size() + 1, size_t{1} << 16), parser, t);
                    return static_cast<uint32_t>(lines.value_or(0));  // never nullopt: the batch holds the piece
                  },
              .oversized = {}});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <log folder> [threads]\n", argv[0]);
    return 2;
  }
  int threads = argc > 2 ? std::atoi(argv[2]) : static_cast<int>(std::thread::hardware_concurrency());
  auto fs = MakeLocalFileSystem();
  std::vector<FileInfo> files = fs->ListFiles(argv[1], true);
  std::string ways;
  uint64_t lines = 0, bytes = 0;
  for (int way = 0; way < 3; ++way) {
    Tally tally;
    std::vector<simdjson::dom::parser> parsers(static_cast<size_t>(threads));
    std::vector<FileBuffer> buffers(static_cast<size_t>(threads));
    double cpu0 = CpuSeconds();
    auto t0 = std::chrono::steady_clock::now();
    ParallelFor(files.size(), threads, [&](size_t i, int w) {
      FileBuffer& buf = buffers[static_cast<size_t>(w)];
      fs->ReadFile(files[i].path, simdjson::SIMDJSON_PADDING, &buf);
      tally.bytes += buf.view().size();
      if (way == 0)
        PerLine(buf.view(), parsers[static_cast<size_t>(w)], &tally);
      else if (way == 1)
        ParseMany(buf.view(), parsers[static_cast<size_t>(w)], &tally);
      else
        ParsePieces(buf.view(), parsers[static_cast<size_t>(w)], &tally);
    });
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu = CpuSeconds() - cpu0;
    lines = tally.lines;
    bytes = tally.bytes;
    char part[256];
    std::snprintf(part, sizeof(part),
                  ",\"%s\":{\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"gb_per_s\":%.2f,\"lines\":%llu,\"invalid\":%llu}",
                  way == 0   ? "per_line"
                  : way == 1 ? "parse_many"
                             : "pieces",
                  secs, cpu, static_cast<double>(bytes) / secs / 1e9, static_cast<unsigned long long>(lines),
                  static_cast<unsigned long long>(tally.invalid.load()));
    ways += part;
  }
  std::printf("{\"files\":%zu,\"lines\":%llu,\"bytes\":%llu%s}\n", files.size(), static_cast<unsigned long long>(lines),
              static_cast<unsigned long long>(bytes), ways.c_str());
  return 0;
}
