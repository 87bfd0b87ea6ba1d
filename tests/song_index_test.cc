// Property test of the join index against std::map: random keys drawn from a small alphabet (so
// titles and artists share prefixes, lengths and hash tags, and the same key is added several
// times with different song_ids), durations including -0.0/+0.0, infinities and neighbouring
// doubles, some with a hash cut to a few bits so that keys collide; probed with keys that are present and keys that
// differ in one byte or one ulp.
#include "sparkify/song_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace lakeforge {
namespace {

struct Oracle {
  // key -> (smallest song_id, its song)
  std::map<std::tuple<std::string, std::string, double>, std::pair<std::string, int32_t>> keys;
  static double Norm(double d) { return d == 0.0 ? 0.0 : d; }
  void Add(const std::string& t, const std::string& a, double d, int32_t song, const std::string& id) {
    auto [it, fresh] = keys.try_emplace({t, a, Norm(d)}, id, song);
    if (!fresh && id < it->second.first) it->second = {id, song};
  }
  int32_t Find(const std::string& t, const std::string& a, double d) const {
    auto it = keys.find({t, a, Norm(d)});
    return it == keys.end() ? -1 : it->second.second;
  }
};

std::string RandomText(std::mt19937_64& rng) {
  static const std::string alphabet("ab\xc3\xa9 \0", 6);  // UTF-8 and NUL bytes too
  size_t n = std::uniform_int_distribution<size_t>(0, 40)(rng);
  std::string s;
  for (size_t i = 0; i < n; ++i) s += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
  return s;
}

double RandomDuration(std::mt19937_64& rng) {
  static const double special[] = {0.0,
                                   -0.0,
                                   std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity(),
                                   182.85669,
                                   std::nextafter(182.85669, 1e9),
                                   1e308,
                                   -1.5};
  return special[std::uniform_int_distribution<size_t>(0, std::size(special) - 1)(rng)];
}

class SongIndexProperty : public ::testing::TestWithParam<int> {};

TEST_P(SongIndexProperty, AgreesWithMap) {
  std::mt19937_64 rng(static_cast<uint64_t>(GetParam()));
  size_t n = std::uniform_int_distribution<size_t>(0, 3000)(rng);
  std::vector<std::string> titles, artists, ids;  // storage the index's views point into
  titles.reserve(n), artists.reserve(n), ids.reserve(n);
  Oracle oracle;
  // A third of the seeds keep 3 bits of slot and 2 bits of tag: every probe walks long runs of
  // equal tags, so a wrong byte compare would be caught.
  SongIndex index = GetParam() % 3 == 0 ? SongIndex(0x300000007ULL) : SongIndex();
  if (GetParam() % 2 == 0) index.Reserve(n / 2, n * 20);  // half the seeds grow the index from empty
  for (size_t i = 0; i < n; ++i) {
    // A third of the adds repeat an earlier key with another song_id.
    bool repeat = i > 0 && rng() % 3 == 0;
    size_t from = repeat ? std::uniform_int_distribution<size_t>(0, i - 1)(rng) : i;
    titles.push_back(repeat ? titles[from] : RandomText(rng));
    artists.push_back(repeat ? artists[from] : RandomText(rng));
    ids.push_back("SO" + std::to_string(rng() % 100000));
    double d = RandomDuration(rng);
    index.Add(titles.back(), artists.back(), d, static_cast<int32_t>(i), ids.back());
    oracle.Add(titles.back(), artists.back(), d, static_cast<int32_t>(i), ids.back());
  }
  EXPECT_EQ(index.size(), oracle.keys.size());
  for (const auto& [key, value] : oracle.keys) {
    const auto& [t, a, d] = key;
    ASSERT_EQ(index.Find(t, a, d), value.second) << "title '" << t << "' artist '" << a << "' duration " << d;
    ASSERT_EQ(index.Find(t, a, -d), oracle.Find(t, a, -d));
    ASSERT_EQ(index.Find(t, a, std::nextafter(d, 0.0)), oracle.Find(t, a, std::nextafter(d, 0.0)));
    std::string t2 = t + "a", a2 = a.empty() ? "b" : a.substr(1);
    ASSERT_EQ(index.Find(t2, a, d), oracle.Find(t2, a, d));
    ASSERT_EQ(index.Find(t, a2, d), oracle.Find(t, a2, d));
    ASSERT_EQ(index.Find(a, t, d), oracle.Find(a, t, d));  // title and artist swapped
    uint64_t h = SongIndex::Hash(t, a, d);
    index.Prefetch(h);
    ASSERT_EQ(index.Find(h, t, a, d), value.second);
  }
  for (int i = 0; i < 500; ++i) {
    std::string t = RandomText(rng), a = RandomText(rng);
    double d = RandomDuration(rng);
    ASSERT_EQ(index.Find(t, a, d), oracle.Find(t, a, d));
  }
  EXPECT_EQ(index.Find("x", "y", std::nan("")), -1);  // NaN equals nothing, as in SQL
}

INSTANTIATE_TEST_SUITE_P(Seeds, SongIndexProperty, ::testing::Range(1, 31));

TEST(SongIndex, EmptyIndexFindsNothing) {
  SongIndex index;
  EXPECT_EQ(index.Find("S", "A", 1.0), -1);
  index.Prefetch(SongIndex::Hash("S", "A", 1.0));
}

}  // namespace
}  // namespace lakeforge
