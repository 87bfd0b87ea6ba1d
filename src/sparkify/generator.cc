// Deterministic lake generator; see generator.h. All randomness comes from SplitMix64 streams
// seeded from (seed, purpose, index) so that output is identical for any thread count.
#include "sparkify/generator.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

#include "base/error.h"
#include "base/parallel.h"
#include "formats/json/json_string.h"
#include "sparkify/calendar.h"

namespace lakeforge {
namespace {

class Rng {
 public:
  Rng(uint64_t seed, uint64_t stream, uint64_t index) : s_(seed * 0x9E3779B97F4A7C15ULL ^ (stream << 48) ^ index) {
    Next();
    Next();
  }
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  // Skewed pick in [0, n): small indices are much more likely (a power-law tail).
  uint64_t Skewed(uint64_t n) {
    return n == 0 ? 0 : std::min<uint64_t>(n - 1, static_cast<uint64_t>(n * std::pow(Unit(), 3.0)));
  }

 private:
  uint64_t s_;
};

const char* kFirst[] = {"Jayden",  "Jacob", "Kaylee",   "Walter", "Lily",    "Chloe",   "Aleena",
                        "Tegan",   "Ryan",  "Mohammad", "Sara",   "Matthew", "Jizelle", "Ava",
                        "Cecilia", "Kate",  "Emily",    "Noah",   "Layla",   "Théo"};
const char* kLast[] = {"Bell",   "Klein",   "Summers",   "Frye",    "Koch",   "Cuevas",   "Kirby",
                       "Levine", "Smith",   "Rodriguez", "Johnson", "Jones",  "Benjamin", "Robinson",
                       "Owens",  "Harrell", "Patel",     "O'Brien", "Nguyen", "Müller"};
const char* kCities[] = {"Dallas-Fort Worth-Arlington, TX",
                         "Tampa-St. Petersburg-Clearwater, FL",
                         "San Francisco-Oakland-Hayward, CA",
                         "Phoenix-Mesa-Scottsdale, AZ",
                         "New York-Newark-Jersey City, NY-NJ-PA",
                         "Chicago-Naperville-Elgin, IL-IN-WI",
                         "Atlanta-Sandy Springs-Roswell, GA",
                         "Portland-South Portland, ME",
                         "Lansing-East Lansing, MI",
                         "Birmingham-Hoover, AL"};
const char* kAgents[] = {
    "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 "
    "Safari/537.36\"",
    "\"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/35.0.1916.153 Safari/537.36\"",
    "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; WOW64; Trident/6.0)",
    "\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/36.0.1985.125 "
    "Chrome/36.0.1985.125 Safari/537.36\"",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0"};
const char* kWords[] = {"Love",  "Night", "Shell", "Shock", "Dead",  "Women", "Weight", "Ten",
                        "Tonne", "Blue",  "Fire",  "Dream", "Road",  "Heart", "Rain",   "Song",
                        "Time",  "Girl",  "Home",  "Light", "Dance", "Soul",  "Money",  "City",
                        "Gold",  "Sky",   "Ocean", "Moon",  "Wild",  "Ghost", "Café",   "Señor"};
const char* kOtherPages[] = {"Home",      "Logout",      "Settings", "Help",      "About",         "Add to Playlist",
                             "Thumbs Up", "Thumbs Down", "Upgrade",  "Downgrade", "Save Settings", "Roll Advert"};

std::string Id(Rng& r, const char* prefix, size_t len) {
  static const char* kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string s(prefix);
  while (s.size() < len) s.push_back(kAlnum[r.Below(36)]);
  return s;
}

std::string Words(Rng& r, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s.push_back(' ');
    s += kWords[r.Below(sizeof(kWords) / sizeof(*kWords))];
  }
  return s;
}

std::string JsonStr(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

struct Artist {
  std::string id, name, location;
  bool numeric_name;
  bool has_coords;
  double lat, lon;
};
struct Song {
  std::string track, song_id, title;
  uint32_t artist;
  double duration;
  int year;
};
struct User {
  int64_t id;
  std::string first, last, gender, location;
  uint32_t agent;
  bool paid;
};

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

// Replaces the string value of `"field":` with `value` (a JSON number or boolean). Returns false
// when the field is absent or not a string.
bool ReplaceStringValue(std::string* line, std::string_view field, std::string_view value) {
  std::string key = "\"" + std::string(field) + "\":";
  size_t p = line->find(key);
  if (p == std::string::npos) return false;
  size_t start = p + key.size();
  while (start < line->size() && (*line)[start] == ' ') ++start;
  if (start >= line->size() || (*line)[start] != '"') return false;
  size_t end = start + 1;
  while (end < line->size() && (*line)[end] != '"') end += (*line)[end] == '\\' ? 2 : 1;
  line->replace(start, end + 1 - start, value);
  return true;
}

// Damages a record the way real lakes do. Returns the damaged text.
std::string Damage(Rng& r, std::string line, bool is_log) {
  switch (r.Below(7)) {
    case 6: {  // a number or boolean where a string is expected: kept as its text, not rejected
      static const char* kLogFields[] = {"artist", "song",  "firstName", "lastName",
                                         "gender", "level", "location",  "userAgent"};
      static const char* kSongFields[] = {"title", "artist_name", "artist_location", "song_id", "artist_id"};
      static const char* kValues[] = {"112", "27", "-0.5", "1e3", "true", "false", "0"};
      const char* value = kValues[r.Below(7)];
      if (is_log ? ReplaceStringValue(&line, kLogFields[r.Below(8)], value)
                 : ReplaceStringValue(&line, kSongFields[r.Below(5)], value))
        return line;
      return line + " trailing";
    }
    case 0: return line.substr(0, line.size() / 2);  // truncated
    case 1: {                                        // invalid UTF-8
      line.insert(line.size() / 2, "\xC3\x28");
      return line;
    }
    case 2: return "{not json at all";
    case 3:
      if (is_log) {
        auto p = line.find("\"ts\":");
        if (p != std::string::npos) {
          auto e = line.find(',', p);
          return line.substr(0, p) + "\"ts\":\"yesterday\"" + line.substr(e);
        }
      }
      return "[1,2,3]";
    case 4:
      if (is_log) {
        auto p = line.find("\"userId\":\"");
        if (p != std::string::npos) return line.substr(0, p) + "\"userId\":\"abc\"}";
      } else {
        auto p = line.find("\"song_id\": ");
        if (p != std::string::npos) return line.substr(0, p) + "\"song_id\": null}";
      }
      return line.substr(1);
    default:
      if (is_log) {
        auto p = line.find(",\"userId\"");
        if (p != std::string::npos) return line.substr(0, p) + "}";
      }
      return line + " trailing";
  }
}

}  // namespace

GenerateReport GenerateLake(FileSystem& fs, const GenerateOptions& o) {
  if (o.dirty_rate < 0 || o.dirty_rate > 1) throw Error::Usage("--dirty-rate must be between 0 and 1");
  int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  GenerateReport report;
  std::string song_root = JoinPath(o.output, "song_data"), log_root = JoinPath(o.output, "log_data");

  // Catalogue: artists, then songs (some song_ids repeated in a second file, as in real dumps).
  uint64_t n_artists = std::max<uint64_t>(1, o.songs / 3);
  std::vector<Artist> artists(n_artists);
  for (uint64_t a = 0; a < n_artists; ++a) {
    Rng r(o.seed, 1, a);
    Artist& ar = artists[a];
    ar.id = Id(r, "AR", 18);
    ar.name = Words(r, 1 + static_cast<int>(r.Below(3)));
    ar.location = r.Chance(0.4) ? "" : kCities[r.Below(10)];
    ar.has_coords = r.Chance(0.45);
    ar.lat = std::round((r.Unit() * 120 - 50) * 1e5) / 1e5;
    ar.lon = std::round((r.Unit() * 300 - 150) * 1e5) / 1e5;
    // Some artists are named by a number, and their song files say so as a JSON number, as the
    // real Million Song files do ("artist_name": 112); the event logs quote it.
    Rng numbered(o.seed, 8, a);
    ar.numeric_name = numbered.Chance(0.02);
    if (ar.numeric_name) ar.name = std::to_string(1 + numbered.Below(999));
  }
  std::vector<Song> songs(o.songs);
  for (uint64_t s = 0; s < o.songs; ++s) {
    Rng r(o.seed, 2, s);
    Song& so = songs[s];
    so.track = "TR";  // MSD track ids: TR + three letters (the folder path) + 13 alphanumerics
    for (int k = 0; k < 3; ++k) so.track.push_back(static_cast<char>('A' + r.Below(26)));
    so.track = Id(r, so.track.c_str(), 18);
    so.song_id = (s > 10 && r.Chance(0.01)) ? songs[r.Below(s)].song_id : Id(r, "SO", 18);
    so.title = Words(r, 1 + static_cast<int>(r.Below(4)));
    so.artist = static_cast<uint32_t>(r.Below(n_artists));
    so.duration = std::round((60 + r.Unit() * 400) * 1e5) / 1e5;
    so.year = r.Chance(0.5) ? 0 : 1960 + static_cast<int>(r.Below(60));
  }

  std::atomic<uint64_t> bytes{0}, dirty{0};
  ParallelFor(songs.size(), threads, [&](size_t s, int) {
    Rng r(o.seed, 3, s);
    const Song& so = songs[s];
    const Artist& ar = artists[so.artist];
    // Artist fields vary a little between an artist's songs: completeness decides the artists row.
    bool coords = ar.has_coords && !r.Chance(0.2);
    std::string text = "{\"num_songs\": 1, \"artist_id\": " + JsonStr(ar.id) +
                       ", \"artist_latitude\": " + (coords ? Fmt("%.5f", ar.lat) : "null") +
                       ", \"artist_longitude\": " + (coords ? Fmt("%.5f", ar.lon) : "null") +
                       ", \"artist_location\": " + JsonStr(r.Chance(0.1) ? "" : ar.location) +
                       ", \"artist_name\": " + (ar.numeric_name ? ar.name : JsonStr(ar.name)) +
                       ", \"song_id\": " + JsonStr(so.song_id) + ", \"title\": " + JsonStr(so.title) +
                       ", \"duration\": " + Fmt("%.5f", so.duration) + ", \"year\": " + std::to_string(so.year) + "}";
    // Damage draws from its own stream: the same seed without damage gives the same lake, less
    // exactly the damaged records (the tests count them that way).
    if (Rng damage(o.seed, 6, s); o.dirty_rate > 0 && damage.Chance(o.dirty_rate)) {
      text = damage.Chance(0.1) ? "" : Damage(damage, text, false);
      dirty.fetch_add(1);
    }
    std::string dir =
        JoinPath(JoinPath(JoinPath(song_root, so.track.substr(2, 1)), so.track.substr(3, 1)), so.track.substr(4, 1));
    auto out = fs.OpenOutputStream(JoinPath(dir, so.track + ".json"));
    out->Write(text);
    out->Close();
    bytes.fetch_add(text.size());
    if (s == 0) {  // a notebook's stray copy, which readers must skip
      auto cp = fs.OpenOutputStream(JoinPath(JoinPath(dir, ".ipynb_checkpoints"), so.track + "-checkpoint.json"));
      cp->Write(text);
      cp->Close();
    }
  });
  report.song_files = songs.size();

  // Users with skewed activity.
  uint64_t n_users = std::max<uint64_t>(10, o.events / 80);
  std::vector<User> users(n_users);
  for (uint64_t u = 0; u < n_users; ++u) {
    Rng r(o.seed, 4, u);
    User& us = users[u];
    us.id = static_cast<int64_t>(u + 2);
    us.first = kFirst[r.Below(20)];
    us.last = kLast[r.Below(20)];
    us.gender = r.Chance(0.5) ? "F" : "M";
    us.location = kCities[r.Below(10)];
    us.agent = static_cast<uint32_t>(r.Below(5));
    us.paid = r.Chance(0.3);
  }

  // Days: a month for small lakes, up to a year for large ones. Each day is generated
  // independently from its own stream, with sessions numbered per day so ids never collide.
  uint64_t days = o.days > 0 ? o.days : std::clamp<uint64_t>(o.events / 20000, 30, 365);
  int64_t day0 = DaysFromCivil(2018, 11, 1);
  ParallelFor(days, threads, [&](size_t d, int) {
    Rng r(o.seed, 5, d);
    uint64_t todays = o.events / days + (d < o.events % days ? 1 : 0);
    int64_t day_start = (day0 + static_cast<int64_t>(d)) * 86'400'000LL;
    std::vector<int64_t> ts(todays);
    for (auto& t : ts) t = day_start + static_cast<int64_t>(r.Below(86'400'000ULL));
    std::sort(ts.begin(), ts.end());
    std::string text;
    text.reserve(todays * 400);
    int64_t session = static_cast<int64_t>(d) * 100000 + 1;
    uint64_t item = 0;
    const User* user = &users[r.Skewed(n_users)];
    std::string prev_line;
    Rng damage(o.seed, 7, d);
    for (uint64_t i = 0; i < todays; ++i) {
      if (item == 0 || r.Chance(0.08)) {  // a new session
        user = &users[r.Skewed(n_users)];
        ++session;
        item = 0;
      }
      bool logged_out = r.Chance(0.02);
      bool next_song = !logged_out && r.Chance(0.8);
      std::string line;
      if (next_song && !prev_line.empty() && r.Chance(0.005)) {
        line = prev_line;  // a repeated identity, sent again by a retrying shipper
      } else {
        std::string artist = "null", song = "null", length = "null";
        if (next_song) {
          if (r.Chance(0.6) && !songs.empty()) {
            const Song& so = songs[r.Skewed(songs.size())];
            artist = JsonStr(artists[so.artist].name);
            song = JsonStr(so.title);
            length = Fmt("%.5f", so.duration);
          } else {
            artist = JsonStr(Words(r, 2));
            song = JsonStr(Words(r, 3));
            length = Fmt("%.5f", std::round((60 + r.Unit() * 400) * 1e5) / 1e5);
          }
        }
        bool paid = user->paid ^ (r.Chance(0.01));
        line = "{\"artist\":" + artist + ",\"auth\":\"" + (logged_out ? "Logged Out" : "Logged In") +
               "\",\"firstName\":" + (logged_out ? "null" : JsonStr(user->first)) +
               ",\"gender\":" + (logged_out ? "null" : JsonStr(user->gender)) +
               ",\"itemInSession\":" + std::to_string(item) +
               ",\"lastName\":" + (logged_out ? "null" : JsonStr(user->last)) + ",\"length\":" + length +
               ",\"level\":\"" + (paid ? "paid" : "free") +
               "\",\"location\":" + (logged_out ? "null" : JsonStr(user->location)) + ",\"method\":\"" +
               (next_song ? "PUT" : "GET") + "\",\"page\":\"" +
               (next_song ? "NextSong" : (logged_out ? "Home" : kOtherPages[r.Below(12)])) +
               "\",\"registration\":" + (logged_out ? "null" : "1540919166796.0") +
               ",\"sessionId\":" + std::to_string(session) + ",\"song\":" + song +
               ",\"status\":200,\"ts\":" + std::to_string(ts[i]) +
               ",\"userAgent\":" + (logged_out ? "null" : JsonStr(kAgents[user->agent])) + ",\"userId\":\"" +
               (logged_out ? "" : std::to_string(user->id)) + "\"}";
        ++item;
      }
      prev_line = line;
      if (o.dirty_rate > 0 && damage.Chance(o.dirty_rate)) {
        line = Damage(damage, line, true);
        dirty.fetch_add(1);
      }
      if (i) text.push_back('\n');
      text += line;
    }
    CalendarFields f = CalendarOf(day_start);
    char name[64];
    std::snprintf(name, sizeof(name), "%04d/%02d/%04d-%02d-%02d-events.json", f.year, f.month, f.year, f.month, f.day);
    auto out = fs.OpenOutputStream(JoinPath(log_root, name));
    out->Write(text);
    out->Close();
    bytes.fetch_add(text.size());
  });
  report.log_files = days;
  report.events = o.events;
  report.bytes = bytes.load();
  report.dirty_records = dirty.load();
  return report;
}

}  // namespace lakeforge
