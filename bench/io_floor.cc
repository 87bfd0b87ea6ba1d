// The I/O floor: the least any tool must do to turn this lake into this output layout. It reads
// every input file (one open/read/close each, skipping '.'/'_' names like the ETL) and writes, for
// every Parquet file in a reference output, a file of the same size at the same relative path.
// Uses the same thread count as the ETL. Prints seconds, files and bytes as one JSON line.
//
// Usage: io_floor <lake> <reference output> <scratch output> [threads]
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "io/file_system.h"
#include "base/parallel.h"

using namespace lakeforge;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s <lake> <reference output> <scratch output> [threads]\n", argv[0]);
    return 2;
  }
  int threads = argc > 4 ? std::atoi(argv[4]) : static_cast<int>(std::thread::hardware_concurrency());
  auto fs = MakeLocalFileSystem();
  auto start = std::chrono::steady_clock::now();
  std::vector<FileInfo> inputs = fs->ListFiles(argv[1], true);
  std::vector<FileInfo> outputs = fs->ListFiles(argv[2], false);
  std::vector<FileBuffer> buffers(static_cast<size_t>(threads));
  std::vector<uint64_t> read_bytes(inputs.size());
  ParallelFor(inputs.size(), threads, [&](size_t i, int t) {
    fs->ReadFile(inputs[i].path, 64, &buffers[static_cast<size_t>(t)]);
    read_bytes[i] = buffers[static_cast<size_t>(t)].size;
  });
  std::string ref = argv[2], scratch = argv[3];
  std::vector<uint64_t> written(outputs.size());
  ParallelFor(outputs.size(), threads, [&](size_t i, int t) {
    // Size of the reference file: read it (it is in the page cache) rather than stat it.
    fs->ReadFile(outputs[i].path, 0, &buffers[static_cast<size_t>(t)]);
    std::string rel = outputs[i].path.substr(ref.size());
    auto out = fs->OpenOutputStream(scratch + rel);
    out->Write(buffers[static_cast<size_t>(t)].view());
    out->Close();
    written[i] = buffers[static_cast<size_t>(t)].size;
  });
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t rb = 0, wb = 0;
  for (auto b : read_bytes) rb += b;
  for (auto b : written) wb += b;
  std::printf("{\"seconds\":%.3f,\"files_read\":%zu,\"bytes_read\":%llu,\"files_written\":%zu,\"bytes_written\":%llu}\n", secs,
              inputs.size(), static_cast<unsigned long long>(rb), outputs.size(), static_cast<unsigned long long>(wb));
  return 0;
}
