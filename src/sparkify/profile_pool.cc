// Profile interning; see profile_pool.h.
#include "sparkify/profile_pool.h"

#include <algorithm>
#include <atomic>
#include <stdexcept>

#include "base/hash.h"
#include "sparkify/records.h"

namespace lakeforge {
namespace {

template <typename Fn>
void ForEachPart(const ProfileView& v, Fn&& fn) {
  fn(v.first_name);
  fn(v.last_name);
  fn(v.gender);
  fn(v.level);
  fn(v.location);
  fn(v.user_agent);
}

}  // namespace

ProfilePool::ProfilePool() {
  static std::atomic<uint64_t> next_id{1};
  id_ = next_id.fetch_add(1, std::memory_order_relaxed);
}

uint64_t HashProfile(const ProfileView& v) {
  // Each part hashed on its own (with its own seed, so swapping two parts changes the hash), then
  // combined: six independent multiply chains instead of one chain through all the bytes.
  uint64_t part[6];
  size_t i = 0;
  ForEachPart(v, [&](const std::optional<std::string_view>& s) {
    uint64_t seed = 0x9E3779B97F4A7C15ULL * (i + 1);
    part[i++] = s ? HashBytes(*s, seed) : seed ^ 0x5bd1e995ULL;  // absent and empty hash apart
  });
  return MixMul(MixMul(part[0] ^ 0xA0761D6478BD642FULL, part[1]) ^ part[4],
                MixMul(part[2] ^ 0xE7037ED1A0B428DBULL, part[3]) ^ part[5]);
}

bool SameProfile(const Profile& p, const ProfileView& v) {
  auto eq = [](const std::optional<std::string>& a, const std::optional<std::string_view>& b) {
    return a.has_value() == b.has_value() && (!a || std::string_view(*a) == *b);
  };
  return eq(p.first_name, v.first_name) && eq(p.last_name, v.last_name) && eq(p.gender, v.gender) &&
         eq(p.level, v.level) && eq(p.location, v.location) && eq(p.user_agent, v.user_agent);
}

std::pair<uint32_t, const Profile*> ProfilePool::Intern(const ProfileView& v, uint64_t hash) {
  // The shard comes from the high bits: the caches index by the low ones.
  auto s = static_cast<uint32_t>((hash >> 40) % kShards);
  Shard& shard = shards_[s];
  std::lock_guard<std::mutex> lock(shard.mu);
  auto [first, last] = shard.by_hash.equal_range(hash);
  for (auto it = first; it != last; ++it) {
    const Profile& p = shard.profiles[it->second];
    if (SameProfile(p, v)) return {IdOf(it->second, s), &p};
  }
  auto index = static_cast<uint32_t>(shard.profiles.size());
  if (index > (UINT32_MAX - s) / kShards) throw std::length_error("profile pool: more than 4 billion profiles");
  shard.profiles.push_back(Profile{ToOwned(v.first_name), ToOwned(v.last_name), ToOwned(v.gender), ToOwned(v.level),
                                   ToOwned(v.location), ToOwned(v.user_agent)});
  shard.by_hash.emplace(hash, index);
  return {IdOf(index, s), &shard.profiles.back()};
}

size_t ProfilePool::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) n += s.profiles.size();
  return n;
}

size_t ProfilePool::id_limit() const {
  size_t limit = 0;
  for (uint32_t s = 0; s < kShards; ++s)
    if (!shards_[s].profiles.empty())
      limit = std::max<size_t>(limit, size_t{IdOf(static_cast<uint32_t>(shards_[s].profiles.size() - 1), s)} + 1);
  return limit;
}

uint32_t ProfileCache::Intern(ProfilePool& pool, const ProfileView& v) {
  uint64_t hash = HashProfile(v);
  if (pool_id_ != pool.id()) {
    slots_.assign(1024, Slot{});
    misses_ = 0;
    pool_id_ = pool.id();
  }
  Slot& slot = slots_[hash & (slots_.size() - 1)];
  if (slot.profile != nullptr && slot.hash == hash && SameProfile(*slot.profile, v)) return slot.id;
  auto [id, profile] = pool.Intern(v, hash);
  if (++misses_ > 2 * slots_.size() && slots_.size() < (size_t{1} << 16)) {
    slots_.assign(slots_.size() * 2, Slot{});
    misses_ = 0;
    return id;
  }
  slot = Slot{hash, profile, id};
  return id;
}

}  // namespace lakeforge
