// The per-event strings that change rarely (they belong to a user's session), interned once for
// the whole run so that an event is a fixed-size record carrying a 4-byte profile id.
//
// Every map thread interns into one shared pool, so ids are global from the start and events never
// need remapping. Ids depend on thread scheduling; nothing in the output depends on their values,
// only on the strings they stand for. A per-thread ProfileCache answers repeats without the lock.
//
// A stored profile is one contiguous encoding (its index, six lengths, then the bytes), so checking
// that a parsed profile is a stored one touches one place in memory, not six heap strings.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "base/parallel.h"

namespace lakeforge {

// Six optional strings. As parsed, they point into the input buffer; as returned by a pool, into
// the pool (valid for its lifetime).
struct Profile {
  static constexpr size_t kParts = 6;
  std::optional<std::string_view> first_name, last_name, gender, level, location, user_agent;
  bool operator==(const Profile&) const = default;
  // The six in one fixed order: the pool's encoding and the wire's between ranks.
  std::array<const std::optional<std::string_view>*, kParts> parts() const {
    return {&first_name, &last_name, &gender, &level, &location, &user_agent};
  }
  std::array<std::optional<std::string_view>*, kParts> parts() {
    return {&first_name, &last_name, &gender, &level, &location, &user_agent};
  }
};
using ProfileView = Profile;

uint64_t HashProfile(const ProfileView& v);

class ProfilePool {
 public:
  ProfilePool();
  ProfilePool(const ProfilePool&) = delete;
  ProfilePool& operator=(const ProfilePool&) = delete;

  // Unique per pool for the process's lifetime (unlike its address, which a later pool may reuse).
  uint64_t id() const { return id_; }
  // Thread-safe. `hash` is HashProfile(v). Returns the id and the stored encoding, which stays at
  // the same address for the pool's lifetime (what Matches compares with).
  std::pair<uint32_t, const char*> Intern(const ProfileView& v, uint64_t hash);
  // Fetches what Intern(v, hash) reads first (its shard's lock and table entry) into the cache.
  // Thread-safe; takes no lock.
  void Prefetch(uint64_t hash) const;
  // Whether `stored` (from Intern) holds exactly the strings of v.
  static bool Matches(const char* stored, const ProfileView& v);
  // Not thread-safe: for after the map stage. The strings live as long as the pool.
  Profile operator[](uint32_t id) const { return Decode(shards_[ShardOf(id)].stored[IndexOf(id)]); }
  // What operator[](id) reads, fetched toward the cache: the address of the encoding, then (once
  // that has arrived) its first 128 bytes. For a loop over ids in no order (users by user_id):
  // each was two misses in a row.
  void PrefetchAddress(uint32_t id) const { __builtin_prefetch(&shards_[ShardOf(id)].stored[IndexOf(id)]); }
  void PrefetchEncoding(uint32_t id) const {
    const char* stored = shards_[ShardOf(id)].stored[IndexOf(id)];
    __builtin_prefetch(stored);
    __builtin_prefetch(stored + 64);
  }
  size_t size() const;
  // One past the largest id handed out (ids are not dense: see the shards below).
  size_t id_limit() const;
  // Calls fn(id, profile) for every profile. Not while anything interns (readers may run side by
  // side).
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (uint32_t s = 0; s < kShards; ++s)
      for (uint32_t i = 0; i < shards_[s].stored.size(); ++i) fn(IdOf(i, s), Decode(shards_[s].stored[i]));
  }
  bool contains(uint32_t id) const { return IndexOf(id) < shards_[ShardOf(id)].stored.size(); }

 private:
  // Sharded by hash, so that two threads missing their caches at once rarely wait for each other;
  // an id is (index in its shard) * kShards + shard.
  static constexpr uint32_t kShards = 64;
  static uint32_t IdOf(uint32_t index, uint32_t shard) { return index * kShards + shard; }
  static uint32_t ShardOf(uint32_t id) { return id % kShards; }
  static uint32_t IndexOf(uint32_t id) { return id / kShards; }
  static Profile Decode(const char* stored);

