// The compaction job; behaviour in compact.h.
#include "compact/compact.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <regex>
#include <thread>

#include "base/error.h"
#include "base/parallel.h"
#include "base/run_id.h"
#include "dist/collectives.h"
#include "dist/partition.h"
#include "formats/compression.h"
#include "formats/input_file.h"
#include "formats/json/documents.h"
#include "formats/json/json_string.h"
#include "io/location.h"
#include "io/read_ahead.h"
#include "io/uri.h"

namespace lakeforge {
namespace {

using Input = ManifestEntry;  // an input file: its path and, when known, its stored size

std::string StripCodecExtension(const std::string& name) {
  return name.substr(0, name.size() - std::strlen(CodecFileExtension(CodecOfFileName(name))));
}

std::string Dirname(const std::string& rel) {
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}

// One output file: the inputs it concatenates, in order.
struct Group {
  std::string rel_name;  // output path relative to --dest, without part suffix or codec extension
  std::vector<size_t> inputs;
};

// Reads a small text input (manifest, prefixes file) whole, gunzipping a .gz name or gzip magic.
std::string ReadText(FileSystem& fs, const std::string& path) {
  FileBuffer buf;
  fs.ReadFile(path, 0, &buf);
  bool gzip_magic =
      buf.size >= 2 && static_cast<uint8_t>(buf.data[0]) == 0x1f && static_cast<uint8_t>(buf.data[1]) == 0x8b;
  if (CodecOfFileName(path) == Codec::kGzip || gzip_magic) return DecompressGzip(buf.view(), path);
  return std::string(buf.view());
}

}  // namespace

std::vector<ManifestEntry> ParseManifest(std::string_view text, const std::string& name) {
  std::vector<ManifestEntry> out;
  simdjson::dom::parser parser;
  json::ForEachLine(text, [&](json::Document d) {
    auto fail = [&](const std::string& what) {
      throw Error::InvalidInput("manifest '" + name + "' line " + std::to_string(d.line) + ": " + what +
                                ": expected {\"path\": <string>, \"size\": <integer>, ...}");
    };
    simdjson::dom::element doc;
    if (auto err = parser.parse(std::string(d.text)).get(doc))
      fail(std::string("malformed JSON: ") + simdjson::error_message(err));
    std::string_view path;
    if (doc["path"].get_string().get(path) || path.empty()) fail("no \"path\" string");
    int64_t size = -1;
    auto size_field = doc["size"];
    if (size_field.error() != simdjson::NO_SUCH_FIELD && (size_field.get_int64().get(size) || size < 0))
      fail("\"size\" is not a non-negative integer");
    out.push_back({std::string(path), size});
  });
  return out;
}

namespace {

// Step 1 of RunCompact: the inputs, sorted by path, after --srcPattern and --previousManifest.
void ListInputs(RoutingFileSystem& router, FileSystem& src_fs, const CompactOptions& o, const std::regex& pattern_re,
                int threads, std::vector<Input>& inputs, CompactReport& report) {
  std::vector<Input> previous;
  bool have_previous = false;
  if (!o.previous_manifest.empty()) {
    std::string pm = StripFileScheme(o.previous_manifest);
    FileSystem& pfs = router.For(pm);
    if (pfs.Exists(pm)) {
      previous = ParseManifest(ReadText(pfs, pm), pm);
      have_previous = true;
    } else if (o.require_previous_manifest || o.copy_from_manifest) {
      throw Error::Io("cannot read --previousManifest '" + o.previous_manifest +
                      "': not found (use --requirePreviousManifest false on a first run)");
    }
  }
  if (o.copy_from_manifest) {
    inputs = previous;
    std::vector<NamedLocation> listed;
    for (const auto& in : inputs) listed.push_back({.role = "--previousManifest entry", .path = in.path});
    CheckLocations(listed, {{.role = "--dest", .path = o.dest}});
  } else {
    std::vector<std::string> roots;
    if (!o.src_prefixes_file.empty()) {
      std::string pf = StripFileScheme(o.src_prefixes_file);
      std::string text;
      try {
        text = ReadText(router.For(pf), pf);
      } catch (const Error& e) {
        throw Error::Io(std::string("--srcPrefixesFile: ") + e.what());
      }
      json::ForEachLine(text, [&](json::Document d) {
        std::string p(d.text);
        while (!p.empty() && p.back() == ' ') p.pop_back();  // ForEachLine already drops '\r'
        if (p.empty()) return;
        roots.push_back(p.find("://") == std::string::npos && p[0] != '/' ? JoinPath(o.src, p) : StripFileScheme(p));
      });
    }
    std::vector<NamedLocation> prefixes;
    for (const auto& r : roots) prefixes.push_back({.role = "--srcPrefixesFile entry", .path = r});
    CheckLocations(prefixes, {{.role = "--dest", .path = o.dest}});
    std::vector<FileInfo> listed;
    if (o.src_prefixes_file.empty()) {
      // Discover the first-level prefixes and list them concurrently: no bootstrap script needed.
      ListingNotes notes;
      listed = ListFilesConcurrently(src_fs, o.src, true, std::max(threads, 8), &notes);
      report.skipped_folders = std::move(notes.skipped);
    } else {
      std::vector<std::vector<FileInfo>> parts(roots.size());
      std::vector<ListingNotes> notes(roots.size());
      ParallelFor(roots.size(), std::max(threads, 8),
                  [&](size_t i, int) { parts[i] = router.For(roots[i]).ListFiles(roots[i], true, &notes[i]); });
      for (auto& n : notes) std::move(n.skipped.begin(), n.skipped.end(), std::back_inserter(report.skipped_folders));
      for (auto& p : parts) std::move(p.begin(), p.end(), std::back_inserter(listed));
    }
    for (auto& f : listed) inputs.push_back({f.path, f.size});
    std::sort(inputs.begin(), inputs.end(), [](const Input& a, const Input& b) { return a.path < b.path; });
    inputs.erase(
        std::unique(inputs.begin(), inputs.end(), [](const Input& a, const Input& b) { return a.path == b.path; }),
        inputs.end());
  }
  if (!o.src_pattern.empty()) {
    std::erase_if(inputs, [&](const Input& in) { return !std::regex_match(in.path, pattern_re); });
  }
  if (have_previous && !o.copy_from_manifest) {
    std::map<std::string, int64_t> seen;
    for (const auto& p : previous) seen[p.path] = p.size;
    ParallelFor(inputs.size(), threads, [&](size_t i, int) {
      if (inputs[i].size < 0 && seen.count(inputs[i].path))
        inputs[i].size = router.For(inputs[i].path).FileSize(inputs[i].path);
    });
    size_t before = inputs.size();
    std::erase_if(inputs, [&](const Input& in) {
      auto it = seen.find(in.path);
      return it != seen.end() && it->second == in.size;
    });
    report.skipped_by_manifest = before - inputs.size();
  }
}

// Step 2: the output groups, each a list of inputs; throws before anything is written when an
// input or output name is unsafe.
std::vector<Group> PlanGroups(const CompactOptions& o, const std::regex& group_re, const std::vector<Input>& inputs,
                              CompactReport& report) {
  std::vector<Group> groups;
  // An input's path below --src, which names its output below --dest: it must not climb out.
  auto relative = [&](const std::string& path) {
    std::string rel =
        path.size() > o.src.size() && path.compare(0, o.src.size(), o.src) == 0 && path[o.src.size()] == '/'
            ? path.substr(o.src.size() + 1)
            : path.substr(path.rfind('/') + 1);
    if (std::string why = UnsafePathReason(rel); !why.empty())
      throw Error::InvalidInput("refusing input '" + path + "': its path below --src '" + rel + "' is unsafe (" + why +
                                "); nothing was written");
    return rel;
  };
  for (const auto& in : inputs) relative(in.path);  // every input, matched by --groupBy or not
  if (o.group_depth > 0) {
    std::map<std::string, size_t> by_prefix;
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::string rel = relative(inputs[i].path);
      size_t cut = 0;
      int depth = 0;
      while (depth < o.group_depth && (cut = rel.find('/', cut)) != std::string::npos) {
        ++depth;
        ++cut;
      }
      if (depth < o.group_depth) {  // too shallow to group: copied as it is
        groups.push_back({StripCodecExtension(rel), {i}});
        continue;
      }
      std::string prefix = rel.substr(0, cut - 1);
      auto [it, inserted] = by_prefix.emplace(prefix, groups.size());
      if (inserted) {
        std::string name = prefix;
        std::replace(name.begin(), name.end(), '/', '-');
        groups.push_back({Dirname(rel) + "/" + name + ".json", {}});
      }
      groups[it->second].inputs.push_back(i);
    }
  } else if (o.group_by.empty()) {
    for (size_t i = 0; i < inputs.size(); ++i) groups.push_back({StripCodecExtension(relative(inputs[i].path)), {i}});
  } else {
    std::map<std::string, size_t> by_key;
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::smatch m;
      if (!std::regex_match(inputs[i].path, m, group_re)) {
        ++report.unmatched;
        if (report.unmatched_examples.size() < 5) report.unmatched_examples.push_back(inputs[i].path);
        continue;
      }
      std::string key;
      for (size_t g = 1; g < m.size(); ++g) key += m[g].str();
      if (key.empty() || key.find('/') != std::string::npos) {
        ++report.unmatched;
        if (report.unmatched_examples.size() < 5)
          report.unmatched_examples.push_back(inputs[i].path + " (empty or '/' in key)");
        continue;
      }
      auto [it, inserted] = by_key.emplace(key, groups.size());
      if (inserted) {
        std::string dir = Dirname(relative(inputs[i].path));
        groups.push_back({dir.empty() ? key : dir + "/" + key, {}});
      }
      groups[it->second].inputs.push_back(i);
    }
  }
  for (const auto& g : groups) {
    if (std::string why = UnsafePathReason(g.rel_name); !why.empty())
      throw Error::InvalidInput("refusing output name '" + g.rel_name + "' (from input '" +
                                inputs[g.inputs.front()].path + "'): " + why +
                                "; it would be written outside --dest '" + o.dest + "'; nothing was written");
  }
  return groups;
}

