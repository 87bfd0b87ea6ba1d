// Reading many files ahead of the threads that parse them. On cold data the time goes to requests in
// flight, not to cores: a reader keeps `depth` files in flight (io_uring on a local file system,
// or a pool of blocking readers elsewhere — object stores, kernels without io_uring), whatever the
// number of parsing threads, and hands whole files to them as they complete.
//
// Memory is bounded: every buffer the reader holds (in flight, ready, with a parser, or kept for
// reuse) counts against a limit, and the reader waits when parsing is slower than reading. The
// limit starts at 4 MiB and doubles, up to budget_bytes, each time a parser finds nothing ready
// while the limit is what holds the reader back (slow reads): on cached files it stays small.
// A file larger than max_file_bytes (or whose size cannot be learned, or whose read ahead failed,
// or that changed size while it was read) is handed over without a buffer: the parser reads it
// itself, the way it always did, so errors and their messages are the caller's as before.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "io/file_system.h"

namespace lakeforge {

enum class ReaderBackend { kAuto, kUring, kThreads };

struct ReadAheadOptions {
  int depth = 64;                               // files in flight
  uint64_t budget_bytes = uint64_t{32} << 20;   // buffered bytes, all buffers counted
  uint64_t max_file_bytes = uint64_t{16} << 20; // larger files are read by the caller (clamped to a third of the
                                                // budget); 0: every file is
  size_t padding = 0;                           // readable zero bytes after each file's bytes
  ReaderBackend backend = ReaderBackend::kAuto; // kAuto: io_uring where the file system and kernel allow
  // The caller takes files in order (Take): a file that would wait for buffer space held by later
  // files is handed over unread instead, so the reader never waits on the caller's next file.
  bool in_order = false;
  // With nothing ready and few reads in flight (cached files: one thread issuing reads is then
  // slower than the parsers), Next (or Take of the next unread file) hands the caller a file to
  // read itself. io_uring backend only.
  bool parsers_may_read = true;
};

// What the reader did, for summaries and tests.
struct ReadAheadStats {
  std::string backend;        // "io_uring" or "threads"
  int depth = 0;
  uint64_t files_read = 0;    // handed over whole
  uint64_t files_passed = 0;  // handed over for the caller to read
  uint64_t bytes_read = 0;    // bytes of the files handed over whole
  uint64_t peak_buffered_bytes = 0;
};

class ReadAhead {
 public:
  // Reads files[lo, hi) ahead; `files` must outlive the reader.
  ReadAhead(FileSystem& fs, const std::vector<FileInfo>& files, size_t lo, size_t hi, const ReadAheadOptions& options);
  ~ReadAhead();  // stops reading and waits for the reads in flight
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  struct Item {
    size_t index = 0;                    // into `files`
    std::unique_ptr<FileBuffer> buffer;  // the whole file, `padding` zero bytes after; null: read it yourself
  };
  // The next file read (the lowest index among those ready); blocks until one is ready. False once every
  // file of the range was handed out (or Stop was called). Thread-safe.
  bool Next(Item* item);
  // File `index` itself, for callers that need files in order (compaction appends them): blocks
  // until it is read. The reader reads in index order, so taking files in order never waits long.
  // False after Stop.
  bool Take(size_t index, Item* item);
  // Gives the item's buffer back for reuse (its bytes free budget for further reads). Thread-safe.
  void Release(Item* item);
  // Makes Next return false from now on (a parser failed); reads in flight finish unseen.
  void Stop();
  ReadAheadStats Stats() const;

  class Core;

 private:
  std::unique_ptr<Core> core_;
};

// Runs fn(index, buffer-or-null, worker) once for every file of the reader's range on `threads`
// workers (the calling thread is worker 0). The first exception stops the others and is rethrown.
void ForEachReadAhead(ReadAhead& reader, int threads,
                      const std::function<void(size_t index, const FileBuffer* buffer, int worker)>& fn);

// The reader options for a location: depth and budget from the user (0: the medium's default,
// 64 files locally and 128 requests on object storage), LAKEFORGE_IO_URING=off forcing the
// portable backend.
ReadAheadOptions ReaderOptionsFor(const FileSystem& fs, int depth, uint64_t budget_bytes, size_t padding);

}  // namespace lakeforge
