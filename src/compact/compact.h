// `lakeforge compact`: the S3DistCp job (small files -> fewer, larger files), with S3DistCp's
// option names so users can switch, and without its traps.
//
//  - Inputs: every file below --src (names starting with '.' or '_' skipped, as the ETL does), or
//    only below the prefixes in --srcPrefixesFile; --srcPattern keeps files whose full URI matches.
//  - Without --groupBy each file is copied to the same relative path under --dest.
//  - --groupBy RE (with at least one capture group) groups files whose full URI matches by the
//    concatenation of the captured groups; each group becomes one output named by that key, in the
//    folder (relative to --src) of the group's first file. Files that do not match are reported.
//  - --targetSize MiB splits a group into parts of at least that much input: key, key1, key2, ...
//  - .gz / .zst inputs are decompressed; --outputCodec keep (default) writes the inputs' codec
//    (error if they differ), or none / gzip / zstd. Output names get the codec's extension.
//  - --newline true (default): a newline is inserted between inputs that do not end with one, so
//    records of adjacent files are never glued together.
//  - Manifests (gzip JSON lines {"path", "size", "output"}): --outputManifest NAME writes one under
//    --dest; --previousManifest skips inputs listed with the same path and size (incremental runs);
//    --copyFromManifest instead copies exactly the listed inputs.
//  - Every output file appears whole or not at all; --deleteOnSuccess deletes inputs only after
//    all outputs and the manifest are written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/progress.h"
#include "compact/merged_sources.h"
#include "dist/communicator.h"
#include "io/file_system.h"

namespace lakeforge {

struct CompactOptions {
  std::string src, dest;
  std::string src_pattern;
  std::string src_prefixes_file;
  std::string group_by;
  double target_size_mib = 0;  // 0: no splitting
  std::string output_codec = "keep";
  std::string output_manifest;
  std::string previous_manifest;
  bool require_previous_manifest = true;
  bool copy_from_manifest = false;
  bool delete_on_success = false;
  bool newline = true;
  // `lakeforge run` (instead of group_by): merge the files below each folder `group_depth` levels
  // under src into one file in that folder; shallower files are copied one to one. Output paths
  // then sort exactly as their inputs did, so (file path, line) order is kept.
  int group_depth = 0;
  LineMap* line_map = nullptr;  // filled for every output when set
  // The writer lock of --dest when the caller holds it (`run`); else RunCompact takes it once the
  // inputs are listed, waiting up to wait_for_lock_seconds.
  const WriterLock* lock = nullptr;
  double wait_for_lock_seconds = 0;
  std::string run_id;  // names the lock's holder; empty: a new one
  int threads = 0;
  int io_depth = 0;               // inputs read ahead in flight (0: the medium's default)
  uint64_t read_buffer_bytes = 0;  // their buffers' budget (0: 32 MiB)
  Progress* progress = nullptr;
  // The ranks of a distributed run (null: this process alone). Rank 0 lists, holds the lock,
  // writes the manifest and deletes; every rank writes a byte-balanced range of the groups; the
  // report (and line_map) are complete on rank 0.
  Communicator* comm = nullptr;
};

struct CompactReport {
  uint64_t inputs = 0, input_bytes = 0, outputs = 0, output_bytes = 0;
  uint64_t skipped_by_manifest = 0, unmatched = 0, deleted = 0;
  std::vector<std::string> unmatched_examples;
  std::vector<std::string> skipped_folders;  // symlinked folders not entered: loops and aliases
  std::vector<std::string> output_paths;
  double seconds = 0;
};

CompactReport RunCompact(RoutingFileSystem& fs, const CompactOptions& options);

struct ManifestEntry {
  std::string path;
  int64_t size = -1;  // -1 when not recorded
};
// Parses a manifest's (decompressed) JSON lines; `name` names it in errors, with the line and what
// was expected. Throws Error::InvalidInput on the first bad line.
std::vector<ManifestEntry> ParseManifest(std::string_view text, const std::string& name);

}  // namespace lakeforge