// Rank 0's inputs and listing notes, on every rank.
void ShareInputs(Communicator& comm, std::vector<Input>* inputs, CompactReport* report) {
  wire::Writer w;
  if (comm.root()) {
    wire::PutFiles(w, *inputs);
    wire::PutStrings(w, report->skipped_folders);
    w.Put(report->skipped_by_manifest);
  }
  std::string msg = w.Take();
  comm.Broadcast(&msg);
  if (comm.root()) return;
  wire::Reader in(msg);
  wire::GetFiles(in, inputs, "inputs");
  wire::GetStrings(in, &report->skipped_folders, "skipped folders");
  report->skipped_by_manifest = in.Get<uint64_t>("skipped by manifest");
}

// Step 4 (rank 0): the manifest, then (only then) deletion of the inputs.
void FinishCompaction(RoutingFileSystem& router, FileSystem& dest_fs, const CompactOptions& o,
                      const std::vector<Input>& inputs, const std::vector<std::string>& output_of,
                      CompactReport* report) {
  if (!o.output_manifest.empty()) {
    std::string path = JoinPath(o.dest, o.output_manifest);
    auto out = dest_fs.OpenAtomicOutputStream(path);
    CompressingWriter w(Codec::kGzip, out.get());
    std::string line;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (output_of[i].empty()) continue;
      line = "{\"path\":";
      AppendJsonString(inputs[i].path, &line);
      line += ",\"size\":" + std::to_string(inputs[i].size) + ",\"output\":";
      AppendJsonString(output_of[i], &line);
      line += "}\n";
      w.Write(line);
    }
    w.Finish();
    out->Close();
  }
  if (o.delete_on_success) {
    std::map<FileSystem*, std::vector<std::string>> by_fs;
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!output_of[i].empty()) by_fs[&router.For(inputs[i].path)].push_back(inputs[i].path);
    for (auto& [fs, paths] : by_fs) {
      fs->DeleteFiles(paths);
      report->deleted += paths.size();
    }
  }
}

}  // namespace

