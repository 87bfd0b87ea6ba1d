// Column storage; see column.h.
#include "table/column.h"

#include <algorithm>

#include "base/error.h"

namespace lakeforge {

const char* DataTypeName(DataType type) {
  switch (type) {
    case DataType::kBool: return "BOOLEAN";
    case DataType::kInt32: return "INT32";
    case DataType::kInt64: return "INT64";
    case DataType::kDouble: return "DOUBLE";
    case DataType::kString: return "STRING";
    case DataType::kTimestampMillis: return "TIMESTAMP_MILLIS";
  }
  return "?";
}

int64_t* Column::BeginInt64(size_t n) {
  if (type_ != DataType::kInt64 && type_ != DataType::kTimestampMillis)
    throw Error::Internal(std::string("BeginInt64 on a ") + DataTypeName(type_) + " column");
  if (i64_.size() != size_) throw Error::Internal("BeginInt64 while another bulk fill is open");
  i64_.resize(size_ + n);
  return i64_.data() + size_;
}

uint32_t* Column::BeginCodes(size_t n) {
  if (!dictionary_) throw Error::Internal("BeginCodes on a column without a dictionary");
  if (codes_.size() != size_) throw Error::Internal("BeginCodes while another bulk fill is open");
  codes_.resize(size_ + n);
  return codes_.data() + size_;
}

void Column::ShrinkBulk(size_t n) {
  auto shrink = [&](auto& values) {
    if (n > values.size() - size_)
      throw Error::Internal("ShrinkBulk to " + std::to_string(n) + " rows of a bulk fill of " +
                            std::to_string(values.size() - size_));
    values.resize(size_ + n);
  };
  if (dictionary_)
    shrink(codes_);
  else if (type_ == DataType::kInt64 || type_ == DataType::kTimestampMillis)
    shrink(i64_);
  else
    throw Error::Internal(std::string("ShrinkBulk on a ") + DataTypeName(type_) + " column");
}

template <typename Values, typename IsNull, typename OnValue>
void Column::EndBulk(Values& values, size_t n, IsNull is_null, OnValue on_value) {
  if (values.size() != size_ + n) throw Error::Internal("End of a bulk fill of another size than its Begin");
  const size_t from = size_, to = size_ + n;
  if (!valid_.empty()) valid_.resize(to, 1);
  for (size_t i = from; i < to; ++i) {
    if (!is_null(values[i])) {
      on_value(values[i]);
      continue;
    }
    if (valid_.empty()) valid_.assign(to, 1);  // every row before this one was valid
    valid_[i] = 0;
    values[i] = typename Values::value_type{0};  // a null row's slot holds 0, as AppendNull leaves it
    ++null_count_;
  }
  size_ = to;
}

void Column::EndInt64(size_t n, std::optional<int64_t> null_value) {
  EndBulk(
      i64_, n, [&](int64_t v) { return null_value && v == *null_value; }, [](int64_t) {});
}

void Column::EndCodes(size_t n, std::optional<uint32_t> null_code) {
  // What AppendCode checks and counts per row, for each row that is not null.
  EndBulk(
      codes_, n, [&](uint32_t c) { return null_code && c == *null_code; },
      [&](uint32_t code) {
        if (code >= dictionary_->values.size()) ThrowNoSuchCode();
        coded_bytes_ += dictionary_->values[code].size();
      });
}

void Column::Reserve(size_t n, size_t string_bytes) {
  switch (type_) {
    case DataType::kBool: u8_.reserve(size_ + n); break;
    case DataType::kInt32:
      if (!run_length_) i32_.reserve(size_ + n);  // runs: their number is not known, and is small
      break;
    case DataType::kInt64:
    case DataType::kTimestampMillis: i64_.reserve(size_ + n); break;
    case DataType::kDouble: f64_.reserve(size_ + n); break;
    case DataType::kString:
      if (dictionary_) {
        codes_.reserve(size_ + n);
      } else {
        offsets_.reserve(size_ + n + 1);
        bytes_.reserve(bytes_.size() + string_bytes);
      }
      break;
  }
}

void Column::AppendNull() {
  if (run_length_) ThrowRunLength("AppendNull");
  if (valid_.empty()) valid_.assign(size_, 1);
  valid_.push_back(0);
  ++null_count_;
  switch (type_) {
    case DataType::kBool: u8_.push_back(0); break;
    case DataType::kInt32: i32_.push_back(0); break;
    case DataType::kInt64:
    case DataType::kTimestampMillis: i64_.push_back(0); break;
    case DataType::kDouble: f64_.push_back(0); break;
    case DataType::kString:
      if (dictionary_)
        codes_.push_back(0);
      else
        offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
      break;
  }
  ++size_;
}

void Column::AppendString(std::string_view v) {
  if (dictionary_) throw Error::Internal("AppendString on a dictionary-coded column");
  MarkValid();
  if (bytes_.size() + v.size() > UINT32_MAX)
    throw Error::Internal("string column exceeds 4 GiB in one row group buffer");
  bytes_.append(v.data(), v.size());
  offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
  ++size_;
}

void Column::ThrowNoSuchCode() { throw Error::Internal("AppendCode: no such dictionary code"); }

void Column::ThrowRunLength(const char* what) {
  throw Error::Internal(std::string(what) +
                        " on a run-length INT32 column: it takes runs (AppendInt32(v, times)) only");
}

void Column::AppendRun(int32_t v, size_t times) {
  if (times == 0) return;
  size_ += times;
  if (!runs_.empty() && runs_.back().value == v)
    runs_.back().end = size_;
  else
    runs_.push_back({.value = v, .end = size_});
}

int32_t Column::Int32At(size_t i) const {
  if (type_ != DataType::kInt32 || i >= size_)
    throw Error::Internal("Int32At: row " + std::to_string(i) + " of a " + DataTypeName(type_) + " column of " +
                          std::to_string(size_) + " rows");
  if (!run_length_) return i32_[i];
  return RunOf(i)->value;
}

std::vector<Column::Int32Run>::const_iterator Column::RunOf(size_t row) const {
  return std::upper_bound(runs_.begin(), runs_.end(), row, [](size_t r, const Int32Run& run) { return r < run.end; });
}

void Column::AppendRange(const Column& other, size_t begin, size_t end) {
  if (other.type_ != type_) throw Error::Internal("AppendRange: column types differ");
  if (dictionary_ && other.dictionary_ != dictionary_)
    throw Error::Internal("AppendRange: a coded column takes rows of the same dictionary only");
  if (other.run_length_) {  // run by run (a run-length column has no nulls)
    if (end > other.size_) throw Error::Internal("AppendRange: rows past the end of a run-length column");
    auto it = other.RunOf(begin);
    for (size_t at = begin; at < end; ++it) {
      size_t take = std::min(end, it->end) - at;
      AppendInt32(it->value, take);
      at += take;
    }
    return;
  }
  for (size_t i = begin; i < end; ++i) {
    if (!other.IsValid(i)) {
      AppendNull();
      continue;
    }
    switch (type_) {
      case DataType::kBool: AppendBool(other.u8_[i] != 0); break;
      case DataType::kInt32:
        if (run_length_)
          AppendInt32(other.i32_[i], 1);
        else
          AppendInt32(other.i32_[i]);
        break;
      case DataType::kInt64:
      case DataType::kTimestampMillis: AppendInt64(other.i64_[i]); break;
      case DataType::kDouble: AppendDouble(other.f64_[i]); break;
      case DataType::kString:
        if (dictionary_)
          AppendCode(other.codes_[i]);
        else
          AppendString(other.StringAt(i));
        break;
    }
  }
}

size_t Column::ByteSize() const {
  switch (type_) {
    case DataType::kBool: return (size_ + 7) / 8;
    case DataType::kInt32: return size_ * 4;
    case DataType::kInt64:
    case DataType::kTimestampMillis:
    case DataType::kDouble: return size_ * 8;
    case DataType::kString: return (dictionary_ ? coded_bytes_ : bytes_.size()) + 4 * size_;
  }
  return 0;
}

void Column::Clear() {
  size_ = 0;
  null_count_ = 0;
  valid_.clear();
  u8_.clear();
  i32_.clear();
  runs_.clear();
  i64_.clear();
  f64_.clear();
  bytes_.clear();
  if (type_ == DataType::kString && !dictionary_) offsets_.assign(1, 0);
  codes_.clear();
  coded_bytes_ = 0;
}

RecordBatch::RecordBatch(Schema s) : schema(std::move(s)) {
  columns.reserve(schema.size());
  for (const auto& f : schema) columns.emplace_back(f.type);
}

}  // namespace lakeforge
