// Golden tests of `lakeforge compact` on local folders: naming, grouping, parts, codecs, newline
// handling, manifests, deletion, and that every input byte lands in exactly one output.
#include "compact/compact.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "base/error.h"
#include "formats/compression.h"
#include "io/uri.h"

namespace lakeforge {
namespace {

namespace fsys = std::filesystem;

class CompactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = (fsys::temp_directory_path() / ("lakeforge-compact-" + std::to_string(std::random_device{}()))).string();
    src_ = root_ + "/src";
    dest_ = root_ + "/dest";
  }
  void TearDown() override { fsys::remove_all(root_); }
  void Put(const std::string& rel, const std::string& data) {
    fsys::create_directories(fsys::path(src_ + "/" + rel).parent_path());
    std::ofstream(src_ + "/" + rel, std::ios::binary) << data;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::vector<std::string> DestFiles() {
    std::vector<std::string> out;
    if (!fsys::exists(dest_)) return out;
    for (auto& e : fsys::recursive_directory_iterator(dest_))
      if (e.is_regular_file() && e.path().filename() != kLockFileName)
        out.push_back(e.path().string().substr(dest_.size() + 1));
    std::sort(out.begin(), out.end());
    return out;
  }
  CompactReport Run(CompactOptions o) {
    o.src = src_;
    o.dest = dest_;
    return RunCompact(router_, o);
  }

  RoutingFileSystem router_;
  std::string root_, src_, dest_;
};

TEST_F(CompactTest, WithoutGroupByCopiesOneToOneAndSkipsHidden) {
  Put("a/x.json", "1\n");
  Put("a/.ipynb_checkpoints/x-checkpoint.json", "hidden");
  Put("_tmp/y.json", "hidden");
  Put("b/c/z.json", "3");
  auto r = Run({});
  EXPECT_EQ(DestFiles(), (std::vector<std::string>{"a/x.json", "b/c/z.json"}));
  EXPECT_EQ(Read(dest_ + "/b/c/z.json"), "3");
  EXPECT_EQ(r.inputs, 2u);
  EXPECT_EQ(r.outputs, 2u);
}

TEST_F(CompactTest, GroupByNamesOutputsByCapturesInTheFirstFilesFolder) {
  Put("log_data/2018/11/2018-11-01-events.json", "{\"a\":1}");  // no trailing newline, like the sample
  Put("log_data/2018/11/2018-11-02-events.json", "{\"a\":2}");
  Put("log_data/2018/12/2018-12-01-events.json", "{\"a\":3}\n");
  Put("log_data/README.txt", "not a log");
  CompactOptions o;
  o.group_by = ".*/log_data/(\\d{4})/(\\d{2})/.*\\.json";
  auto r = Run(o);
  EXPECT_EQ(DestFiles(), (std::vector<std::string>{"log_data/2018/11/201811", "log_data/2018/12/201812"}));
  EXPECT_EQ(Read(dest_ + "/log_data/2018/11/201811"), "{\"a\":1}\n{\"a\":2}");  // newline inserted between
  EXPECT_EQ(r.unmatched, 1u);
  ASSERT_EQ(r.unmatched_examples.size(), 1u);
  EXPECT_NE(r.unmatched_examples[0].find("README.txt"), std::string::npos);
}

TEST_F(CompactTest, NewlineFalseJoinsBytesAsS3DistCpDoes) {
  Put("d/1.json", "{\"a\":1}");
  Put("d/2.json", "{\"a\":2}");
  CompactOptions o;
  o.group_by = ".*/(d)/.*";
  o.newline = false;
  Run(o);
  EXPECT_EQ(Read(dest_ + "/d/d"), "{\"a\":1}{\"a\":2}");
}

TEST_F(CompactTest, RegexWithoutGroupIsAClearError) {
  Put("a.json", "x");
  CompactOptions o;
  o.group_by = ".*\\.json";
  try {
    Run(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "--groupBy '.*\\.json' has no capture group: expected at least one (...) to name the outputs");
  }
  EXPECT_TRUE(DestFiles().empty());
}

TEST_F(CompactTest, TargetSizeSplitsIntoNumberedParts) {
  std::string kib(1024, 'x');
  for (int i = 0; i < 10; ++i)
    Put("g/f" + std::to_string(i) + ".json", std::string(300 * 1024, static_cast<char>('a' + i)) + "\n");
  CompactOptions o;
  o.group_by = ".*/(g)/.*";
  o.target_size_mib = 1;  // 1 MiB: four 300 KiB inputs per part
  auto r = Run(o);
  EXPECT_EQ(DestFiles(), (std::vector<std::string>{"g/g", "g/g1", "g/g2"}));
  EXPECT_GE(fsys::file_size(dest_ + "/g/g"), size_t{1} << 20);
  EXPECT_GE(fsys::file_size(dest_ + "/g/g1"), size_t{1} << 20);
  EXPECT_EQ(r.outputs, 3u);
}

TEST_F(CompactTest, CodecsKeepConvertAndRejectMixes) {
  std::string gz1, gz2;
  {
    StringOutputStream a, b;
    CompressingWriter wa(Codec::kGzip, &a), wb(Codec::kGzip, &b);
    wa.Write("{\"a\":1}");
    wa.Finish();
    wb.Write("{\"a\":2}\n");
    wb.Finish();
    gz1 = a.str();
    gz2 = b.str();
  }
  Put("z/1.json.gz", gz1);
  Put("z/2.json.gz", gz2);
  CompactOptions o;
  o.group_by = ".*/(z)/.*";
  Run(o);  // keep: gzip in, gzip out
  ASSERT_EQ(DestFiles(), (std::vector<std::string>{"z/z.gz"}));
  EXPECT_EQ(DecompressGzip(Read(dest_ + "/z/z.gz"), "z.gz"), "{\"a\":1}\n{\"a\":2}\n");
  o.output_codec = "zstd";
  Run(o);
  EXPECT_EQ(DecompressZstd(Read(dest_ + "/z/z.zst"), "z.zst"), "{\"a\":1}\n{\"a\":2}\n");
  o.output_codec = "none";
  Run(o);
  EXPECT_EQ(Read(dest_ + "/z/z"), "{\"a\":1}\n{\"a\":2}\n");
  Put("z/3.json", "plain");
  o.output_codec = "keep";
  EXPECT_THROW(Run(o), Error);
}

TEST_F(CompactTest, CorruptGzipNamesTheFile) {
  Put("c/bad.json.gz", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xffgarbage", 21));
  try {
    Run({});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("c/bad.json.gz: corrupt gzip data at byte"), std::string::npos)
        << "[" << e.what() << "]";
  }
  EXPECT_TRUE(DestFiles().empty());  // no partial output is visible
}

TEST_F(CompactTest, ManifestsMakeRunsIncremental) {
  Put("m/2018-11-01.json", "a\n");
  Put("m/2018-11-02.json", "b\n");
  CompactOptions o;
  o.output_manifest = "manifest.gz";
  o.previous_manifest = root_ + "/none.gz";
  EXPECT_THROW(Run(o), Error);  // required by default
  o.require_previous_manifest = false;
  auto first = Run(o);
  EXPECT_EQ(first.inputs, 2u);
  std::string manifest = DecompressGzip(Read(dest_ + "/manifest.gz"), "manifest.gz");
  EXPECT_NE(manifest.find("\"path\":\"" + src_ + "/m/2018-11-01.json\",\"size\":2,\"output\":\"" + dest_ +
                          "/m/2018-11-01.json\""),
            std::string::npos)
      << manifest;
  fsys::rename(dest_ + "/manifest.gz", root_ + "/previous.gz");
  fsys::remove_all(dest_);
  Put("m/2018-11-03.json", "c\n");
  Put("m/2018-11-02.json", "b changed\n");  // same path, new size: copied again
  o.previous_manifest = root_ + "/previous.gz";
  auto second = Run(o);
  EXPECT_EQ(second.skipped_by_manifest, 1u);
  EXPECT_EQ(DestFiles(), (std::vector<std::string>{"m/2018-11-02.json", "m/2018-11-03.json", "manifest.gz"}));
  // --copyFromManifest copies exactly the listed files.
  fsys::remove_all(dest_);
  o.copy_from_manifest = true;
  o.output_manifest.clear();
  Run(o);
  EXPECT_EQ(DestFiles(), (std::vector<std::string>{"m/2018-11-01.json", "m/2018-11-02.json"}));
}

TEST(ManifestParsing, EntriesAndBadLines) {
  auto entries =
      ParseManifest("{\"path\":\"s3://b/a b.json\",\"size\":12,\"output\":\"x\"}\n\n{\"path\":\"/l/c\"}\r\n", "m.gz");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].path, "s3://b/a b.json");
  EXPECT_EQ(entries[0].size, 12);
  EXPECT_EQ(entries[1].size, -1);
  auto message = [](const std::string& text) {
    try {
      ParseManifest(text, "m.gz");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("{\"path\":\"a\"}\n{\"size\":1}"),
            "manifest 'm.gz' line 2: no \"path\" string: expected {\"path\": <string>, \"size\": <integer>, ...}");
  EXPECT_EQ(message("{\"path\":\"a\",\"size\":\"big\"}"),
            "manifest 'm.gz' line 1: \"size\" is not a non-negative integer: expected {\"path\": <string>, \"size\": "
            "<integer>, ...}");
  EXPECT_EQ(message("{\"path\":\"a\",\"size\":-3}"),
            "manifest 'm.gz' line 1: \"size\" is not a non-negative integer: expected {\"path\": <string>, \"size\": "
            "<integer>, ...}");
  EXPECT_EQ(message("{\"path\":\"a\"").rfind("manifest 'm.gz' line 1: malformed JSON: ", 0), 0u);
}

