// A validating reader for lines of newline-delimited JSON whose every line is a flat object (each
// member a string, number, boolean or null): the shape of event logs, 18 members a line.
//
// simdjson's DOM parser validates a line in two stages: stage 1 finds the structural characters
// and checks the UTF-8, stage 2 walks them, checks the grammar and writes every value into a tape
// (every string copied, every number converted) that the caller then walks again to find the dozen
// members it wants. This reader runs stage 1 once over a piece of lines and replaces stage 2 and
// the caller's walk with one pass over the structural characters: the same grammar checks, numbers
// converted where they are read, strings left where they are in the piece unless they hold an
// escape (those go through simdjson's own unescaper). No check is skipped: a line it cannot vouch
// for, valid or not, is handed back to the caller to parse whole, and a line it accepts is one that
// simdjson's DOM accepts with the same members, in order, with the same types and values, bit for
// bit (fuzz/fuzz_records.cc holds it to that).
//
// It accepts only what it decodes without doubt: a line with a nested value, an exponent, an
// integer of 19 or more digits, a "-0" or a string escape simdjson rejects goes back to the caller.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace lakeforge::json {

// The value of `text`, a JSON integer of at most 18 digits followed by at least 8 readable bytes.
int64_t DecodeInteger(std::string_view text);
// The value of `text`, a JSON decimal without exponent of at most 19 digits followed by at least
// 8 readable bytes, correctly rounded.
double DecodeDecimal(std::string_view text);

// A member's value as simdjson's DOM types it.
struct Scalar {
  simdjson::dom::element_type type = simdjson::dom::element_type::NULL_VALUE;
  // STRING: the value, unescaped. Any other type: the value's source text where the reader kept it
  // (FlatObjectLines always does), else empty.
  std::string_view text;
  // false: an INT64 or DOUBLE whose value is still only its text (FlatObjectLines validates every
  // number but converts only those asked for). Read numbers with Int() and Double().
  bool decoded = true;
  union {
    int64_t i;
    uint64_t u;
    double d;
    bool b;
  };

  int64_t Int() const { return decoded ? i : DecodeInteger(text); }
  double Double() const { return decoded ? d : DecodeDecimal(text); }
};

struct ScalarMember {
  std::string_view key;  // unescaped
  Scalar value;
};

class FlatObjectLines {
 public:
  // Pieces larger than this are not indexed (their lines go to the caller whole).
  static constexpr size_t kMaxPieceBytes = size_t{4} << 20;

  FlatObjectLines();
  ~FlatObjectLines();
  FlatObjectLines(const FlatObjectLines&) = delete;
  FlatObjectLines& operator=(const FlatObjectLines&) = delete;

  // Runs stage 1 over `piece`, which must be followed by SIMDJSON_PADDING readable bytes. false
  // when the piece is too large or stage 1 rejects it (invalid UTF-8, a control character in a
  // string, an unclosed string anywhere): then Read accepts none of its lines.
  bool Index(std::string_view piece);

  // Whether `line` (a view into the indexed piece, without its newline; lines read in the order
  // they stand in the piece) is exactly one flat JSON object this reader decodes: then members()
  // holds its members until the next Read or Index. false says nothing about the line's validity.
  bool Read(std::string_view line);
  std::span<const ScalarMember> members() const { return members_; }

 private:
  // The value from structural `v` to `end` (one past its last character).
  bool Value(size_t v, size_t end, Scalar* out);
  // The string between `open` (its opening quote) and `close` (its closing quote), unescaped.
  bool String(size_t open, size_t close, std::string_view* out);
  bool Number(size_t begin, size_t end, Scalar* out) const;

  std::unique_ptr<simdjson::internal::dom_parser_implementation> stage1_;
  size_t capacity_ = 0;
  std::string_view piece_;
  bool indexed_ = false;
  uint32_t cursor_ = 0;             // the first structural of the next line to read
  std::vector<uint32_t> escapes_;   // offsets of the piece's backslashes, then UINT32_MAX
  size_t escape_cursor_ = 0;        // the first of escapes_ not before the string being read
  std::vector<uint8_t> unescaped_;  // the current line's unescaped strings (and SIMD slack)
  size_t unescaped_used_ = 0;
  std::vector<ScalarMember> members_;
};

}  // namespace lakeforge::json
