// Property-test driver: writes random Parquet files with lakeforge's writer, each beside an
// .expected.jsonl of the values it holds, for tests/js/parquet_check.mjs to read back with DuckDB
// and hyparquet. Random schemas (every type, REQUIRED and OPTIONAL), nulls, empty and very long
// strings, unicode, dictionary-coded string columns, repeated values, extreme numbers, NaN and +/-0.0, every codec,
// small page and dictionary limits so that multi-page chunks, dictionary fallback and all-null chunks occur.
//
// Usage: parquet_roundtrip_writer <dir> <seed> <files>
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "formats/json/json_string.h"
#include "formats/parquet/file_writer.h"
#include "io/file_system.h"

using namespace lakeforge;

namespace {

std::string Hex64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, bits);
  return buf;
}

std::string RandomString(std::mt19937_64& rng) {
  static const char* kPieces[] = {"a", "b", "zz", "é", "日本", "🎵", " ", "\"", "\\", "\t", "x"};
  switch (rng() % 8) {
    case 0: return "";
    case 1: return std::string(1000 + rng() % 6000, static_cast<char>('a' + rng() % 26));  // very long
    case 2: return "same";
    default: {
      std::string s;
      size_t n = rng() % 12;
      for (size_t i = 0; i < n; ++i) s += kPieces[rng() % 11];
      return s;
    }
  }
}

double RandomDouble(std::mt19937_64& rng) {
  switch (rng() % 10) {
    case 0: return std::numeric_limits<double>::quiet_NaN();
    case 1: return -0.0;
    case 2: return 0.0;
    case 3: return std::numeric_limits<double>::max();
    case 4: return -std::numeric_limits<double>::denorm_min();
    case 5: return std::numeric_limits<double>::infinity();
    default: return static_cast<double>(static_cast<int64_t>(rng() % 2000) - 1000) / 8.0;
  }
}

