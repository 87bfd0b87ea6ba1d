// Bad-input classes for the record readers, with the expected reject reason and message, plus the
// accepted shapes (pretty-printed and line-delimited song files, CRLF, no trailing newline).
#include "sparkify/record_parser.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <array>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "formats/json/json_string.h"

namespace lakeforge {
namespace {

// Inputs need simdjson's padding after the last byte.
std::string Padded(const std::string& s) { return s + std::string(simdjson::SIMDJSON_PADDING, '\0'); }

struct Parsed {
  std::vector<SongRecord> songs;
  LogFileResult logs;
  std::unique_ptr<ProfilePool> profiles = std::make_unique<ProfilePool>();
  std::vector<Reject> rejects;
};

Parsed Songs(const std::string& text) {
  Parsed p;
  std::string buf = Padded(text);
  RecordParser parser;
  parser.ParseSongFile(std::string_view(buf.data(), text.size()), 3, &p.songs, &p.rejects);
  return p;
}

Parsed Logs(const std::string& text, const SongIndex& index = SongIndex()) {
  Parsed p;
  std::string buf = Padded(text);
  RecordParser parser;
  parser.ParseLogFile(std::string_view(buf.data(), text.size()), 5, index, *p.profiles, &p.logs, &p.rejects);
  return p;
}

const char* kEvent =
    R"({"artist":"A","auth":"Logged In","firstName":"J","gender":"M","itemInSession":0,"lastName":"B","length":182.85669,)"
    R"("level":"free","location":"X","method":"PUT","page":"NextSong","sessionId":829,"song":"S","status":200,)"
    R"("ts":1543537327796,"userAgent":"UA","userId":"91"})";

std::string EventWith(const std::string& field, const std::string& replacement, std::string e = kEvent) {
  auto p = e.find("\"" + field + "\":");
  EXPECT_NE(p, std::string::npos);
  auto end = e.find_first_of(",}", p);
  return e.substr(0, p) + replacement + e.substr(end);
}

TEST(SongFiles, OneObjectPerFile) {
  auto p = Songs(
      R"({"num_songs": 1, "artist_id": "AR1", "artist_latitude": null, "artist_longitude": null, "artist_location": "", "artist_name": "N", "song_id": "SO1", "title": "T", "duration": 337.68444, "year": 2005})");
  ASSERT_EQ(p.songs.size(), 1u);
  EXPECT_TRUE(p.rejects.empty());
  EXPECT_EQ(p.songs[0].song_id, "SO1");
  EXPECT_EQ(p.songs[0].duration, 337.68444);
  EXPECT_EQ(p.songs[0].year, 2005);
  EXPECT_FALSE(p.songs[0].artist_latitude.has_value());
  EXPECT_EQ(p.songs[0].line, 1u);
}

TEST(SongFiles, PrettyPrintedObject) {
  auto p = Songs("\n{\n  \"song_id\": \"SO1\",\n  \"artist_id\": \"AR1\",\n  \"title\": \"T\"\n}\n");
  ASSERT_EQ(p.songs.size(), 1u);
  EXPECT_EQ(p.songs[0].line, 2u);
}

TEST(SongFiles, SeveralObjectsOnePerLineAsAfterCompaction) {
  auto p = Songs("{\"song_id\": \"SO1\", \"artist_id\": \"AR1\"}\r\n\n{\"song_id\": \"SO2\", \"artist_id\": \"AR2\"}");
  ASSERT_EQ(p.songs.size(), 2u);
  EXPECT_EQ(p.songs[1].line, 3u);
}

TEST(SongFiles, MissingAndWrongTypedKeys) {
  auto p = Songs(
      "{\"artist_id\": \"AR1\"}\n{\"song_id\": \"\", \"artist_id\": \"AR1\"}\n{\"song_id\": {\"a\": 1}, \"artist_id\": "
      "\"AR1\"}\n"
      "{\"song_id\": \"S\", \"artist_id\": \"A\", \"year\": 3000000000}\n"
      "{\"song_id\": \"S\", \"artist_id\": [\"A\"]}");
  ASSERT_EQ(p.rejects.size(), 5u);
  EXPECT_EQ(p.rejects[0].reason, RejectReason::kMissingField);
  EXPECT_EQ(p.rejects[0].error, "missing key field song_id");
  EXPECT_EQ(p.rejects[1].error, "missing key field song_id");
  EXPECT_EQ(p.rejects[2].reason, RejectReason::kWrongType);
  EXPECT_EQ(p.rejects[2].error, "wrong type for song_id: expected string, got object");
  EXPECT_EQ(p.rejects[3].error, "wrong type for year: expected integer within INT32, got integer");
  EXPECT_EQ(p.rejects[3].line, 4u);
  EXPECT_EQ(p.rejects[3].file, 3u);
  EXPECT_EQ(p.rejects[4].error, "wrong type for artist_id: expected string, got array");
  EXPECT_TRUE(p.songs.empty());
}

// The full public song set stores the group 112 as "artist_name": 112. Spark and DuckDB keep a
// number or boolean in a string column as its text; so does lakeforge, character for character.
TEST(SongFiles, NumbersAndBooleansInStringFieldsAreKeptAsTheirText) {
  auto p = Songs(
      R"({"song_id": 5, "artist_id": "AR1", "artist_name": 112, "artist_location": 27, "title": -0.50})"
      "\n"
      R"({"song_id":"SO2","artist_id":1e3 ,"title":true,"artist_name":false,"artist_location":{"x":1}})"
      "\n"
      R"({"nested":{"artist_name":"no"},"tags":[1,"}",{"a":"\""}],"song_id" : 12345678901234567890 , "artist_id":"A", "artist_name" :	12.5e-1})");
  ASSERT_EQ(p.songs.size(), 2u);
  ASSERT_EQ(p.rejects.size(), 1u);
  EXPECT_EQ(p.songs[0].song_id, "5");
  EXPECT_EQ(*p.songs[0].artist_name, "112");
  EXPECT_EQ(*p.songs[0].artist_location, "27");
  EXPECT_EQ(*p.songs[0].title, "-0.50");  // the file's characters, not a reformatting
  EXPECT_EQ(p.rejects[0].line, 2u);
  EXPECT_EQ(p.rejects[0].error, "wrong type for artist_location: expected string, got object");
  EXPECT_EQ(p.songs[1].song_id, "12345678901234567890");
  EXPECT_EQ(*p.songs[1].artist_name, "12.5e-1");
}

