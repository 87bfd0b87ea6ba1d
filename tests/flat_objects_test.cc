// FlatObjectLines against simdjson's DOM: a line the reader accepts must be one the DOM accepts, with
// the same members in order, the same types and the same values bit for bit; and the reader must
// accept the shapes real logs have (else every line would silently take the slow path).
#include "formats/json/flat_objects.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "formats/json/documents.h"

namespace lakeforge::json {
namespace {

using simdjson::dom::element_type;

// The reader's verdict on each line of `text`, checked against the DOM. Returns how many lines
// the reader accepted.
size_t CheckAgainstDom(const std::string& text) {
  std::string buf = text + std::string(simdjson::SIMDJSON_PADDING, '\0');
  std::string_view piece(buf.data(), text.size());
  FlatObjectLines reader;
  bool indexed = reader.Index(piece);
  simdjson::dom::parser dom;
  size_t accepted = 0;
  ForEachLine(piece, [&](Document d) {
    bool read = reader.Read(d.text);
    if (!indexed) {
      EXPECT_FALSE(read);
    }
    if (!read) return;
    ++accepted;
    simdjson::dom::element doc;
    auto err = dom.parse(std::string(d.text)).get(doc);
    ASSERT_FALSE(err) << "accepted a line simdjson rejects (" << simdjson::error_message(err) << "): " << d.text;
    ASSERT_EQ(doc.type(), element_type::OBJECT) << d.text;
    auto members = reader.members();
    size_t i = 0;
    simdjson::dom::object object = doc.get_object().value_unsafe();
    for (auto field : object) {
      ASSERT_LT(i, members.size()) << d.text;
      const Scalar& v = members[i].value;
      EXPECT_EQ(members[i].key, field.key) << d.text;
      ASSERT_EQ(v.type, field.value.type()) << "member " << i << " of " << d.text;
      switch (v.type) {
        case element_type::STRING: EXPECT_EQ(v.text, field.value.get_string().value_unsafe()) << d.text; break;
        case element_type::INT64: EXPECT_EQ(v.Int(), field.value.get_int64().value_unsafe()) << d.text; break;
        case element_type::DOUBLE:
          EXPECT_EQ(std::bit_cast<uint64_t>(v.Double()),
                    std::bit_cast<uint64_t>(field.value.get_double().value_unsafe()))
              << v.text << " in " << d.text;
          break;
        case element_type::BOOL: EXPECT_EQ(v.b, field.value.get_bool().value_unsafe()) << d.text; break;
        case element_type::NULL_VALUE: break;
        default: ADD_FAILURE() << "a nested value accepted: " << d.text;
      }
      if (v.type != element_type::STRING) {
        EXPECT_EQ(v.text, MemberValueText(d.text, i)) << d.text;
      }
      ++i;
    }
    EXPECT_EQ(i, members.size()) << d.text;
  });
  return accepted;
}

const char kLogLine[] =
    R"({"artist":"Light Ghost","auth":"Logged In","firstName":"Lily","gender":"F","itemInSession":0,)"
    R"("lastName":"Harrell","length":319.55012,"level":"paid","location":"Birmingham-Hoover, AL","method":"PUT",)"
    R"("page":"NextSong","registration":1540919166796.0,"sessionId":12700002,"song":"Fire Shell",)"
    R"("status":200,"ts":1552003200055,"userAgent":"\"Mozilla\/5.0 (Macintosh; Intel Mac OS X 10_9_4)\"",)"
    R"("userId":"26461"})";

TEST(FlatObjectLines, ReadsLogLinesAsTheDomDoes) {
  std::string text;
  for (int i = 0; i < 5; ++i) text += std::string(kLogLine) + "\n";
  text += R"({"artist":null,"length":null,"song":null,"userId":"","sessionId":-17,"ok":true,"no":false})";
  text += "\n  {\"a\" : \"b\" , \"c\":1.5 }\t\r\n{}\n\n{\"k\":\"\\u00e9\\n\\t\\\\\\/\\\"\"}";
  EXPECT_EQ(CheckAgainstDom(text), 9u);
}

// Lines the reader must leave to the DOM (valid or not); and valid ones it must read.
TEST(FlatObjectLines, HandsBackWhatItDoesNotDecode) {
  const std::vector<std::string> handed_back = {R"({"a":{"b":1}})",
                                                R"({"a":[1]})",
                                                R"({"a":1e5})",
                                                R"({"a":1.5E-3})",
                                                R"({"a":1234567890123456789})",
                                                R"({"a":-0})",
                                                R"({"a":01})",
                                                R"({"a":1.})",
                                                R"({"a":.5})",
                                                R"({"a":-})",
                                                R"({"a":1x})",
                                                R"({"a":tru})",
                                                R"({"a":nul})",
                                                R"({"a":truee})",
                                                R"({"a":1,})",
                                                R"({"a" 1})",
                                                R"({"a":1}{"b":2})",
                                                R"({"a":1} x)",
                                                R"({"a":"\q"})",
                                                R"({"a":"\ud800"})",
                                                R"({"a":"\udc00"})",
                                                R"({"a":"\u12"})",
                                                R"([1,2])",
                                                R"("s")",
                                                R"(12)",
                                                R"({"a":1 2})",
                                                R"({"a":"x""y"})",
                                                R"({1:2})",
                                                R"({"a"::1})",
                                                R"({"a":,"b":1})",
                                                R"({"a":})",
                                                R"({)",
                                                R"({"a":1.5x})",
                                                R"({"a":--1})",
                                                R"({"a":+1})",
                                                "{\"a\":1}\v",
                                                "\v{\"a\":1}",
                                                R"({"a":"x"y})"};
  for (const auto& line : handed_back) {
    SCOPED_TRACE(line);
    std::string text = line + "\n" + kLogLine;  // the next line is still read
    EXPECT_EQ(CheckAgainstDom(text), 1u);
  }
  // A stage 1 error anywhere in a piece (invalid UTF-8, a control character in a string, an
  // unclosed string) leaves every line of it to the DOM.
  for (std::string bad : {"{\"a\":\"\xff\"}", "{\"a\":\"x\ty\"}", "{\"a\":\"open}"})
    EXPECT_EQ(CheckAgainstDom(std::string(kLogLine) + "\n" + bad), 0u) << bad;
}

TEST(FlatObjectLines, LinesReadOutOfOrderOrSkipped) {
  std::string text = std::string(R"({"a":"x\"y"})") + "\n" + R"({"b":"\\"})" + "\n" + R"({"c":3})";
  std::string buf = text + std::string(simdjson::SIMDJSON_PADDING, '\0');
  std::string_view piece(buf.data(), text.size());
  std::vector<std::string_view> lines;
  ForEachLine(piece, [&](Document d) { lines.push_back(d.text); });
  FlatObjectLines reader;
  ASSERT_TRUE(reader.Index(piece));
  ASSERT_TRUE(reader.Read(lines[2]));
  EXPECT_EQ(reader.members()[0].key, "c");
  ASSERT_TRUE(reader.Read(lines[0]));
  EXPECT_EQ(reader.members()[0].value.text, "x\"y");
  ASSERT_TRUE(reader.Read(lines[1]));
  EXPECT_EQ(reader.members()[0].value.text, "\\");
}

