// Per-stage microbenchmarks (Google Benchmark): the numbers to watch when optimising.
//   BM_ParseLogLines   NextSong log parsing + validation + join lookup, bytes/s per core
//   BM_ParseLogLinesFloor/0, /1  the same pieces through simdjson alone; /1 also walks the members
//   BM_ParseLogFiles   every log file of a lake, a fresh parser and profile pool each time: the
//                      map stage on one core with the interning as cold as in a run
//                      (LAKEFORGE_MICRO_LOGS: another log folder, e.g. logs-heavy's;
//                      LAKEFORGE_MICRO_LOG_FILES: only its first N files)
//   BM_EncodeParquet   songplays-shaped batch -> Parquet (snappy), bytes/s of PLAIN input per core
//   BM_EncodeSongFiles one-row songs partitions -> Parquet in memory: the per-file cost, files/s
//   BM_ListAndRead     list + read of small files from a generated lake folder, files/s
// Each benchmark checks its answer once before timing it.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "formats/parquet/file_writer.h"
#include "io/file_system.h"
#include "songplays_rows.h"
#include "sparkify/generator.h"
#include "sparkify/record_parser.h"
#include "sparkify/star_schema.h"

using namespace lakeforge;

namespace {

const std::string& LakeDir() {
  static std::string dir = [] {
    std::string d = (std::filesystem::temp_directory_path() / "lakeforge-micro-lake").string();
    if (!std::filesystem::exists(d)) {
      auto fs = MakeLocalFileSystem();
      GenerateOptions o;
      o.output = d;
      o.songs = 5000;
      o.events = 300000;
      GenerateLake(*fs, o);
    }
    return d;
  }();
  return dir;
}

// `data` cut in pieces of about 1 MiB of whole lines, as the pipeline parses a log file (etl.cc's
// kLogPieceBytes).
std::vector<std::string_view> CutInPieces(std::string_view data) {
  std::vector<std::string_view> pieces;
  for (size_t at = 0; at < data.size();) {
    size_t end = data.find('\n', std::min(data.size(), at + (size_t{1} << 20)));
    end = end == std::string_view::npos ? data.size() : end + 1;
    pieces.push_back(data.substr(at, end - at));
    at = end;
  }
  return pieces;
}

// The lake's first log file, read whole, and cut in pieces of about 1 MiB of whole lines, as the
// pipeline parses a log file (etl.cc's kLogPieceBytes).
struct LogPieces {
  FileBuffer buf;
  std::vector<std::string_view> pieces;

  LogPieces() {
    auto fs = MakeLocalFileSystem();
    auto files = fs->ListFiles(LakeDir() + "/log_data", true);
    fs->ReadFile(files.front().path, simdjson::SIMDJSON_PADDING, &buf);
    pieces = CutInPieces(buf.view());
  }
};

// The document-stream path (one call for the whole file would take the line-by-line path, which
// is for pieces over 4 MiB).
void BM_ParseLogLines(benchmark::State& state) {
  LogPieces in;
  std::string_view data = in.buf.view();
  const std::vector<std::string_view>& pieces = in.pieces;
  RecordParser parser;
  SongIndex index;
  ProfilePool profiles;
  auto parse = [&](LogFileResult* r, std::vector<Reject>* rejects) {
    uint32_t line = 1;
    for (std::string_view piece : pieces) line += parser.ParseLogLines(piece, line, 0, index, profiles, r, rejects);
  };
  {
    LogFileResult whole, in_pieces;
    std::vector<Reject> rejects;
    parser.ParseLogFile(data, 0, index, profiles, &whole, &rejects);
    parse(&in_pieces, &rejects);
    if (whole.events.empty() || !rejects.empty() || pieces.size() < 2 || whole.lines != in_pieces.lines ||
        whole.events.size() != in_pieces.events.size())
      state.SkipWithError("parser found no events, rejected records, or parsed the pieces differently");
  }
  for (auto _ : state) {
    LogFileResult r;
    std::vector<Reject> rejects;
    parse(&r, &rejects);
    benchmark::DoNotOptimize(r.events.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.buf.size));
}
BENCHMARK(BM_ParseLogLines)->Unit(benchmark::kMillisecond);

// The floor under BM_ParseLogLines: the same pieces through simdjson's document stream, each
// document parsed and nothing read from it (bench/parse_floor's "pieces" way, on one core); with
// argument 1, also a walk over every member (key and value type), the least a field reader does.
// BM_ParseLogLines minus these is what reading the fields, interning and the join cost.
void BM_ParseLogLinesFloor(benchmark::State& state) {
  LogPieces in;
  simdjson::dom::parser parser;
  const bool walk = state.range(0) == 1;
  for (auto _ : state) {
    size_t members = 0;
    for (std::string_view piece : in.pieces) {
      simdjson::dom::document_stream stream;
      if (parser.parse_many(piece.data(), piece.size(), std::max(piece.size() + 1, size_t{1} << 16)).get(stream)) {
        state.SkipWithError("parse_many failed");
        return;
      }
      for (auto doc : stream) {
        simdjson::dom::object obj;
        if (doc.get(obj)) {
          state.SkipWithError("a line that is not a valid JSON object");
          return;
        }
        if (walk)
          for (auto field : obj) members += field.key.size() + static_cast<size_t>(field.value.type());
      }
    }
    benchmark::DoNotOptimize(members);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.buf.size));
}
BENCHMARK(BM_ParseLogLinesFloor)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// The log files BM_ParseLogFiles parses, read whole, each cut in pieces as the pipeline cuts it.
struct LogFiles {
  std::vector<FileBuffer> bufs;
  std::vector<std::vector<std::string_view>> pieces;
  size_t bytes = 0;

