// Reads every file below a folder the way the ETL's map stages do — through the read-ahead reader
// (io/read_ahead.h) — and does nothing with the bytes but sum them: the reading half of the
// ETL alone, for the cold-cache benchmark. Prints one JSON line: seconds, files, bytes, the
// backend, how many files the parsers would have read themselves, and the peak buffer.
//
// Usage: read_files <folder> [depth] [threads] [uring|threads]   (the listing is timed too)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "io/file_system.h"
#include "io/read_ahead.h"

using namespace lakeforge;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <folder> [depth] [threads] [uring|threads]\n", argv[0]);
    return 2;
  }
  int depth = argc > 2 ? std::atoi(argv[2]) : 0;
  int threads = argc > 3 ? std::atoi(argv[3]) : static_cast<int>(std::thread::hardware_concurrency());
  auto fs = MakeLocalFileSystem();
  auto start = std::chrono::steady_clock::now();
  std::vector<FileInfo> files = ListFilesConcurrently(*fs, argv[1], true, std::max(threads, 8));
  ReadAheadOptions o = ReaderOptionsFor(*fs, depth, 0, 64);
  if (argc > 4) o.backend = std::string(argv[4]) == "threads" ? ReaderBackend::kThreads : ReaderBackend::kUring;
  std::vector<uint64_t> sums(static_cast<size_t>(threads));
  uint64_t bytes = 0;
  ReadAheadStats st;
  {
    ReadAhead reader(*fs, files, 0, files.size(), o);
    std::vector<FileBuffer> own(static_cast<size_t>(threads));
    std::vector<uint64_t> got(static_cast<size_t>(threads));
    ForEachReadAhead(reader, threads, [&](size_t i, const FileBuffer* buf, int t) {
      const FileBuffer* b = buf;
      if (b == nullptr) {
        fs->ReadFile(files[i].path, 64, &own[static_cast<size_t>(t)]);
        b = &own[static_cast<size_t>(t)];
      }
      uint64_t s = 0;
      for (size_t k = 0; k < b->size; k += 4096) s += static_cast<unsigned char>(b->data[k]);
      sums[static_cast<size_t>(t)] += s;
      got[static_cast<size_t>(t)] += b->size;
    });
    for (uint64_t g : got) bytes += g;
    st = reader.Stats();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"seconds\": %.3f, \"files\": %zu, \"bytes\": %llu, \"backend\": \"%s\", \"depth\": %d, \"passed\": %llu, "
      "\"peak_buffer\": %llu}\n",
      seconds, files.size(), static_cast<unsigned long long>(bytes), st.backend.c_str(), st.depth,
      static_cast<unsigned long long>(st.files_passed), static_cast<unsigned long long>(st.peak_buffered_bytes));
  return 0;
}