int64_t RandomInt(std::mt19937_64& rng, bool wide) {
  switch (rng() % 6) {
    case 0: return wide ? INT64_MIN + 1 : INT32_MIN;
    case 1: return wide ? INT64_MAX : INT32_MAX;
    case 2: return 0;
    default: return static_cast<int64_t>(rng() % 50) - 25;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <seed> <files>\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));
  int files = std::atoi(argv[3]);
  auto fs = MakeLocalFileSystem();
  const DataType kTypes[] = {DataType::kBool,   DataType::kInt32,  DataType::kInt64,
                             DataType::kDouble, DataType::kString, DataType::kTimestampMillis};
  const Codec kCodecs[] = {Codec::kSnappy, Codec::kZstd, Codec::kGzip, Codec::kUncompressed};
  for (int f = 0; f < files; ++f) {
    Schema schema;
    size_t ncols = 1 + rng() % 7;
    for (size_t c = 0; c < ncols; ++c) schema.push_back({"c" + std::to_string(c), kTypes[rng() % 6], rng() % 3 != 0});
    parquet::WriterOptions opt;
    opt.codec = kCodecs[f % 4];
    opt.page_bytes = (rng() % 2) ? 64 + rng() % 512 : size_t{1} << 20;
    opt.dictionary_limit_bytes = (rng() % 2) ? 16 + rng() % 256 : size_t{1} << 20;
    opt.row_group_rows = 1 + rng() % 400;
    opt.enable_dictionary = rng() % 5 != 0;
    opt.dictionary_probe_values = (rng() % 2) ? 0 : 1 + rng() % 600;
    opt.delta_integers = rng() % 4 != 0;  // integer chunks without a dictionary: DELTA_BINARY_PACKED or PLAIN
    size_t rows = (f == 0) ? 0 : rng() % 1200;
    double null_rate = (rng() % 4 == 0) ? 1.0 : 0.2;  // some columns entirely null
    std::string name = JoinPath(dir, "f" + std::to_string(f));
    auto out = fs->OpenOutputStream(name + ".parquet");
    auto expected = fs->OpenOutputStream(name + ".expected.jsonl");
    std::string header =
        "{\"codec\":\"" + std::string(CodecName(opt.codec)) + "\",\"rows\":" + std::to_string(rows) + ",\"columns\":[";
    for (size_t c = 0; c < ncols; ++c)
      header += std::string(c ? "," : "") + "{\"name\":\"" + schema[c].name + "\",\"type\":\"" +
                DataTypeName(schema[c].type) + "\",\"nullable\":" + (schema[c].nullable ? "true" : "false") + "}";
    expected->Write(header + "]}\n");
    parquet::ParquetFileWriter writer(out.get(), schema, opt, name);
    // Half the string columns are dictionary-coded: a file-wide dictionary of distinct strings.
    std::vector<std::vector<std::string>> dict_strings(ncols);
    std::vector<std::shared_ptr<StringDictionary>> dicts(ncols);
    for (size_t c = 0; c < ncols; ++c) {
      if (schema[c].type != DataType::kString || rng() % 2) continue;
      size_t want = 1 + rng() % 60;
      for (size_t i = 0; i < want * 2 && dict_strings[c].size() < want; ++i) {
        std::string v = RandomString(rng);
        if (std::find(dict_strings[c].begin(), dict_strings[c].end(), v) == dict_strings[c].end())
          dict_strings[c].push_back(v);
      }
      // Half of them sorted, which lets the writer take min/max from the codes.
      if (rng() % 2) std::sort(dict_strings[c].begin(), dict_strings[c].end());
      dicts[c] = std::make_shared<StringDictionary>();
      dicts[c]->values.assign(dict_strings[c].begin(), dict_strings[c].end());
      dicts[c]->sorted = std::is_sorted(dict_strings[c].begin(), dict_strings[c].end());
    }
    std::vector<int64_t> climb(ncols, 0);  // per column: where an ascending run has got to
    // Several batches of random size, to exercise batch appends across row-group boundaries.
    size_t done = 0;
    while (done < rows) {
      size_t n = std::min(rows - done, 1 + static_cast<size_t>(rng() % 500));
      RecordBatch batch(schema);
      for (size_t c = 0; c < ncols; ++c)
        if (dicts[c]) batch.columns[c] = Column(dicts[c]);
      std::vector<std::string> lines(n, "[");
      for (size_t c = 0; c < ncols; ++c) {
        Column& col = batch.columns[c];
        bool repeat = rng() % 3 == 0;
        // Integers that climb in random steps, as timestamps and row ids do: deltas of a few bits.
        bool ascending = !repeat && rng() % 3 == 0;
        int64_t step_max = 1 + static_cast<int64_t>(rng() % 3000);
        for (size_t r = 0; r < n; ++r) {
          std::string& js = lines[r];
          if (c) js += ",";
          std::uniform_real_distribution<double> u(0, 1);
          if (schema[c].nullable && u(rng) < null_rate) {
            col.AppendNull();
            js += "null";
            continue;
          }
          switch (schema[c].type) {
            case DataType::kBool: {
              bool v = repeat ? true : rng() % 2;
              col.AppendBool(v);
              js += v ? "true" : "false";
              break;
            }
            case DataType::kInt32: {
              auto v = static_cast<int32_t>(
                  repeat      ? 7
                  : ascending ? (climb[c] += static_cast<int64_t>(rng() % static_cast<uint64_t>(step_max))) % INT32_MAX
                              : RandomInt(rng, false));
              col.AppendInt32(v);
              js += "\"" + std::to_string(v) + "\"";
              break;
            }
            case DataType::kInt64:
            case DataType::kTimestampMillis: {
              int64_t v = repeat      ? 1543537327796
                          : ascending ? (climb[c] += static_cast<int64_t>(rng() % static_cast<uint64_t>(step_max)))
                                      : RandomInt(rng, schema[c].type == DataType::kInt64);
              if (schema[c].type == DataType::kTimestampMillis) v = 1543537327796 + v * 1000;  // keep dates sane
              col.AppendInt64(v);
              js += "\"" + std::to_string(v) + "\"";
              break;
            }
            case DataType::kDouble: {
              double v = repeat ? 1.5 : RandomDouble(rng);
              col.AppendDouble(v);
              js += std::isnan(v) ? "\"NaN\"" : "\"" + Hex64(v) + "\"";
              break;
            }
            case DataType::kString: {
              if (dicts[c]) {
                auto code = static_cast<uint32_t>(repeat ? 0 : rng() % dicts[c]->values.size());
                col.AppendCode(code);
                AppendJsonString(std::string(dicts[c]->values[code]), &js);
                break;
              }
              std::string v = repeat ? "repeated" : RandomString(rng);
              col.AppendString(v);
              AppendJsonString(v, &js);
              break;
            }
          }
        }
      }
      for (auto& l : lines) expected->Write(l + "]\n");
      writer.Write(batch);
      done += n;
    }
    writer.Close();
    out->Close();
    expected->Close();
  }
  return 0;
}