TEST(SongFiles, ScalarTextInAPrettyPrintedFile) {
  auto p = Songs("{\n  \"song_id\": \"SO1\",\n  \"artist_id\": \"AR1\",\n  \"artist_name\": 112\n}\n");
  ASSERT_EQ(p.songs.size(), 1u);
  EXPECT_EQ(*p.songs[0].artist_name, "112");
}

TEST(SongFiles, EmptyFile) {
  auto p = Songs(" \n");
  ASSERT_EQ(p.rejects.size(), 1u);
  EXPECT_EQ(p.rejects[0].reason, RejectReason::kEmptyFile);
  EXPECT_EQ(p.rejects[0].line, 0u);
  EXPECT_EQ(p.rejects[0].error, "empty file: expected at least one JSON record");
}

// A compacted song file whose first record is truncated must not take the valid records after it
// down with it: `run` concatenates a folder's song files, and the first may be the damaged one.
TEST(SongFiles, TruncatedFirstLineCostsOneRecord) {
  auto p = Songs(
      "{\"song_id\": \"SO1\", \"artist_id\": \"AR\n{\"song_id\": \"SO2\", \"artist_id\": \"AR2\"}\n"
      "{\"song_id\": \"SO3\", \"artist_id\": \"AR3\"}");
  ASSERT_EQ(p.songs.size(), 2u);
  EXPECT_EQ(p.songs[0].song_id, "SO2");
  EXPECT_EQ(p.songs[0].line, 2u);
  EXPECT_EQ(p.songs[1].line, 3u);
  ASSERT_EQ(p.rejects.size(), 1u);
  EXPECT_EQ(p.rejects[0].line, 1u);
  EXPECT_EQ(p.rejects[0].reason, RejectReason::kMalformedJson);
  EXPECT_EQ(p.rejects[0].record, "{\"song_id\": \"SO1\", \"artist_id\": \"AR");
}

