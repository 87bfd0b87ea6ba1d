// Columns and record batches: what flows between the ETL stages and into the Parquet writer.
//
// A Column is a typed, growable array with an optional validity vector. Null slots still occupy a
// value slot (0 or the empty string) so that row i is always at index i. Strings live in one byte
// buffer with n+1 offsets, as in Arrow, or, in a dictionary-coded string column, as 32-bit codes
// into a shared list of distinct strings (Arrow's dictionary arrays): a table whose strings repeat
// (a user's level, a song's id) appends a code per row instead of copying the bytes, and the
// Parquet writer builds its dictionary from the codes without hashing a string.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/memory.h"

namespace lakeforge {

enum class DataType { kBool, kInt32, kInt64, kDouble, kString, kTimestampMillis };

const char* DataTypeName(DataType type);

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;
};

using Schema = std::vector<Field>;

// A coded column's code c stands for values[c]. The bytes they point to must outlive every column
// that uses the dictionary.
struct StringDictionary {
  std::vector<std::string_view> values;  // distinct
  // values ascend in unsigned byte order, so code order is string order (min/max compare codes).
  bool sorted = false;
};

class Column {
 public:
  explicit Column(DataType type) : type_(type) {
    if (type == DataType::kString) offsets_.push_back(0);
  }
  // A dictionary-coded string column. Rows are added with AppendCode and AppendNull.
  explicit Column(std::shared_ptr<const StringDictionary> dictionary)
      : type_(DataType::kString), dictionary_(std::move(dictionary)) {}
  // An INT32 column kept as runs of equal values, never expanded (a sorted table's calendar
  // fields: a time partition's hour is one value for thousands of rows). Rows are added with
  // AppendInt32(v, times) only, and are never null; int32s() is empty, Int32At and int32_runs()
  // read them, and the Parquet writer encodes the runs as they are.
  static Column Int32Runs() {
    Column c(DataType::kInt32);
    c.run_length_ = true;
    return c;
  }

  DataType type() const { return type_; }
  size_t size() const { return size_; }
  bool has_nulls() const { return null_count_ > 0; }
  size_t null_count() const { return null_count_; }
  bool IsValid(size_t i) const { return valid_.empty() || valid_[i] != 0; }

  // Room for n more rows (and, for strings, `string_bytes` more bytes) without reallocating.
  void Reserve(size_t n, size_t string_bytes = 0);
  void AppendNull();
  // Inline: tables are built a value at a time, tens of millions of them per run.
  void AppendBool(bool v) {
    MarkValid();
    u8_.push_back(v ? 1 : 0);
    ++size_;
  }
  void AppendInt32(int32_t v) {
    if (run_length_) [[unlikely]]
      ThrowRunLength("AppendInt32 of one value");
    MarkValid();
    i32_.push_back(v);
    ++size_;
  }
  void AppendInt32(int32_t v, size_t times) {  // v, `times` times over (a sorted table's runs)
    if (run_length_) {
      AppendRun(v, times);
      return;
    }
    if (!valid_.empty()) valid_.insert(valid_.end(), times, 1);
    i32_.insert(i32_.end(), times, v);
    size_ += times;
  }
  void AppendInt64(int64_t v) {  // also timestamps (ms since epoch)
    MarkValid();
    i64_.push_back(v);
    ++size_;
  }
  void AppendDouble(double v) {
    MarkValid();
    f64_.push_back(v);
    ++size_;
  }
  void AppendString(std::string_view v);  // not on a coded column
  void AppendCode(uint32_t code) {        // only on a coded column
    if (!dictionary_ || code >= dictionary_->values.size()) [[unlikely]]
      ThrowNoSuchCode();
    MarkValid();
    codes_.push_back(code);
    coded_bytes_ += dictionary_->values[code].size();
    ++size_;
  }
  // Bulk filling, for a table whose rows arrive one at a time (from a merge) and whose count is
  // known: Begin* makes the slots of rows [size(), size() + n) and returns where they start; the
  // caller writes all n; End* with the same n then does what n Append calls would have done: a
  // slot holding null_value (if given) becomes a null row, codes are checked against the
  // dictionary. Nothing else may be appended to the column in between. The per-row bookkeeping
  // of nine growable columns was most of what building a songplays batch cost.
  int64_t* BeginInt64(size_t n);  // an INT64 or timestamp column
  void EndInt64(size_t n, std::optional<int64_t> null_value);
  uint32_t* BeginCodes(size_t n);  // a coded column
  void EndCodes(size_t n, std::optional<uint32_t> null_code);
  // For a fill whose count is only bounded in advance (distinct values of a merge): the caller
  // wrote the first n of the slots Begin* made, the rest are dropped, and End* then takes n.
  void ShrinkBulk(size_t n);
  // Appends rows [begin, end) of another column of the same type.
  void AppendRange(const Column& other, size_t begin, size_t end);