TEST_F(CompactTest, DeleteOnSuccessDeletesInputsAfterOutputs) {
  Put("x/1.json", "1");
  Put("x/2.json", "2");
  CompactOptions o;
  o.group_by = ".*/(x)/.*";
  o.delete_on_success = true;
  auto r = Run(o);
  EXPECT_EQ(r.deleted, 2u);
  EXPECT_FALSE(fsys::exists(src_ + "/x/1.json"));
  EXPECT_EQ(Read(dest_ + "/x/x"), "1\n2");
}

TEST_F(CompactTest, UnreadablePrefixesFile) {
  Put("a.json", "x");
  CompactOptions o;
  o.src_prefixes_file = root_ + "/missing-prefixes.txt";
  try {
    Run(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--srcPrefixesFile: cannot open '" + root_ + "/missing-prefixes.txt'"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(CompactTest, PrefixesFileAndPattern) {
  Put("p/1/a.json", "a");
  Put("p/2/b.json", "b");
  Put("p/3/c.txt", "c");
  Put("p/3/d.json", "d");
  std::ofstream(root_ + "/prefixes.txt") << src_ << "/p/1\np/3\n";
  CompactOptions o;
  o.src_prefixes_file = root_ + "/prefixes.txt";
  o.src_pattern = ".*\\.json";
  Run(o);
  EXPECT_EQ(DestFiles(), (std::vector<std::string>{"p/1/a.json", "p/3/d.json"}));
}

// Property: every input byte is in exactly one output, in order, plus only the inserted newlines.
TEST_F(CompactTest, EveryInputByteExactlyOnce) {
  std::mt19937_64 rng(5);
  std::map<std::string, std::string> files;
  for (int i = 0; i < 300; ++i) {
    std::string rel = std::string(1, static_cast<char>('A' + rng() % 4)) + "/" + std::to_string(rng() % 5) + "/f" +
                      std::to_string(i) + ".json";
    std::string data;
    size_t n = rng() % 200;
    for (size_t k = 0; k < n; ++k) data.push_back(rng() % 10 == 0 ? '\n' : static_cast<char>('a' + rng() % 26));
    files[rel] = data;
    Put(rel, data);
  }
  CompactOptions o;
  o.group_by = ".*/src/([A-Z])/.*";
  o.target_size_mib = 0.004;  // small parts too
  auto r = Run(o);
  uint64_t total_in = 0;
  for (const auto& [rel, data] : files) total_in += data.size();
  uint64_t total_out = 0, inserted = 0;
  for (const auto& f : DestFiles()) total_out += fsys::file_size(dest_ + "/" + f);
  std::string all_in, all_out;
  for (const auto& [rel, data] : files) all_in += data;
  for (const auto& f : DestFiles()) {
    std::string d = Read(dest_ + "/" + f);
    all_out += d;
  }
  for (char c : all_out) inserted += c == '\n';
  for (char c : all_in) inserted -= c == '\n';
  std::string stripped_in, stripped_out;
  for (char c : all_in)
    if (c != '\n') stripped_in.push_back(c);
  // Outputs sorted by name follow group order (A, A1, A2, B, ...) and inputs within them.
  std::vector<std::string> outs = DestFiles();
  std::sort(outs.begin(), outs.end(), [](const std::string& a, const std::string& b) {
    auto part = [](const std::string& s) {
      std::string name = s.substr(s.rfind('/') + 1);
      return std::make_pair(name[0], name.size() > 1 ? std::stoi(name.substr(1)) : 0);
    };
    return part(a) < part(b);
  });
  for (const auto& f : outs)
    for (char c : Read(dest_ + "/" + f))
      if (c != '\n') stripped_out.push_back(c);
  EXPECT_EQ(stripped_out, stripped_in);
  EXPECT_EQ(total_out, total_in + inserted);
  EXPECT_EQ(r.inputs, files.size());
  EXPECT_LE(inserted, files.size());
}

// An object store whose listing returns whatever keys a test gives it (the loopback S3 servers
// normalise '..' away, so hostile keys can only be tested through the FileSystem seam).
class HostileListing final : public FileSystem {
 public:
  explicit HostileListing(std::vector<std::string> paths) : paths_(std::move(paths)) {}
  std::vector<FileInfo> ListFiles(const std::string&, bool, ListingNotes*) override {
    std::vector<FileInfo> out;
    for (const auto& p : paths_) out.push_back({.path = p, .size = 1});
    return out;
  }
  void ReadFile(const std::string&, size_t padding, FileBuffer* buf) override {
    buf->data = "x" + std::string(padding, '\0');
    buf->size = 1;
  }
  std::unique_ptr<OutputStream> OpenOutputStream(const std::string& path) override {
    throw Error::Internal("unexpected write to " + path);
  }
  bool Exists(const std::string&) override { return true; }
  int64_t FileSize(const std::string&) override { return 1; }
  void CreateDirs(const std::string&) override {}
  void DeleteDirRecursive(const std::string&) override {}
  void CommitDir(const std::string&, const std::string&, const std::string&) override {}
  std::vector<std::string> ListDir(const std::string&) override { return {}; }
  void DeleteFiles(const std::vector<std::string>&) override {}
  std::unique_ptr<WriterLock> TryLockForWriting(const std::string&, const LockHolder&, LockHolder*) override {
    throw Error::Internal("unexpected lock");
  }
  bool has_atomic_dir_swap() const override { return false; }

 private:
  std::vector<std::string> paths_;
};

TEST_F(CompactTest, KeysThatWouldClimbOutOfTheDestinationAreRefusedByName) {
  const std::vector<std::string> hostile = {
      "s3://lake/raw/log_data/x/../../../../etc/cron.d/job",
      "s3://lake/raw/a//b.json",
      "s3://lake/raw//abs.json",
      "s3://lake/raw/./a.json",
      "s3://lake/raw/a\\..\\..\\b.json",
      std::string("s3://lake/raw/a\0b.json", 22),
      "s3://lake/raw/..",
      "s3://lake/raw/a/..",
  };
  for (const auto& key : hostile) {
    for (bool grouped : {false, true}) {
      RoutingFileSystem router(MakeLocalFileSystem(), std::make_unique<HostileListing>(
                                                          std::vector<std::string>{"s3://lake/raw/ok/1.json", key}));
      CompactOptions o;
      o.src = "s3://lake/raw";
      o.dest = dest_;
      if (grouped) o.group_by = ".*/raw/([^/]*)/.*";
      try {
        RunCompact(router, o);
        ADD_FAILURE() << "accepted " << key;
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("refusing"), std::string::npos) << e.what();
      }
      EXPECT_TRUE(DestFiles().empty()) << key;
      EXPECT_FALSE(fsys::exists(root_ + "/etc")) << key;
      EXPECT_FALSE(fsys::exists(root_ + "/abs.json")) << key;
    }
  }
  // A --groupBy capture of ".." would name an output one level up.
  RoutingFileSystem router(MakeLocalFileSystem(),
                           std::make_unique<HostileListing>(std::vector<std::string>{"s3://lake/raw/k/x.json"}));
  CompactOptions o;
  o.src = "s3://lake/raw";
  o.dest = dest_ + "/d";
  o.group_by = ".*/raw/(k)/.*";
  EXPECT_NO_THROW(RunCompact(router, o));
  EXPECT_EQ(DestFiles(), (std::vector<std::string>{"d/k/k"}));
}

TEST(ObjectKeys, UnsafePathReasons) {
  EXPECT_EQ(UnsafePathReason("raw/log_data/2018/11/a.json"), "");
  EXPECT_EQ(UnsafePathReason("a..b/c.d/...json"), "");
  EXPECT_EQ(UnsafePathReason("raw/x/../../etc/cron.d/job"), "it has a '..' segment");
  EXPECT_EQ(UnsafePathReason("./a"), "it has a '.' segment");
  EXPECT_EQ(UnsafePathReason("a//b"), "it has an empty segment ('//' or a trailing '/')");
  EXPECT_EQ(UnsafePathReason("a/"), "it has an empty segment ('//' or a trailing '/')");
  EXPECT_EQ(UnsafePathReason("/etc/passwd"), "it starts with '/'");
  EXPECT_EQ(UnsafePathReason("a\\b"), "it holds a backslash");
  EXPECT_EQ(UnsafePathReason(std::string_view("a\0b", 3)), "it holds a NUL byte");
  EXPECT_EQ(UnsafePathReason(""), "it is empty");
}

// Every figure of the report and every manifest entry equals a count made here on disk.
TEST_F(CompactTest, ReportAndManifestFiguresEqualWhatIsOnDisk) {
  std::mt19937_64 rng(11);
  std::map<std::string, uint64_t> matching;  // src path -> size
  std::set<std::string> unmatched;
  for (int i = 0; i < 120; ++i) {
    int kind = static_cast<int>(rng() % 10);
    std::string dir = std::string(1, static_cast<char>('a' + rng() % 3)) + "/" + std::to_string(rng() % 4);
    std::string data(rng() % 300, 'x');
    if (kind == 0) {
      Put(dir + "/.hidden/f" + std::to_string(i) + ".json", data);  // skipped: not an input at all
    } else if (kind == 1) {
      Put(dir + "/f" + std::to_string(i) + ".txt", data);
      unmatched.insert(src_ + "/" + dir + "/f" + std::to_string(i) + ".txt");
    } else {
      Put(dir + "/f" + std::to_string(i) + ".json", data);
      matching[src_ + "/" + dir + "/f" + std::to_string(i) + ".json"] = data.size();
    }
  }
  CompactOptions o;
  o.group_by = ".*/src/([a-z])/([0-9])/.*\\.json";
  o.target_size_mib = 0.002;
  o.output_manifest = "m.gz";
  o.delete_on_success = true;
  auto r = Run(o);
  uint64_t in_bytes = 0;
  for (const auto& [path, size] : matching) in_bytes += size;
  EXPECT_EQ(r.inputs, matching.size());
  EXPECT_EQ(r.input_bytes, in_bytes);
  std::vector<std::string> outs = DestFiles();
  std::erase(outs, "m.gz");
  uint64_t out_bytes = 0;
  std::set<std::string> out_paths;
  for (const auto& f : outs) {
    out_bytes += fsys::file_size(dest_ + "/" + f);
    out_paths.insert(dest_ + "/" + f);
  }
  EXPECT_EQ(r.outputs, outs.size());
  EXPECT_EQ(r.output_bytes, out_bytes);
  EXPECT_EQ(std::set<std::string>(r.output_paths.begin(), r.output_paths.end()), out_paths);
  EXPECT_EQ(r.unmatched, unmatched.size());
  EXPECT_EQ(r.unmatched_examples.size(), std::min<size_t>(5, unmatched.size()));
  for (const auto& e : r.unmatched_examples) EXPECT_TRUE(unmatched.count(e)) << e;
  EXPECT_EQ(r.deleted, matching.size());
  for (const auto& [path, size] : matching) EXPECT_FALSE(fsys::exists(path)) << path;
  for (const auto& path : unmatched) EXPECT_TRUE(fsys::exists(path)) << path;
  auto entries = ParseManifest(DecompressGzip(Read(dest_ + "/m.gz"), "m.gz"), "m.gz");
  ASSERT_EQ(entries.size(), matching.size());
  std::string text = DecompressGzip(Read(dest_ + "/m.gz"), "m.gz");
  for (const auto& e : entries) {
    ASSERT_TRUE(matching.count(e.path)) << e.path;
    EXPECT_EQ(static_cast<uint64_t>(e.size), matching[e.path]) << e.path;
  }
  for (const auto& out : out_paths) EXPECT_NE(text.find("\"output\":\"" + out + "\""), std::string::npos) << out;
}

}  // namespace
}  // namespace lakeforge