TEST(SongFiles, MalformedPrettyPrintedFileIsOneReject) {
  auto p = Songs("{\n  \"song_id\": \"SO1\",\n  \"artist_id\": \n");
  ASSERT_EQ(p.rejects.size(), 1u);
  EXPECT_EQ(p.rejects[0].reason, RejectReason::kMalformedJson);
  EXPECT_EQ(p.rejects[0].line, 1u);
}

TEST(LogFiles, NextSongEventsOnlyAndNoTrailingNewline) {
  std::string other = EventWith("page", R"("page":"Home")");
  auto p = Logs(std::string(kEvent) + "\n" + other + "\n" + kEvent);
  EXPECT_TRUE(p.rejects.empty());
  ASSERT_EQ(p.logs.events.size(), 2u);
  EXPECT_EQ(p.logs.filtered, 1u);
  EXPECT_EQ(p.logs.lines, 3u);
  EXPECT_EQ(p.logs.events[0].user_id, 91);
  EXPECT_EQ(p.logs.events[0].ts, 1543537327796);
  EXPECT_EQ(p.logs.events[1].line, 3u);
  EXPECT_EQ(p.profiles->size(), 1u);  // identical session strings are interned once
}

// Threads interning overlapping profiles through their own caches agree on every id, and every id
// reads back the strings it was interned for.
TEST(ProfilePool, ThreadsAgreeOnIds) {
  ProfilePool pool;
  struct Owned {  // the test's copy of each profile's strings
    std::optional<std::string> first_name, last_name, gender, level, location, user_agent;
  };
  std::vector<Owned> owned;
  for (int i = 0; i < 3000; ++i) {
    Owned p;
    p.first_name = "F" + std::to_string(i % 97);  // with last_name: unique per i
    p.last_name = "L" + std::to_string(i / 97);
    if (i % 5) p.gender = "F";
    p.level = i % 2 ? "paid" : "free";
    if (i % 7 == 0) p.location = "";  // empty and absent are different profiles
    if (i % 11 == 0) p.user_agent = std::string(70000, static_cast<char>('a' + i % 26));  // over a block
    owned.push_back(p);
  }
  auto v = [](const std::optional<std::string>& s) -> std::optional<std::string_view> {
    return s ? std::optional<std::string_view>(*s) : std::nullopt;
  };
  std::vector<Profile> distinct;
  for (const Owned& p : owned)
    distinct.push_back(
        {v(p.first_name), v(p.last_name), v(p.gender), v(p.level), v(p.location), v(p.user_agent)});
  auto view = [](const Profile& p) { return p; };
  std::vector<std::vector<uint32_t>> ids(4, std::vector<uint32_t>(distinct.size() * 3));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      ProfileCache cache;
      for (size_t k = 0; k < ids[t].size(); ++k) {
        size_t i = (k * (2 * t + 1) + t) % distinct.size();  // each thread in its own order
        // Keys that mostly predict the profile, and that some distinct profiles share (a user
        // whose level changed): ids must not depend on them.
        ids[t][k] = cache.Intern(pool, static_cast<int64_t>(i % 97), view(distinct[i]));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(pool.size(), distinct.size());
  std::vector<int64_t> id_of(distinct.size(), -1);
  for (int t = 0; t < 4; ++t) {
    for (size_t k = 0; k < ids[t].size(); ++k) {
      size_t i = (k * (2 * t + 1) + t) % distinct.size();
      if (id_of[i] < 0) id_of[i] = ids[t][k];
      ASSERT_EQ(ids[t][k], id_of[i]) << "profile " << i << " thread " << t;
      ASSERT_EQ(pool[ids[t][k]], distinct[i]);
    }
  }
}

// Staged interning (Stage, then Resolve per piece) gives every event the id of its own strings,
// one id per distinct profile, whatever the runs of keys, the batch sizes and the pools.
TEST(ProfileCache, StagedInterningGivesEachEventItsProfile) {
  std::mt19937 rng(7);
  std::vector<std::optional<std::string>> values = {
      std::nullopt, "", "a", "Lily", "paid", "free", std::string(300, 'x'), std::string(300, 'y')};
  struct Owned {
    std::array<std::optional<std::string>, Profile::kParts> parts;
    bool operator==(const Owned&) const = default;
  };
  auto view = [](const Owned& o) {
    Profile p;
    auto parts = p.parts();
    for (size_t i = 0; i < Profile::kParts; ++i)
      if (o.parts[i]) *parts[i] = std::string_view(*o.parts[i]);
    return p;
  };
  std::vector<Owned> distinct(40);
  for (Owned& o : distinct)
    for (auto& part : o.parts) part = values[rng() % values.size()];
  for (int round = 0; round < 3; ++round) {  // a fresh pool each round: the cache must forget the last
    ProfilePool pool;
    ProfileCache cache;
    std::vector<std::pair<size_t, uint32_t>> seen;  // (distinct index, id) per event
    std::vector<uint32_t> staged, ids;
    std::vector<size_t> which;
    for (int batch = 0; batch < 200; ++batch) {
      size_t events = rng() % 40;  // empty batches too
      staged.clear();
      which.clear();
      int64_t key = 0;
      size_t profile = 0;
      for (size_t e = 0; e < events; ++e) {
        // Runs: the same key and profile again, the same key with another profile, another key.
        switch (rng() % 4) {
          case 0: key = static_cast<int64_t>(rng() % 6); [[fallthrough]];
          case 1: profile = rng() % distinct.size(); break;
          default: break;
        }
        uint32_t at = cache.Stage(key, view(distinct[profile]));
        ASSERT_LT(at, cache.staged());
        staged.push_back(at);
        which.push_back(profile);
      }
      if (batch % 17 == 5) {  // a parse that threw: its staged profiles are dropped, none resolved
        cache.DiscardStaged();
        EXPECT_EQ(cache.staged(), 0u);
        continue;
      }
      cache.Resolve(pool, &ids);
      EXPECT_EQ(cache.staged(), 0u);
      for (size_t e = 0; e < staged.size(); ++e) seen.emplace_back(which[e], ids[staged[e]]);
    }
    std::map<size_t, uint32_t> id_of;
    std::set<size_t> used;
    for (auto [profile, id] : seen) {
      auto [it, fresh] = id_of.emplace(profile, id);
      ASSERT_EQ(it->second, id) << "profile " << profile << " got two ids";
      used.insert(profile);
      Profile stored = pool[id];
      ASSERT_EQ(stored, view(distinct[profile])) << "profile " << profile;
    }
    // Distinct indices may hold equal strings: the pool holds each distinct string set once.
    std::set<std::vector<std::optional<std::string>>> strings;
    for (size_t profile : used) strings.insert({distinct[profile].parts.begin(), distinct[profile].parts.end()});
    EXPECT_EQ(pool.size(), strings.size());
  }
}

// Many users, each going back and forth between two profiles (a level that changes between
// sessions) and now and then a third: the cache grows many times and its sets run full, and still
// every event gets the id of its own strings, whether interned one by one or staged and resolved.
TEST(ProfileCache, ManyUsersWithChangingProfilesGetTheirOwnIds) {
  constexpr int kUsers = 20000;
  auto strings = [](int user, int version) {
    return std::array<std::string, Profile::kParts>{"First" + std::to_string(user),
                                                    "Last",
                                                    "F",
                                                    version % 2 ? "paid" : "free",
                                                    "Town " + std::to_string(user % 7),
                                                    version == 2 ? "agent B" : "agent A"};
  };
  auto view = [](const std::array<std::string, Profile::kParts>& s) {
    Profile p;
    auto parts = p.parts();
    for (size_t i = 0; i < Profile::kParts; ++i) *parts[i] = std::string_view(s[i]);
    return p;
  };
  for (bool staged : {false, true}) {
    std::mt19937 rng(staged ? 3 : 5);
    ProfilePool pool;
    ProfileCache cache;
    std::map<std::pair<int, int>, uint32_t> id_of;  // (user, version) -> id
    std::vector<std::pair<int, int>> batch;
    std::vector<uint32_t> at, ids;
    auto check = [&](std::pair<int, int> event, uint32_t id) {
      auto [it, fresh] = id_of.emplace(event, id);
      ASSERT_EQ(it->second, id) << "user " << event.first << " version " << event.second;
      if (fresh) {
        ASSERT_EQ(pool[id], view(strings(event.first, event.second)));
      }
    };
    for (int round = 0; round < 6; ++round) {
      std::vector<int> users(kUsers);
      for (int u = 0; u < kUsers; ++u) users[static_cast<size_t>(u)] = u;
      std::shuffle(users.begin(), users.end(), rng);
      for (int u : users) {
        int version = rng() % 16 == 0 ? 2 : (round + u) % 2;
        auto s = strings(u, version);
        if (!staged) {
          check({u, version}, cache.Intern(pool, u, view(s)));
          continue;
        }
        at.push_back(cache.Stage(u, view(s)));
        batch.emplace_back(u, version);
        if (batch.size() == 500) {
          cache.Resolve(pool, &ids);
          for (size_t e = 0; e < batch.size(); ++e) check(batch[e], ids[at[e]]);
          batch.clear();
          at.clear();
        }
      }
    }
    // Two ids for two (user, version) pairs only when their strings differ.
    std::set<uint32_t> distinct;
    for (const auto& [event, id] : id_of) distinct.insert(id);
    EXPECT_EQ(distinct.size(), id_of.size());
    EXPECT_EQ(pool.size(), id_of.size());
  }
}

// Threads staging and resolving into one pool (each Resolve prefetches pool entries without a
// lock while the other thread grows the tables) agree on every id.
TEST(ProfileCache, ThreadsResolvingIntoOnePoolAgree) {
  ProfilePool pool;
  std::vector<std::string> names;
  for (int i = 0; i < 5000; ++i) names.push_back("N" + std::to_string(i));
  std::vector<std::vector<uint32_t>> ids(2, std::vector<uint32_t>(names.size()));
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      ProfileCache cache;
      std::vector<uint32_t> staged, resolved;
      for (size_t begin = 0; begin < names.size(); begin += 100) {
        staged.clear();
        for (size_t k = begin; k < begin + 100; ++k) {
          size_t i = t == 0 ? k : names.size() - 1 - k;  // opposite orders: both grow the tables
          Profile p;
          p.first_name = names[i];
          p.level = i % 3 ? "paid" : "free";
          staged.push_back(cache.Stage(static_cast<int64_t>(i % 700), p));  // keys that collide
        }
        cache.Resolve(pool, &resolved);
        for (size_t k = begin; k < begin + 100; ++k)
          ids[t][t == 0 ? k : names.size() - 1 - k] = resolved[staged[k - begin]];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(pool.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_EQ(ids[0][i], ids[1][i]) << "profile " << i;
    ASSERT_EQ(pool[ids[0][i]].first_name, names[i]);
  }
}

// A run of lines of one user with one profile is staged once.
TEST(ProfileCache, ARunOfOneProfileIsStagedOnce) {
  ProfilePool pool;
  ProfileCache cache;
  std::string agent = "Mozilla/5.0";
  Profile a;
  a.first_name = "Lily";
  a.level = "free";
  a.user_agent = agent;
  Profile b = a;
  b.level = "paid";
  std::vector<uint32_t> at;
  for (const Profile* p : {&a, &a, &a, &b, &b, &a}) at.push_back(cache.Stage(15, *p));
  at.push_back(cache.Stage(16, a));  // another user with the same strings: staged, same pool id
  EXPECT_EQ(at, (std::vector<uint32_t>{0, 0, 0, 1, 1, 2, 3}));
  std::vector<uint32_t> ids;
  cache.Resolve(pool, &ids);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids[0], ids[2]);
  EXPECT_EQ(ids[0], ids[3]);
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_EQ(pool[ids[1]], b);
  EXPECT_EQ(pool.size(), 2u);
}

// Pieces whose users run (profiles staged and resolved per piece) and pieces whose users
// interleave (interned line by line), in both orders: every event reads back its own strings.
TEST(LogFiles, ProfilesOfRunsAndOfInterleavedUsers) {
  auto line = [](int user, int level) {
    return EventWith("userId", "\"userId\":\"" + std::to_string(user) + "\"",
                     EventWith("firstName", "\"firstName\":\"F" + std::to_string(user) + "\"",
                               EventWith("level", level ? R"("level":"paid")" : R"("level":"free")")));
  };
  std::vector<std::pair<int, int>> expected;  // (user, level) per event
  std::vector<std::string> pieces;
  for (int piece = 0; piece < 8; ++piece) {
    std::string text;
    for (int i = 0; i < 40; ++i) {
      // Pieces 0, 1, 4, 5: each user's lines in a run (a level change inside one); 2, 3, 6, 7: users alternate.
      bool runs = piece % 4 < 2;
      int user = runs ? 100 + piece * 4 + i / 10 : 200 + i % 3;
      int level = runs ? (i % 10 >= 7) : (i / 3) % 2;
      text += line(user, level) + "\n";
      expected.emplace_back(user, level);
    }
    pieces.push_back(Padded(text));
  }
  ProfilePool pool;
  RecordParser parser;
  SongIndex index;
  LogFileResult out;
  std::vector<Reject> rejects;
  uint32_t first_line = 1;
  for (const std::string& piece : pieces)
    first_line += parser.ParseLogLines(std::string_view(piece.data(), piece.size() - simdjson::SIMDJSON_PADDING),
                                       first_line, 5, index, pool, &out, &rejects);
  ASSERT_TRUE(rejects.empty());
  ASSERT_EQ(out.events.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    auto [user, level] = expected[i];
    ASSERT_EQ(out.events[i].user_id, user);
    Profile p = pool[out.events[i].profile];
    ASSERT_EQ(p.first_name, "F" + std::to_string(user)) << "event " << i;
    ASSERT_EQ(p.level, level ? "paid" : "free") << "event " << i;
  }
}

struct BadCase {
  std::string line;
  RejectReason reason;
  std::string error;
};

TEST(LogFiles, EveryBadInputClassIsRejectedWithItsReason) {
  std::string full = kEvent;
  std::vector<BadCase> cases = {
      {full.substr(0, full.size() / 2), RejectReason::kMalformedJson, ""},  // truncated last line
      {"{not json", RejectReason::kMalformedJson, ""},
      {"[1,2]", RejectReason::kNotAnObject, "not a JSON object: got array"},
      {EventWith("ts", R"("ts":"yesterday")"), RejectReason::kWrongType,
       "wrong type for ts: expected integer, got string"},
      {EventWith("ts", R"("ts":1.5)"), RejectReason::kWrongType, "wrong type for ts: expected integer, got number"},
      {EventWith("ts", R"("x":1)"), RejectReason::kMissingField, "missing key field ts"},
      {EventWith("userId", R"("x":1)"), RejectReason::kMissingField, "missing key field userId"},
      {EventWith("userId", R"("userId":null)"), RejectReason::kMissingField, "missing key field userId"},
      {EventWith("userId", R"("userId":"abc")"), RejectReason::kNonNumericUserId,
       "non-numeric userId: expected 1 to 18 digits, got \"abc\""},
      {EventWith("userId", R"("userId":true)"), RejectReason::kNonNumericUserId,
       "non-numeric userId: expected 1 to 18 digits, got \"true\""},
      {EventWith("userId", R"("userId":1.5)"), RejectReason::kNonNumericUserId,
       "non-numeric userId: expected 1 to 18 digits, got \"1.5\""},
      {EventWith("userId", R"("userId":{"id":1})"), RejectReason::kWrongType,
       "wrong type for userId: expected string of digits or integer, got object"},
      {EventWith("artist", R"("artist":["A"])"), RejectReason::kWrongType,
       "wrong type for artist: expected string, got array"},
      {EventWith("length", R"("length":"long")"), RejectReason::kWrongType,
       "wrong type for length: expected number, got string"},
      {EventWith("sessionId", R"("sessionId":1.5)"), RejectReason::kWrongType,
       "wrong type for sessionId: expected integer, got number"},
      {EventWith("artist", "\"artist\":\"\xC3\x28\""), RejectReason::kInvalidUtf8, "invalid UTF-8"},
  };
  for (const auto& c : cases) {
    auto p = Logs(c.line);
    ASSERT_EQ(p.rejects.size(), 1u) << c.line;
    EXPECT_EQ(p.rejects[0].reason, c.reason) << c.line;
    if (!c.error.empty()) {
      EXPECT_EQ(p.rejects[0].error, c.error);
    }
    if (c.reason == RejectReason::kMalformedJson) {
      EXPECT_EQ(p.rejects[0].error.rfind("malformed JSON: ", 0), 0u);
    }
    EXPECT_EQ(p.rejects[0].record, c.line);
    EXPECT_EQ(p.rejects[0].line, 1u);
    EXPECT_TRUE(p.logs.events.empty());
  }
}

TEST(LogFiles, AnonymousAndIntegerUserIds) {
  auto p = Logs(EventWith("userId", R"("userId":"")") + "\n" + EventWith("userId", R"("userId":7)"));
  ASSERT_TRUE(p.rejects.empty());
  ASSERT_EQ(p.logs.events.size(), 2u);
  EXPECT_EQ(p.logs.events[0].user_id, kNull);
  EXPECT_EQ(p.logs.events[1].user_id, 7);
}

TEST(LogFiles, NumbersAndBooleansInStringFieldsAreKeptAsTheirText) {
  SongIndex index;
  index.Add("1e3", "112", 182.85669, 0, "SO1");
  auto p = Logs(EventWith("song", R"("song":1e3)", EventWith("artist", R"("artist":112)")) + "\n" +
                    EventWith("firstName", R"("firstName":true)") + "\n" + EventWith("location", R"("location":-0.5)") +
                    "\n" + EventWith("page", R"("page":7)"),
                index);
  ASSERT_TRUE(p.rejects.empty());
  ASSERT_EQ(p.logs.events.size(), 3u);
  EXPECT_EQ(p.logs.filtered, 1u);       // a page that is a number is not NextSong
  EXPECT_EQ(p.logs.events[0].song, 0);  // "artist":112 and "song":1e3 join "112" and "1e3"
  EXPECT_EQ((*p.profiles)[p.logs.events[1].profile].first_name, "true");
  EXPECT_EQ((*p.profiles)[p.logs.events[2].profile].location, "-0.5");
}

TEST(LogFiles, JoinsOnTitleArtistAndExactDuration) {
  SongIndex index;
  index.Add("S", "A", 182.85669, 0, "SOB");
  index.Add("S", "A", 182.85669, 1, "SOA");  // same key: the smaller song_id wins
  index.Add("S", "A", 182.85669, 2, "SOC");
  auto p = Logs(std::string(kEvent) + "\n" + EventWith("length", R"("length":182.8567)"), index);
  ASSERT_EQ(p.logs.events.size(), 2u);
  EXPECT_EQ(p.logs.events[0].song, 1);
  EXPECT_EQ(p.logs.events[1].song, -1);
}

}  // namespace
}  // namespace lakeforge