// One reader over pieces of growing and shrinking sizes (its stage 1 buffers grow with the piece).
TEST(FlatObjectLines, PiecesOfAnySize) {
  FlatObjectLines reader;
  for (size_t lines : {1u, 3000u, 10u, 6000u, 2u}) {  // up to ~1.7 MiB
    std::string text;
    for (size_t i = 0; i < lines; ++i) text += std::string(kLogLine) + "\n";
    std::string buf = text + std::string(simdjson::SIMDJSON_PADDING, '\0');
    std::string_view piece(buf.data(), text.size());
    ASSERT_TRUE(reader.Index(piece)) << lines << " lines";
    size_t read = 0;
    ForEachLine(piece, [&](Document d) {
      if (reader.Read(d.text) && reader.members().size() == 18 && reader.members()[17].value.text == "26461") ++read;
    });
    EXPECT_EQ(read, lines);
  }
  std::string huge(FlatObjectLines::kMaxPieceBytes + 1, ' ');
  huge.append(simdjson::SIMDJSON_PADDING, '\0');
  EXPECT_FALSE(reader.Index(std::string_view(huge.data(), FlatObjectLines::kMaxPieceBytes + 1)));
}

// Numbers: every form DecodeInteger and DecodeDecimal see, against simdjson's values.
TEST(FlatObjectLines, NumbersMatchSimdjsonBitForBit) {
  std::mt19937_64 rng(7);
  std::string text;
  auto digits = [&](int n, bool lead) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + (i == 0 && lead ? 1 + rng() % 9 : rng() % 10));
    return s;
  };
  for (int i = 0; i < 20000; ++i) {
    // Mostly what logs hold (up to 19 digits in all, read here), some longer (left to the DOM).
    bool long_form = rng() % 4 == 0;
    int int_digits = 1 + static_cast<int>(rng() % (long_form ? 19 : 12));
    int frac_digits = static_cast<int>(rng() % (long_form ? 20 : 8));
    std::string n = (rng() % 3 == 0 ? "-" : "") + (rng() % 8 == 0 ? std::string("0") : digits(int_digits, true));
    if (frac_digits > 0 && rng() % 4 != 0) n += "." + digits(frac_digits, false);
    text += "{\"n\":" + n + "}\n";
  }
  // Halfway cases and the edges of the fast path.
  for (const char* n : {"9007199254740993.0", "9007199254740992.0", "900719925474099.3", "0.1", "0.3",
                        "1.7976931348623157", "123456789012345678", "-123456789012345678", "4.35",
                        "0.000000000000000000001", "1.0000000000000000001", "999999999999999999"})
    text += "{\"n\":" + std::string(n) + "}\n";
  EXPECT_GT(CheckAgainstDom(text), 12000u);
}