namespace lakeforge {

// An empty input right after one without a final newline starts on that input's last line: a
// reject on that line is the non-empty input's, as `etl` on the raw files reports it.
TEST(MergedSourcesTest, RejectOnALineSharedWithABlankInputBelongsToTheRecordsFile) {
  LineMap map;
  map["/m/D.json"] = {{.first_line = 1, .path = "/raw/D/A/a.json", .blank = false, .bytes = 10},
                      {.first_line = 2, .path = "/raw/D/B/b.json", .blank = false, .bytes = 149},
                      {.first_line = 2, .path = "/raw/D/C/c.json", .blank = true, .bytes = 0},
                      {.first_line = 3, .path = "/raw/D/E/e.json", .blank = false, .bytes = 10}};
  std::vector<std::string> sources = {"/m/D.json"};
  std::vector<Reject> rejects = {
      {.file = 0, .line = 2, .reason = RejectReason::kMalformedJson, .error = "x", .record = ""},
      {.file = 0, .line = 3, .reason = RejectReason::kWrongType, .error = "y", .record = ""}};
  TranslateMergedRejects(map, &sources, &rejects);
  ASSERT_EQ(rejects.size(), 3u);
  EXPECT_EQ(sources[rejects[0].file], "/raw/D/B/b.json");
  EXPECT_EQ(rejects[0].line, 1u);
  EXPECT_EQ(rejects[0].reason, RejectReason::kMalformedJson);
  EXPECT_EQ(sources[rejects[1].file], "/raw/D/C/c.json");
  EXPECT_EQ(rejects[1].reason, RejectReason::kEmptyFile);
  EXPECT_EQ(sources[rejects[2].file], "/raw/D/E/e.json");
  EXPECT_EQ(rejects[2].line, 1u);
}

}  // namespace lakeforge