  const std::vector<uint8_t>& bools() const { return u8_; }
  const std::vector<int32_t>& int32s() const { return i32_; }  // empty for an Int32Runs column
  // Row i of an INT32 column of either kind (a search over the runs of an Int32Runs column).
  int32_t Int32At(size_t i) const;
  // An Int32Runs column's runs: runs[k] covers rows [k ? runs[k - 1].end : 0, runs[k].end), and
  // neighbouring runs differ in value.
  struct Int32Run {
    int32_t value;
    size_t end;
  };
  bool run_length() const { return run_length_; }
  const std::vector<Int32Run>& int32_runs() const { return runs_; }
  const UninitVector<int64_t>& int64s() const { return i64_; }
  const std::vector<double>& doubles() const { return f64_; }
  std::string_view StringAt(size_t i) const {
    if (dictionary_) return dictionary_->values[codes_[i]];  // (not for a null row: its code is a placeholder)
    return std::string_view(bytes_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  bool dictionary_coded() const { return dictionary_ != nullptr; }
  const StringDictionary& dictionary() const { return *dictionary_; }
  const UninitVector<uint32_t>& codes() const { return codes_; }
  // Uncompressed PLAIN size estimate of the values, for row-group and page sizing.
  size_t ByteSize() const;
  void Clear();

 private:
  void MarkValid() {
    if (!valid_.empty()) valid_.push_back(1);
  }
  [[noreturn]] static void ThrowNoSuchCode();
  [[noreturn]] static void ThrowRunLength(const char* what);
  void AppendRun(int32_t v, size_t times);
  // End*'s common part, one pass over rows [size_, size_ + n) of `values`: is_null(value) says
  // which are null, on_value(value) is called for each of the others.
  template <typename Values, typename IsNull, typename OnValue>
  void EndBulk(Values& values, size_t n, IsNull is_null, OnValue on_value);
  // The run of an Int32Runs column that holds `row` (end() past the last row).
  std::vector<Int32Run>::const_iterator RunOf(size_t row) const;

  DataType type_;
  size_t size_ = 0;
  size_t null_count_ = 0;
  std::vector<uint8_t> valid_;  // empty while every row is valid
  std::vector<uint8_t> u8_;
  std::vector<int32_t> i32_;
  // Bulk fills (Begin*) grow these by the rows the caller then writes: not cleared first.
  UninitVector<int64_t> i64_;
  std::vector<double> f64_;
  std::string bytes_;
  std::vector<uint32_t> offsets_;  // {0} and one end offset per row, for a plain string column
  std::shared_ptr<const StringDictionary> dictionary_;
  UninitVector<uint32_t> codes_;
  size_t coded_bytes_ = 0;  // the coded rows' string bytes, for ByteSize
  bool run_length_ = false;  // an Int32Runs column: its rows are in runs_, not in i32_
  std::vector<Int32Run> runs_;
};

// Columns of equal length, one per schema field.
struct RecordBatch {
  Schema schema;
  std::vector<Column> columns;

  explicit RecordBatch(Schema s);
  size_t num_rows() const { return columns.empty() ? 0 : columns[0].size(); }
};

}  // namespace lakeforge
