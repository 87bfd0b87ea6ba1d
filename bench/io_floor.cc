// The I/O floor: the least any tool must do to turn this lake into this output layout. It lists and
// reads every input file (one open/read/close each, skipping '.'/'_' names like the ETL) and
// writes, for every Parquet file in a reference output, a file of the same size at the same
// relative path. The reference's paths and sizes are learned before the clock starts: looking
// them up is not work the ETL has to do. Uses the same thread count as the ETL. Prints seconds,
// CPU seconds (user + system, all threads, over the same timed region), files and bytes as one
// JSON line.
//
// Usage: io_floor <lake> <reference output> <scratch output> [threads]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "base/parallel.h"
#include "io/file_system.h"

using namespace lakeforge;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s <lake> <reference output> <scratch output> [threads]\n", argv[0]);
    return 2;
  }
  int threads = argc > 4 ? std::atoi(argv[4]) : static_cast<int>(std::thread::hardware_concurrency());
  auto fs = MakeLocalFileSystem();
  std::vector<FileInfo> outputs = fs->ListFiles(argv[2], false);
  std::string zeros;
  for (auto& f : outputs) f.size = fs->FileSize(f.path);
  for (const auto& f : outputs) zeros.resize(std::max<size_t>(zeros.size(), static_cast<size_t>(f.size)));
  auto cpu_seconds = [] {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  };
  double cpu_start = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  std::vector<FileInfo> inputs = fs->ListFiles(argv[1], true);
  std::vector<FileBuffer> buffers(static_cast<size_t>(threads));
  std::vector<uint64_t> read_bytes(inputs.size());
  ParallelFor(inputs.size(), threads, [&](size_t i, int t) {
    fs->ReadFile(inputs[i].path, 64, &buffers[static_cast<size_t>(t)]);
    read_bytes[i] = buffers[static_cast<size_t>(t)].size;
  });
  std::string ref = argv[2], scratch = argv[3];
  std::vector<uint64_t> written(outputs.size());
  ParallelFor(outputs.size(), threads, [&](size_t i, int) {
    std::string rel = outputs[i].path.substr(ref.size());
    auto out = fs->OpenOutputStream(scratch + rel);
    out->Write(std::string_view(zeros.data(), static_cast<size_t>(outputs[i].size)));
    out->Close();
    written[i] = static_cast<uint64_t>(outputs[i].size);
  });
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = cpu_seconds() - cpu_start;
  uint64_t rb = 0, wb = 0;
  for (auto b : read_bytes) rb += b;
  for (auto b : written) wb += b;
  std::printf(
      "{\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"files_read\":%zu,\"bytes_read\":%llu,\"files_written\":%zu,"
      "\"bytes_written\":%llu}\n",
      secs, cpu, inputs.size(), static_cast<unsigned long long>(rb), outputs.size(), static_cast<unsigned long long>(wb));
  return 0;
}