  LogFiles() {
    const char* dir = std::getenv("LAKEFORGE_MICRO_LOGS");
    const char* limit = std::getenv("LAKEFORGE_MICRO_LOG_FILES");
    auto fs = MakeLocalFileSystem();
    auto files = fs->ListFiles(dir != nullptr ? std::string(dir) : LakeDir() + "/log_data", true);
    if (limit != nullptr) files.resize(std::min(files.size(), static_cast<size_t>(std::atol(limit))));
    bufs.resize(files.size());
    for (size_t i = 0; i < files.size(); ++i) {
      fs->ReadFile(files[i].path, simdjson::SIMDJSON_PADDING, &bufs[i]);
      bytes += bufs[i].size;
      pieces.push_back(CutInPieces(bufs[i].view()));
    }
  }
};

// Parses every file in pieces into one reused result (as a map thread does), interning into a
// pool that starts empty: BM_ParseLogLines parses one file again and again into one pool, so its
// profiles are all interned and cached after the first pass, and a run's are not.
void BM_ParseLogFiles(benchmark::State& state) {
  LogFiles in;
  auto parse = [&](RecordParser& parser, ProfilePool& profiles, const SongIndex& index, std::vector<Reject>* rejects) {
    LogFileResult r;
    uint64_t events = 0;
    for (size_t f = 0; f < in.pieces.size(); ++f) {
      r.events.clear();
      uint32_t line = 1;
      for (std::string_view piece : in.pieces[f])
        line += parser.ParseLogLines(piece, line, static_cast<uint32_t>(f), index, profiles, &r, rejects);
      events += r.events.size();
    }
    return events;
  };
  SongIndex index;
  {
    // Checked against each file parsed whole, one line at a time (the path for lines over 4 MiB).
    RecordParser parser, whole_parser;
    ProfilePool profiles, whole_profiles;
    std::vector<Reject> rejects;
    uint64_t whole = 0;
    whole_parser.set_stream_parsing(false);
    for (size_t f = 0; f < in.bufs.size(); ++f) {
      LogFileResult r;
      whole_parser.ParseLogFile(in.bufs[f].view(), static_cast<uint32_t>(f), index, whole_profiles, &r, &rejects);
      whole += r.events.size();
    }
    if (in.bufs.empty() || whole == 0 || parse(parser, profiles, index, &rejects) != whole || !rejects.empty() ||
        profiles.size() != whole_profiles.size())
      state.SkipWithError("no log files, rejected records, or the pieces gave other events or profiles");
  }
  for (auto _ : state) {
    RecordParser parser;
    ProfilePool profiles;
    std::vector<Reject> rejects;
    benchmark::DoNotOptimize(parse(parser, profiles, index, &rejects));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.bytes));
}
BENCHMARK(BM_ParseLogFiles)->Unit(benchmark::kMillisecond);

void BM_EncodeParquet(benchmark::State& state) {
  Schema schema = bench::SongplaysSchema();
  RecordBatch batch(schema);
  const size_t rows = 500000;
  for (size_t i = 0; i < rows; ++i) bench::AppendSongplaysRow(batch, i);
  size_t plain = 0;
  for (const auto& c : batch.columns) plain += c.ByteSize();
  for (auto _ : state) {
    StringOutputStream out;
    parquet::ParquetFileWriter w(&out, schema, {}, "bench");
    w.Write(batch);
    w.Close();
    if (w.rows_written() != static_cast<int64_t>(rows)) state.SkipWithError("wrong row count");
    benchmark::DoNotOptimize(out.str().data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * plain));
}
BENCHMARK(BM_EncodeParquet)->Unit(benchmark::kMillisecond);

void BM_EncodeSongFiles(benchmark::State& state) {
  const size_t n = 10000;
  std::vector<SongRecord> records(n);
  for (size_t i = 0; i < n; ++i) {
    records[i].song_id = "SO" + std::to_string(100000 + i) + "ABCDEFGH";
    records[i].artist_id = "AR" + std::to_string(200000 + i) + "ABCDEFGH";
    records[i].title = "A song title number " + std::to_string(i);
    records[i].duration = 100.0 + static_cast<double>(i);
    records[i].year = 1990 + static_cast<int32_t>(i % 20);
  }
  SongRefs refs;
  for (const auto& r : records) refs.push_back(&r);
  TableData table = BuildSongsTable(refs, 1);
  if (table.dirs.size() != n) state.SkipWithError("expected one partition per song");
  for (auto _ : state) {
    for (size_t p = 0; p < table.dirs.size(); ++p) {
      StringOutputStream out;
      parquet::ParquetFileWriter w(&out, table.schema, {}, "bench");
      w.Write(table.batch_of(p));
      w.Close();
      benchmark::DoNotOptimize(out.str().data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_EncodeSongFiles)->Unit(benchmark::kMillisecond);

void BM_ListAndRead(benchmark::State& state) {
  auto fs = MakeLocalFileSystem();
  FileBuffer buf;
  size_t files = 0;
  for (auto _ : state) {
    auto list = fs->ListFiles(LakeDir() + "/song_data", true);
    for (const auto& f : list) fs->ReadFile(f.path, 64, &buf);
    files = list.size();
  }
  if (files != 5000) state.SkipWithError("expected 5000 song files");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * files));
}
BENCHMARK(BM_ListAndRead)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