namespace lakeforge {
namespace {

// Reject sources are file names with any bytes: shown with U+FFFD where they are not UTF-8, the
// way WHATWG decoders (Node.js, browsers) replace them; vectors checked against Node's TextDecoder.
// Property: the piece path (FlatObjectLines, the DOM for the lines it hands back) and one parse per
// line agree on every event, count and reject, on pieces mixing valid events with every way a line
// can go wrong (malformed, unclosed string swallowing the next lines, two values on a line, an
// object over several lines, scalars, invalid UTF-8, CRLF, blank and space-padded lines, bad
// escapes, nested values, numbers the reader leaves to the DOM), whatever the order.
TEST(LogFiles, StreamParsingMatchesOneParsePerLine) {
  const std::string event = kEvent;
  const std::vector<std::string> kinds = {
      event,
      EventWith("page", "\"page\":\"Home\""),
      EventWith("ts", "\"ts\":\"x\""),
      "{\"page\":\"NextSong\",\"ts\":\"unclosed}",
      event + " " + event,
      "{\"page\":\"NextSong\",\n\"ts\":1}",
      "42",
      "\"NextSong\"",
      "[1,2]",
      "{\"bad\":\"\xff\xfe\"}",
      "",
      "   ",
      "  " + event + "  ",
      event + "\r",
      "{\"a\":1}}",
      "{",
      "}",
      "\\",
      EventWith("ts", "\"ts\":1.5e3"),
      EventWith("ts", "\"ts\":-0"),
      EventWith("ts", "\"ts\":12345678901234567890"),
      EventWith("sessionId", "\"sessionId\":1234567890123456789"),
      EventWith("length", "\"length\":277.89016"),
      EventWith("length", "\"length\":2.7789016e2"),
      EventWith("length", "\"length\":1234567890.123456789"),
      EventWith("userId", "\"userId\":{\"id\":1}"),
      EventWith("userId", "\"userId\":77"),
      EventWith("firstName", "\"firstName\":\"Jos\\u00e9 \\\"Jo\\\"\""),
      EventWith("firstName", "\"firstName\":\"bad \\q escape\""),
      EventWith("firstName", "\"firstName\":\"\\ud800\""),
      EventWith("level", "\"l\\u0065vel\":\"paid\""),
  };
  std::mt19937 rng(3);
  for (int trial = 0; trial < 400; ++trial) {
    std::string text;
    int n = 1 + static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) text += kinds[rng() % kinds.size()] + (i + 1 < n || rng() % 2 ? "\n" : "");
    std::string buf = text + std::string(simdjson::SIMDJSON_PADDING, '\0');
    std::string_view view(buf.data(), text.size());
    SongIndex index;  // the join sees the decoded length: 182.85669 matches, 277.89016 does not
    index.Add("S", "A", 182.85669, 0, "SO1");
    RecordParser stream, by_line;
    by_line.set_stream_parsing(false);
    ProfilePool p1, p2;
    LogFileResult a, b;
    std::vector<Reject> ra, rb;
    stream.ParseLogLines(view, 1, 0, index, p1, &a, &ra);
    by_line.ParseLogLines(view, 1, 0, index, p2, &b, &rb);
    ASSERT_EQ(a.lines, b.lines) << text;
    ASSERT_EQ(a.filtered, b.filtered) << text;
    ASSERT_EQ(a.events.size(), b.events.size()) << text;
    for (size_t i = 0; i < a.events.size(); ++i) {
      EXPECT_EQ(a.events[i].line, b.events[i].line);
      EXPECT_EQ(a.events[i].ts, b.events[i].ts);
      EXPECT_EQ(a.events[i].user_id, b.events[i].user_id);
      EXPECT_EQ(a.events[i].session_id, b.events[i].session_id);
      EXPECT_EQ(a.events[i].item, b.events[i].item);
      EXPECT_EQ(a.events[i].song, b.events[i].song);
      EXPECT_TRUE(p1[a.events[i].profile] == p2[b.events[i].profile]);
    }
    ASSERT_EQ(ra.size(), rb.size()) << text;
    for (size_t i = 0; i < ra.size(); ++i) {
      EXPECT_EQ(ra[i].line, rb[i].line) << text;
      EXPECT_EQ(ra[i].reason, rb[i].reason) << text;
      EXPECT_EQ(ra[i].error, rb[i].error) << text;
      EXPECT_EQ(ra[i].record, rb[i].record) << text;
    }
  }
}

TEST(RejectSources, LossyUtf8MatchesWhatwgDecoders) {
  auto hex = [](const std::string& s) {
    std::string out;
    char buf[3];
    for (unsigned char c : s) {
      std::snprintf(buf, sizeof(buf), "%02x", c);
      out += buf;
    }
    return out;
  };
  auto lossy = [&](const std::string& bytes) { return hex(LossyUtf8(bytes)); };
  EXPECT_EQ(lossy("a\xe2\x82"
                  "b"),
            "61efbfbd62");
  EXPECT_EQ(lossy("\xf0\x9f\x98"), "efbfbd");
  EXPECT_EQ(lossy("\xc0\x80"), "efbfbdefbfbd");
  EXPECT_EQ(lossy("\xed\xa0\x80"), "efbfbdefbfbdefbfbd");
  EXPECT_EQ(lossy("\xf4\x90\x80\x80"), "efbfbdefbfbdefbfbdefbfbd");
  EXPECT_EQ(lossy("\xe0\xa0"), "efbfbd");
  EXPECT_EQ(lossy("\xff"
                  "A"),
            "efbfbd41");
  EXPECT_EQ(lossy("\xc3\xa9"), "c3a9");
}

}  // namespace
}  // namespace lakeforge
