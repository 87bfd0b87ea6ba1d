// The storage seam. Every pipeline reads and writes through FileSystem, so the same code runs on a
// local folder or (later) object storage; capability differences are flags, not branches.
//
// Paths are plain strings in the file system's own syntax ("/data/lake/song_data/A/x.json").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/output_stream.h"
#include "io/writer_lock.h"

namespace lakeforge {

struct FileInfo {
  std::string path;
  int64_t size = -1;  // -1 when the listing did not say
};

// A file's bytes followed by at least `padding` readable bytes (simdjson wants 64).
struct FileBuffer {
  std::string data;  // data.size() includes the padding
  size_t size = 0;   // the file's length
  std::string_view view() const { return std::string_view(data.data(), size); }
};

// Sequential reads of one file.
class InputStream {
 public:
  virtual ~InputStream() = default;
  // Reads up to n bytes into out; returns how many, 0 only at the end of the file. Throws Error::Io
  // naming the file.
  virtual size_t Read(char* out, size_t n) = 0;
};

// Reads `data`, which must outlive the stream (a file already in memory, for the decompressors).
std::unique_ptr<InputStream> MakeViewInputStream(std::string_view data);

// What a listing met besides files: symlinked folders it did not enter because their contents
// are listed anyway (an alias inside the listed folder) or would never end (a loop).
struct ListingNotes {
  std::string scope;                 // in: the folder the whole listing covers when it is listed in parts
  std::vector<std::string> skipped;  // out: "<link> -> <target> (<why>)"
};

// Requests to remote storage: HTTP requests on the wire, the retries among them, body bytes.
struct StorageStats {
  uint64_t requests = 0, retries = 0, bytes_in = 0, bytes_out = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // All files below `root`, recursively, sorted by path (byte order). Files and folders whose names
  // start with '.' or '_' are skipped when skip_hidden (Spark's and Hive's rule). Every folder is
  // entered once: a symlink to a folder inside the listed scope (or to one of its ancestors) is
  // skipped and noted in *notes. Throws Error::Io naming the path when `root` or a folder below
  // it is missing or unreadable.
  virtual std::vector<FileInfo> ListFiles(const std::string& root, bool skip_hidden, ListingNotes* notes = nullptr) = 0;
  // Reads a whole file into *buf (reused between calls to spare allocations).
  virtual void ReadFile(const std::string& path, size_t padding, FileBuffer* buf) = 0;
  // Opens a file for reading in pieces. The default reads it whole first (object stores fetch an
  // object in one request); the local file system reads as the caller asks.
  virtual std::unique_ptr<InputStream> OpenInputStream(const std::string& path);
  // Creates (truncates) a file, creating parent folders.
  virtual std::unique_ptr<OutputStream> OpenOutputStream(const std::string& path) = 0;
  // Like OpenOutputStream, but the file becomes visible under `path` only when Close() succeeds
  // (object stores: every upload is; local: a hidden temporary file renamed into place).
  virtual std::unique_ptr<OutputStream> OpenAtomicOutputStream(const std::string& path) {
    return OpenOutputStream(path);
  }
  virtual bool Exists(const std::string& path) = 0;
  // Sizes of n files named relative to `dir` (-1 for a missing one). The default asks FileSize for
  // each; the local file system resolves the names from one open handle of `dir`, which saves the
  // kernel the walk down to it for every file.
  virtual void FileSizesBelow(const std::string& dir, const std::string* rel, size_t n, int64_t* sizes);
  // Size in bytes; throws Error::Io naming the path when it cannot be found.
  virtual int64_t FileSize(const std::string& path) = 0;
  virtual void CreateDirs(const std::string& path) = 0;
  // Deletes a folder and everything below it; a missing folder is not an error.
  virtual void DeleteDirRecursive(const std::string& path) = 0;
  // Makes `staged` (a complete folder) visible as `target` in one atomic step, replacing any
  // previous `target`; the previous contents end up at `old` (or are gone) — never half-visible.
  virtual void CommitDir(const std::string& staged, const std::string& target, const std::string& old) = 0;
  // Names the entries directly inside a folder (empty when it does not exist).
  virtual std::vector<std::string> ListDir(const std::string& path) = 0;
  // Deletes files (missing ones are not an error); object stores batch the requests.
  virtual void DeleteFiles(const std::vector<std::string>& paths) = 0;
  // Object stores: aborts every multipart upload begun below `dir` and never finished (a writer
  // killed mid-upload leaves one, invisible to listings and billed). Only for the holder of the
  // folder's writer lock, once its own uploads are done. Returns how many; 0 elsewhere.
  virtual size_t AbortUnfinishedUploads(const std::string& /*dir*/) { return 0; }

  // The writer lock of `folder` (io/writer_lock.h), creating the folder: the lock, or nullptr with
  // *holder filled when another run holds it.
  virtual std::unique_ptr<WriterLock> TryLockForWriting(const std::string& folder, const LockHolder& me,
                                                        LockHolder* holder) = 0;

  // Capabilities, not kinds: can CommitDir swap folders atomically under `path`? Where it cannot
  // (object stores), writers use the manifest protocol instead (see pipeline/etl.cc).
  virtual bool has_atomic_dir_swap() const { return true; }
  // Can its paths be opened with open(2)? (Then the read-ahead reader may use io_uring.)
  virtual bool posix_paths() const { return false; }
  // Does ListFiles give every file's size (FileInfo::size >= 0) at no extra cost?
  virtual bool listing_has_sizes() const { return false; }
  // Request counters for summaries and run reports (zeros where nothing is counted).
  virtual StorageStats Stats() const { return {}; }
};

std::unique_ptr<FileSystem> MakeLocalFileSystem();
// S3 with endpoint, region and credentials resolved as the AWS CLI does (s3_client.h).
std::unique_ptr<FileSystem> MakeS3FileSystem(const std::string& endpoint_url);

// Routes each path to local storage or S3 by its form (local path, file://, s3://), so any
// combination of input and output locations works. The S3 side is created on first use.
class RoutingFileSystem {
 public:
  explicit RoutingFileSystem(std::string endpoint_url = "");
  // Routes to the given file systems (tests put fakes behind s3:// this way).
  RoutingFileSystem(std::unique_ptr<FileSystem> local, std::unique_ptr<FileSystem> s3);
  ~RoutingFileSystem();
  // The file system that serves `path` ("file://" stripped into *local_path when given).
  FileSystem& For(const std::string& path);
  StorageStats Stats() const;

 private:
  std::string endpoint_url_;
  std::unique_ptr<FileSystem> local_, s3_;
};

// "file:///a/b" -> "/a/b"; other paths unchanged.
std::string StripFileScheme(const std::string& path);

// ListFiles(root) with the first-level prefixes listed in parallel (up to `concurrency` at once).
std::vector<FileInfo> ListFilesConcurrently(FileSystem& fs, const std::string& root, bool skip_hidden, int concurrency,
                                            ListingNotes* notes = nullptr);

// "a/b" + "c" -> "a/b/c".
std::string JoinPath(const std::string& a, const std::string& b);

}  // namespace lakeforge