CompactReport RunCompact(RoutingFileSystem& router, const CompactOptions& options) {
  auto start = std::chrono::steady_clock::now();
  CompactOptions o = options;
  o.src = StripFileScheme(o.src);
  o.dest = StripFileScheme(o.dest);
  while (o.src.size() > 1 && o.src.back() == '/') o.src.pop_back();
  while (o.dest.size() > 1 && o.dest.back() == '/') o.dest.pop_back();
  if (o.src.empty() || o.dest.empty()) throw Error::Usage("compact needs --src and --dest");
  CheckLocations({{.role = "--src", .path = o.src}}, {{.role = "--dest", .path = o.dest}});
  int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  FileSystem& src_fs = router.For(o.src);
  FileSystem& dest_fs = router.For(o.dest);
  CompactReport report;

  // Options are checked before anything is listed or written.
  std::regex group_re, pattern_re;
  if (!o.group_by.empty()) {
    try {
      group_re = std::regex(o.group_by);
    } catch (const std::regex_error& e) {
      throw Error::Usage("--groupBy '" + o.group_by + "' is not a valid regular expression: " + e.what());
    }
    if (group_re.mark_count() == 0)
      throw Error::Usage("--groupBy '" + o.group_by +
                         "' has no capture group: expected at least one (...) to name the outputs");
  }
  if (!o.src_pattern.empty()) {
    try {
      pattern_re = std::regex(o.src_pattern);
    } catch (const std::regex_error& e) {
      throw Error::Usage("--srcPattern '" + o.src_pattern + "' is not a valid regular expression: " + e.what());
    }
  }
  bool keep_codec = o.output_codec == "keep";
  Codec out_codec = Codec::kUncompressed;
  if (!keep_codec) {
    if (o.output_codec == "snappy") throw Error::Usage("--outputCodec snappy: expected none, gzip, zstd or keep");
    out_codec = ParseCodec(o.output_codec);
  }
  if (o.copy_from_manifest && o.previous_manifest.empty())
    throw Error::Usage("--copyFromManifest needs --previousManifest <manifest>");

  LocalCommunicator alone;
  Communicator& comm = o.comm ? *o.comm : alone;
  const bool dist = comm.size() > 1;
  const auto me = static_cast<size_t>(comm.rank());

  // 1. Inputs (rank 0; the others get its list).
  std::vector<Input> inputs;
  comm.Agree(Attempt([&] {
    if (comm.root()) ListInputs(router, src_fs, o, pattern_re, threads, inputs, report);
  }));
  if (dist) ShareInputs(comm, &inputs, &report);

  // 2. Groups.
  std::vector<Group> groups;
  std::unique_ptr<WriterLock> own_lock;
  comm.Agree(Attempt([&] {
    groups = PlanGroups(o, group_re, inputs, report);
    if (comm.root() && o.lock == nullptr)
      own_lock = LockForWriting(dest_fs, o.dest, o.run_id.empty() ? NewRunId() : o.run_id, o.wait_for_lock_seconds);
    if (keep_codec && !inputs.empty()) {
      out_codec = CodecOfFileName(inputs.front().path);
      for (const auto& in : inputs) {
        if (CodecOfFileName(in.path) != out_codec)
          throw Error::Usage("--outputCodec keep: inputs mix codecs ('" + inputs.front().path + "' and '" + in.path +
                             "'); choose --outputCodec none, gzip or zstd");
      }
    }
  }));
  std::vector<uint64_t> group_weights;
  for (const auto& g : groups) {
    uint64_t w = 0;
    for (size_t i : g.inputs) w += FileWeight(static_cast<uint64_t>(std::max<int64_t>(0, inputs[i].size)));
    group_weights.push_back(w);
  }
  const std::vector<size_t> bounds = SplitByWeight(group_weights, comm.size());
  const size_t group_lo = bounds[me], group_hi = bounds[me + 1];
  size_t my_inputs = 0;
  for (size_t gi = group_lo; gi < group_hi; ++gi) my_inputs += groups[gi].inputs.size();
  // 3. Write each group as one or more parts; every output appears whole or not at all.
  constexpr size_t kChunkBytes = size_t{1} << 20;
  if (o.progress) o.progress->BeginStage("compacting", my_inputs);
  uint64_t target = o.target_size_mib > 0 ? static_cast<uint64_t>(o.target_size_mib * 1024 * 1024) : 0;
  std::vector<std::vector<std::pair<std::string, uint64_t>>> group_outputs(groups.size());  // path, bytes
  std::vector<std::string> output_of(inputs.size());
  std::vector<std::vector<std::vector<MergedInput>>> group_lines(groups.size());  // per group, per part
  std::vector<FileInfo> ordered;                   // this rank's inputs, in the order groups append them
  std::vector<size_t> position(inputs.size(), 0);  // input -> its index in `ordered`
  ReadAhead* reader = nullptr;
  auto write_group = [&](size_t gi) {
    const Group& g = groups[gi];
    int part = 0;
    uint32_t line = 1;  // where the next byte lands in the part
    std::unique_ptr<OutputStream> out;
    std::unique_ptr<CompressingWriter> writer;
    std::string out_path;
    uint64_t part_in = 0;
    bool need_newline = false;
    auto open_part = [&] {
      out_path = JoinPath(o.dest, g.rel_name + (part ? std::to_string(part) : "") + CodecFileExtension(out_codec));
      out = dest_fs.OpenAtomicOutputStream(out_path);
      writer = std::make_unique<CompressingWriter>(out_codec, out.get());
      part_in = 0;
      need_newline = false;
      line = 1;
      if (o.line_map) group_lines[gi].emplace_back();
    };
    auto close_part = [&] {
      writer->Finish();
      out->Close();
      group_outputs[gi].emplace_back(out_path, static_cast<uint64_t>(out->Tell()));
      writer.reset();
      out.reset();
      ++part;
    };
    // Inputs come from the reader (read ahead, whole, in the order the groups append them); an
    // input too large for its buffers streams chunk by chunk, so memory stays bounded whatever
    // the input (a decompression bomb included).
    for (size_t k = 0; k < g.inputs.size(); ++k) {
      size_t idx = g.inputs[k];
      ReadAhead::Item item;
      if (!reader->Take(position[idx], &item)) return;  // another group failed
      ChunkedInput in;
      in.Open(router.For(inputs[idx].path), inputs[idx].path, kChunkBytes, item.buffer.get());
      if (!out) open_part();
      bool first = true, blank = true;
      uint32_t first_line = line;
      uint64_t bytes = 0;
      for (std::string_view data = in.chunk(); !data.empty(); data = in.Next() ? in.chunk() : std::string_view()) {
        if (first && o.newline && need_newline) {
          writer->Write("\n");
          ++line;
        }
        if (first) first_line = line;
        first = false;
        if (o.line_map) {
          blank = blank && data.find_first_not_of(" \t\r\n") == std::string_view::npos;
          line += static_cast<uint32_t>(std::count(data.begin(), data.end(), '\n'));
        }
        writer->Write(data);
        need_newline = data.back() != '\n';
        bytes += data.size();
      }
      if (o.line_map)
        group_lines[gi].back().push_back(
            {.first_line = first_line, .path = inputs[idx].path, .blank = blank, .bytes = in.stored_bytes()});
      if (inputs[idx].size < 0)
        inputs[idx].size = static_cast<int64_t>(in.stored_bytes());  // as stored: what manifests compare
      part_in += bytes;
      output_of[idx] = out_path;
      if (o.progress) o.progress->FileDone(bytes);
      in = ChunkedInput();  // its chunk may point into the item's buffer, given back here
      reader->Release(&item);
      if (target && part_in >= target && k + 1 < g.inputs.size()) close_part();
    }
    if (out) close_part();
  };
  // One group per worker; the reader keeps --io-depth inputs in flight for all of them, in the order
  // the groups are taken.
  comm.Agree(Attempt([&] {
    for (size_t gi = group_lo; gi < group_hi; ++gi) {
      for (size_t i : groups[gi].inputs) {
        position[i] = ordered.size();
        ordered.push_back({.path = inputs[i].path, .size = inputs[i].size});
      }
    }
    ReadAheadOptions ro = ReaderOptionsFor(src_fs, o.io_depth, o.read_buffer_bytes, 0);
    ro.in_order = true;
    // Inputs named by a prefixes file may live on other storage: those the caller reads.
    for (const auto& f : ordered) {
      if (&router.For(f.path) != &src_fs) ro.max_file_bytes = 0;
    }
    ReadAhead read_ahead(src_fs, ordered, 0, ordered.size(), ro);
    reader = &read_ahead;
    ParallelFor(group_hi - group_lo, threads, [&](size_t k, int) {
      try {
        write_group(group_lo + k);
      } catch (...) {
        read_ahead.Stop();
        throw;
      }
    });
  }));
  if (dist) {  // rank 0 learns what every rank wrote, for the report, the manifest and the line map
    GatherRanges(
        comm, bounds,
        [&](size_t gi, wire::Writer& w) {
          w.Put<uint64_t>(group_outputs[gi].size());
          for (size_t k = 0; k < group_outputs[gi].size(); ++k) {
            w.PutString(group_outputs[gi][k].first);
            w.Put(group_outputs[gi][k].second);
            const auto& lines = o.line_map ? group_lines[gi][k] : std::vector<MergedInput>{};
            w.Put<uint64_t>(lines.size());
            for (const auto& m : lines) {
              w.Put(m.first_line);
              w.PutString(m.path);
              w.Put<uint8_t>(m.blank);
              w.Put(m.bytes);
            }
          }
          for (size_t i : groups[gi].inputs) {
            w.PutString(output_of[i]);
            w.Put(inputs[i].size);
          }
        },
        [&](size_t gi, wire::Reader& in) {
          group_outputs[gi].resize(in.Get<uint64_t>("group outputs"));
          if (o.line_map) group_lines[gi].resize(group_outputs[gi].size());
          for (size_t k = 0; k < group_outputs[gi].size(); ++k) {
            group_outputs[gi][k].first = in.GetString("output path");
            group_outputs[gi][k].second = in.Get<uint64_t>("output bytes");
            uint64_t n = in.Get<uint64_t>("merged inputs");
            for (uint64_t j = 0; j < n; ++j) {
              MergedInput m{.first_line = in.Get<uint32_t>("first line"), .path = "", .blank = false, .bytes = 0};
              m.path = in.GetString("merged input");
              m.blank = in.Get<uint8_t>("blank") != 0;
              m.bytes = in.Get<uint64_t>("merged input bytes");
              group_lines[gi][k].push_back(std::move(m));
            }
          }
          for (size_t i : groups[gi].inputs) {
            output_of[i] = in.GetString("output of input");
            inputs[i].size = in.Get<int64_t>("input size");
          }
        });
  }
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    for (size_t k = 0; k < group_outputs[gi].size(); ++k) {
      const auto& [p, bytes] = group_outputs[gi][k];
      report.output_paths.push_back(p);
      report.output_bytes += bytes;
      if (o.line_map) (*o.line_map)[p] = std::move(group_lines[gi][k]);
    }
  }
  report.outputs = report.output_paths.size();

  for (size_t i = 0; i < inputs.size(); ++i) {
    if (output_of[i].empty()) continue;
    ++report.inputs;
    report.input_bytes += static_cast<uint64_t>(std::max<int64_t>(0, inputs[i].size));
  }

  // 4. Manifest, then (only then) deletion of the inputs: rank 0, once every rank has written.
  comm.Agree(Attempt([&] {
    if (comm.root()) FinishCompaction(router, dest_fs, o, inputs, output_of, &report);
  }));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace lakeforge