// Random lines of keys and scalars (escapes, non-ASCII, all number forms, spacing), then the same
// lines with bytes flipped, dropped or repeated: whatever the reader accepts, the DOM accepts alike.
TEST(FlatObjectLines, RandomAndMutatedLinesAgreeWithTheDom) {
  std::mt19937 rng(11);
  const std::vector<std::string> strings = {"",
                                            "x",
                                            "NextSong",
                                            "a\\\"b",
                                            "\\\\",
                                            "\\/",
                                            "\\u00e9",
                                            "\\ud83d\\ude00",
                                            "\\b\\f\\n\\r\\t",
                                            "\xc3\xa9t\xc3\xa9",
                                            "\\u0000",
                                            "long string with spaces"};
  const std::vector<std::string> others = {
      "0",     "-1",   "42",  "3.25", "-0.5", "1540919166796.0",    "true",
      "false", "null", "1e3", "[]",   "{}",   "123456789012345678", "1234567890123456789"};
  const std::vector<std::string> spaces = {"", "", "", " ", "\t", " \r "};
  auto space = [&] { return spaces[rng() % spaces.size()]; };
  size_t accepted = 0, valid_lines = 0;
  for (int round = 0; round < 300; ++round) {
    std::string text;
    for (int l = 0; l < 20; ++l) {
      std::string line = space() + "{";
      int members = static_cast<int>(rng() % 8);
      for (int m = 0; m < members; ++m) {
        if (m > 0) line += space() + ",";
        line += space() + "\"" + strings[rng() % strings.size()] + "\"" + space() + ":" + space();
        line += rng() % 2 ? "\"" + strings[rng() % strings.size()] + "\"" : others[rng() % others.size()];
      }
      line += space() + "}" + space();
      if (round % 2 == 1) {  // mutated
        for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
          if (line.empty()) break;
          size_t at = rng() % line.size();
          switch (rng() % 3) {
            case 0: line[at] = static_cast<char>(rng() % 256); break;
            case 1: line.erase(at, 1); break;
            default: line.insert(at, 1, line[at]);
          }
        }
        std::replace(line.begin(), line.end(), '\n', ' ');
      } else {
        ++valid_lines;
      }
      text += line + "\n";
    }
    accepted += CheckAgainstDom(text);
  }
  // Most unmutated lines have no nested value, exponent or 19-digit number: the reader takes them.
  EXPECT_GT(accepted, valid_lines / 4);
}

}  // namespace
}  // namespace lakeforge::json
