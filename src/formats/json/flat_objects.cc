#include "formats/json/flat_objects.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "formats/json/documents.h"

namespace lakeforge::json {
namespace {

using simdjson::dom::element_type;

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// One past the last non-space character before `pos`, not going below `floor`.
inline size_t BackOverSpace(const char* buf, size_t pos, size_t floor) {
  while (pos > floor && IsSpace(buf[pos - 1])) --pos;
  return pos;
}

}  // namespace

FlatObjectLines::FlatObjectLines() = default;
FlatObjectLines::~FlatObjectLines() = default;

bool FlatObjectLines::Index(std::string_view piece) {
  piece_ = piece;
  indexed_ = false;
  cursor_ = 0;
  escape_cursor_ = 0;
  if (piece.empty() || piece.size() > kMaxPieceBytes) return false;
  if (piece.size() > capacity_) {
    // Sized for this piece (small files stay small), at least doubling when it grows.
    size_t capacity = std::max({piece.size(), 2 * capacity_, size_t{64} << 10});
    if (!stage1_) {
      if (simdjson::get_active_implementation()->create_dom_parser_implementation(capacity, 2, stage1_)) return false;
    } else if (stage1_->set_capacity(capacity)) {
      return false;
    }
    capacity_ = capacity;
  }
  if (stage1_->stage1(reinterpret_cast<const uint8_t*>(piece.data()), piece.size(), simdjson::stage1_mode::regular))
    return false;
  escapes_.clear();
  for (const char* p = piece.data(); (p = static_cast<const char*>(std::memchr(p, '\\', piece.end() - p)));)
    escapes_.push_back(static_cast<uint32_t>(p++ - piece.data()));
  escapes_.push_back(UINT32_MAX);
  indexed_ = true;
  return true;
}

bool FlatObjectLines::Read(std::string_view line) {
  if (!indexed_) return false;
  const char* buf = piece_.data();
  const uint32_t* idx = stage1_->structural_indexes.get();
  const uint32_t n = stage1_->n_structural_indexes;
  size_t begin = line.data() - buf, end = begin + line.size();
  while (begin < end && IsSpace(buf[begin])) ++begin;
  end = BackOverSpace(buf, end, begin);
  uint32_t s = cursor_;
  if (s > 0 && s <= n && idx[s - 1] >= begin) {  // read out of order: search from the start
    s = static_cast<uint32_t>(std::lower_bound(idx, idx + n, begin) - idx);
    escape_cursor_ = std::lower_bound(escapes_.begin(), escapes_.end(), begin) - escapes_.begin();
  }
  while (s < n && idx[s] < begin) ++s;
  cursor_ = s;
  if (s >= n || idx[s] != begin || buf[begin] != '{' || end - begin < 2) return false;
  members_.clear();
  // Unescaped strings take at most their source's bytes; simdjson's unescaper may write a block
  // past the end of each.
  if (unescaped_.size() < line.size() + 2 * simdjson::SIMDJSON_PADDING)
    unescaped_.resize(line.size() + 2 * simdjson::SIMDJSON_PADDING);
  unescaped_used_ = 0;
  ++s;
  size_t close;
  if (s < n && buf[idx[s]] == '}') {
    close = idx[s++];
  } else {
    for (;;) {
      // A member is four structurals: the key's quote, ':', the value, then ',' or '}'.
      if (s + 3 >= n) return false;
      const size_t key = idx[s], colon = idx[s + 1], value = idx[s + 2], next = idx[s + 3];
      if (buf[key] != '"' || buf[colon] != ':') return false;
      size_t key_end = BackOverSpace(buf, colon, key);
      if (key_end < key + 2 || buf[key_end - 1] != '"') return false;
      ScalarMember& m = members_.emplace_back();
      if (!String(key, key_end - 1, &m.key)) return false;
      if (!Value(value, BackOverSpace(buf, next, value), &m.value)) return false;
      s += 4;
      if (buf[next] == ',') continue;
      if (buf[next] != '}') return false;
      close = next;
      break;
    }
  }
  if (close + 1 != end) return false;
  cursor_ = s;
  return true;
}

inline bool FlatObjectLines::Value(size_t v, size_t end, Scalar* out) {
  const char* buf = piece_.data();
  char c = buf[v];
  if (c == '"') {
    if (end < v + 2 || buf[end - 1] != '"') return false;
    out->type = element_type::STRING;
    return String(v, end - 1, &out->text);
  }
  out->text = std::string_view(buf + v, end - v);
  if (c == '-' || IsDigit(c)) return Number(v, end, out);
  if (out->text == "null") {
    out->type = element_type::NULL_VALUE;
  } else if (out->text == "true" || out->text == "false") {
    out->type = element_type::BOOL;
    out->b = c == 't';
  } else {
    return false;  // an object, an array or not JSON
  }
  return true;
}

inline bool FlatObjectLines::String(size_t open, size_t close, std::string_view* out) {
  const char* buf = piece_.data();
  while (escapes_[escape_cursor_] <= open) ++escape_cursor_;
  if (escapes_[escape_cursor_] > close) {
    *out = std::string_view(buf + open + 1, close - open - 1);
    return true;
  }
  // Escaped: simdjson's unescaper (the one its stage 2 uses) decides what the string is, from the
  // character after the opening quote to the first unescaped quote, which stage 1 placed at `close`.
  uint8_t* dst = unescaped_.data() + unescaped_used_;
  uint8_t* dst_end = stage1_->parse_string(reinterpret_cast<const uint8_t*>(buf + open + 1), dst);
  if (dst_end == nullptr) return false;
  *out = std::string_view(reinterpret_cast<const char*>(dst), dst_end - dst);
  unescaped_used_ += dst_end - dst;
  while (escapes_[escape_cursor_] < close) ++escape_cursor_;
  return true;
}

// JSON numbers as simdjson types them, for the forms whose type and value are beyond doubt: an
// integer of at most 18 digits (INT64; "-0" aside, which simdjson reads as the integer 0) and a
// decimal without exponent of at most 19 digits in all (DOUBLE). Validated here, converted when
// asked for (DecodeInteger, DecodeDecimal): a record's unused numbers are never converted.
inline bool FlatObjectLines::Number(size_t begin, size_t end, Scalar* out) const {
  const char* p = piece_.data() + begin;
  const char* const last = piece_.data() + end;
  bool negative = *p == '-';
  p += negative;
  const char* digits = p;
  while (p < last && IsDigit(*p)) ++p;
  const size_t integer_digits = p - digits;
  if (integer_digits == 0 || integer_digits > 18 || (*digits == '0' && integer_digits > 1)) return false;
  out->decoded = false;
  if (p == last) {
    out->type = element_type::INT64;
    return !(negative && *digits == '0');
  }
  if (*p != '.') return false;
  const char* fraction = ++p;
  while (p < last && IsDigit(*p)) ++p;
  const size_t fraction_digits = p - fraction;
  out->type = element_type::DOUBLE;
  return fraction_digits > 0 && p == last && integer_digits + fraction_digits <= 19;
}

namespace {

constexpr uint64_t kEightZeros = 0x3030303030303030;
constexpr uint64_t kIntPowersOfTen[] = {1,
                                        10,
                                        100,
                                        1000,
                                        10000,
                                        100000,
                                        1000000,
                                        10000000,
                                        100000000,
                                        1000000000,
                                        10000000000,
                                        100000000000,
                                        1000000000000,
                                        10000000000000,
                                        100000000000000,
                                        1000000000000000,
                                        10000000000000000,
                                        100000000000000000,
                                        1000000000000000000,
                                        10000000000000000000u};
// Exact powers of ten as doubles (10^22 is the largest).
constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The value of 8 ASCII digits, the first in the lowest byte: pairs, then quads, then the whole,
// each step one multiply-add on all lanes.
inline uint64_t EightDigits(uint64_t v) {
  v -= kEightZeros;
  v = v * 10 + (v >> 8);
  return (((v & 0x000000FF000000FF) * (100 + (uint64_t{1000000} << 32))) +
          (((v >> 16) & 0x000000FF000000FF) * (1 + (uint64_t{10000} << 32)))) >>
         32;
}

// The value of the n digits at p (n <= 19), reading up to 7 bytes past them.
inline uint64_t Digits(const char* p, size_t n) {
  uint64_t x = 0, v;
  for (; n >= 8; n -= 8, p += 8) {
    std::memcpy(&v, p, 8);
    x = x * kIntPowersOfTen[8] + EightDigits(v);
  }
  if (n > 0) {
    std::memcpy(&v, p, 8);
    // The n digits moved to the top, zeros before them.
    v = (v << (8 * (8 - n))) | (kEightZeros >> (8 * n));
    x = x * kIntPowersOfTen[n] + EightDigits(v);
  }
  return x;
}

}  // namespace

int64_t DecodeInteger(std::string_view text) {
  bool negative = text.front() == '-';
  auto x = static_cast<int64_t>(Digits(text.data() + negative, text.size() - negative));
  return negative ? -x : x;
}

// Digits that fit 2^53 over a power of ten up to 10^22 are one correctly rounded IEEE division
// (Clinger's fast path, which simdjson takes too); any other decimal goes through from_chars,
// also correctly rounded: both give simdjson's double, bit for bit.
double DecodeDecimal(std::string_view text) {
  bool negative = text.front() == '-';
  size_t dot = text.find('.');
  size_t integer_digits = dot - negative, fraction_digits = text.size() - dot - 1;
  // At most 19 digits in all: no overflow.
  uint64_t x = Digits(text.data() + negative, integer_digits) * kIntPowersOfTen[fraction_digits] +
               Digits(text.data() + dot + 1, fraction_digits);
  if (x <= (uint64_t{1} << 53) && fraction_digits <= 22) {
    double d = static_cast<double>(x) / kPowersOfTen[fraction_digits];
    return negative ? -d : d;
  }
  double d = 0;
  std::from_chars(text.data(), text.data() + text.size(), d);
  return d;
}

}  // namespace lakeforge::json