  // The encoding itself, not its index: a lookup goes from the entry straight to the bytes it
  // compares (and the index is in the encoding's header).
  struct Entry {
    uint64_t hash = 0;
    const char* stored = nullptr;  // nullptr: empty
  };
  // Puts e in the first free slot from its hash on (the table has one).
  static void Place(std::vector<Entry>& table, Entry e);
  // Aligned so that two threads locking neighbouring shards do not share a cache line.
  struct alignas(kCacheLineBytes) Shard {
    std::mutex mu;
    std::vector<Entry> table;                     // open addressing, linear probing, at most half full
    std::vector<const char*> stored;              // index -> encoding
    std::vector<std::unique_ptr<char[]>> blocks;  // where the encodings live; never moved
    size_t block_used = 0, block_size = 0;
    // The table's address and mask as of its last growth, for Prefetch (which takes no lock).
    std::atomic<uintptr_t> table_at{0};
    std::atomic<size_t> table_mask{0};
    char* Allocate(size_t bytes);
  };
  uint64_t id_;
  std::array<Shard, kShards> shards_;
};

// A two-way set-associative cache in front of a pool, one per thread. It holds pointers into the
// pool, so it forgets everything when it is handed a different pool.
class ProfileCache {
 public:
  // `key` predicts the profile (the event's user id: a user's profile rarely changes): a hit costs
  // one comparison of the six strings with the slot's profile and no hashing of them. Any key is
  // correct; a poor one only misses more.
  uint32_t Intern(ProfilePool& pool, int64_t key, const ProfileView& v) { return Intern(pool, key, v, std::nullopt); }

  // Interning a piece of events at once. A parser stages each event's profile while its strings
  // are alive (they die with the next document) and gets a staged index; Resolve then gives every
  // staged index its pool id. A profile equal to the last one staged under the same key is not
  // staged again, so a user's run of lines costs one comparison each with hot bytes. The staged
  // profiles are interned in a tight loop that fetches the cache slots and stored profiles a few
  // profiles ahead: looked up as each line was parsed, those were cold misses on every change of
  // user, each waited for in turn.
  uint32_t Stage(int64_t key, const ProfileView& v);
  size_t staged() const { return staged_.size(); }
  // ids[i] = the pool id of staged index i; clears the stage.
  void Resolve(ProfilePool& pool, std::vector<uint32_t>* ids);
  // Forgets what is staged (a parse that threw before its Resolve).
  void DiscardStaged();

 private:
  struct Slot {
    int64_t key = 0;
    const char* stored = nullptr;
    uint32_t id = 0;
    // Whether it holds a profile of `k` (which one, only the stored bytes tell).
    bool Holds(int64_t k) const { return stored != nullptr && key == k; }
  };
  // Two slots in one cache line, the one used last first: a user whose profile goes back and forth
  // (a level that changes between sessions) keeps both, and two users whose keys share a set both
  // stay. Direct-mapped, those two cases were two thirds of the cache's misses (logs-heavy: 385k of
  // 451k), each a lookup under the pool's lock.
  struct alignas(kCacheLineBytes) Set {
    Slot way[2];
    // `s` becomes the one used last; the older of the two goes.
    void PushFront(const Slot& s) {
      way[1] = way[0];
      way[0] = s;
    }
  };
  struct Staged {
    int64_t key;
    size_t offset;  // of its encoding in staged_bytes_
  };
  // Forgets the sets when the pool is not the one they point into.
  void Bind(const ProfilePool& pool);
  Set* SetFor(int64_t key);
  // `hash`, when given, is HashProfile(v), computed ahead.
  uint32_t Intern(ProfilePool& pool, int64_t key, const ProfileView& v, std::optional<uint64_t> hash);
  // Starts small (fresh pages are costly on a VM) and doubles, up to 128 Ki sets (8 MiB), each time
  // its misses since the last growth outnumber its sets. Growing after two misses per slot, it
  // reached the size of a year's users (logs-heavy: 119k) only near the end of the run. Lookups in
  // the pool, logs-heavy on one thread: direct-mapped 451k, two-way 332k, two-way growing sooner
  // 195k (bench/results.md, #16 twenty-first round).
  std::vector<Set> sets_;
  size_t misses_ = 0;
  uint64_t pool_id_ = 0;
  // Encodings in the pool's format, back to back; grown by hand (a vector would zero its growth).
  std::unique_ptr<char[]> staged_bytes_;
  size_t staged_used_ = 0, staged_capacity_ = 0;
  std::vector<Staged> staged_;
};

}  // namespace lakeforge
