// The per-event strings that change rarely (they belong to a user's session), interned once for
// the whole run so that an event is a fixed-size record carrying a 4-byte profile id.
//
// Every map thread interns into one shared pool, so ids are global from the start and events never
// need remapping. Ids depend on thread scheduling; nothing in the output depends on their values,
// only on the strings they stand for. A per-thread ProfileCache answers repeats without the lock.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lakeforge {

struct Profile {
  std::optional<std::string> first_name, last_name, gender, level, location, user_agent;
  bool operator==(const Profile&) const = default;
};

// A profile as parsed, pointing into the input buffer.
struct ProfileView {
  std::optional<std::string_view> first_name, last_name, gender, level, location, user_agent;
};

uint64_t HashProfile(const ProfileView& v);
bool SameProfile(const Profile& p, const ProfileView& v);

class ProfilePool {
 public:
  ProfilePool();
  ProfilePool(const ProfilePool&) = delete;
  ProfilePool& operator=(const ProfilePool&) = delete;

  // Unique per pool for the process's lifetime (unlike its address, which a later pool may reuse).
  uint64_t id() const { return id_; }
  // Thread-safe. `hash` is HashProfile(v). Returns the id and the stored profile, which stays at
  // the same address for the pool's lifetime.
  std::pair<uint32_t, const Profile*> Intern(const ProfileView& v, uint64_t hash);
  // Not thread-safe: for after the map stage.
  const Profile& operator[](uint32_t id) const { return shards_[ShardOf(id)].profiles[IndexOf(id)]; }
  size_t size() const;
  // One past the largest id handed out (ids are not dense: see the shards below).
  size_t id_limit() const;
  // Calls fn(id, profile) for every profile. Not thread-safe.
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (uint32_t s = 0; s < kShards; ++s)
      for (uint32_t i = 0; i < shards_[s].profiles.size(); ++i) fn(IdOf(i, s), shards_[s].profiles[i]);
  }
  bool contains(uint32_t id) const { return IndexOf(id) < shards_[ShardOf(id)].profiles.size(); }

 private:
  // Sharded by hash, so that two threads missing their caches at once rarely wait for each other;
  // an id is (index in its shard) * kShards + shard.
  static constexpr uint32_t kShards = 64;
  static uint32_t IdOf(uint32_t index, uint32_t shard) { return index * kShards + shard; }
  static uint32_t ShardOf(uint32_t id) { return id % kShards; }
  static uint32_t IndexOf(uint32_t id) { return id / kShards; }
  struct Shard {
    std::mutex mu;
    std::unordered_multimap<uint64_t, uint32_t> by_hash;  // hash -> index in this shard
    std::deque<Profile> profiles;                         // a deque: growing it never moves a stored profile
  };
  uint64_t id_;
  std::array<Shard, kShards> shards_;
};

// A direct-mapped cache in front of a pool, one per thread. It holds pointers into the pool, so it
// forgets everything when it is handed a different pool.
class ProfileCache {
 public:
  uint32_t Intern(ProfilePool& pool, const ProfileView& v);

 private:
  struct Slot {
    uint64_t hash = 0;
    const Profile* profile = nullptr;
    uint32_t id = 0;
  };
  // Starts small (fresh pages are costly on a VM) and doubles, up to 64 Ki slots (1.5 MiB: a day's
  // active sessions), while misses keep outnumbering its slots.
  std::vector<Slot> slots_;
  size_t misses_ = 0;
  uint64_t pool_id_ = 0;
};

}  // namespace lakeforge
