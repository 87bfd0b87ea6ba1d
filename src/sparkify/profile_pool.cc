// Profile interning; see profile_pool.h.
#include "sparkify/profile_pool.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "base/hash.h"

namespace lakeforge {
namespace {

constexpr size_t kParts = Profile::kParts;
constexpr uint32_t kAbsent = UINT32_MAX;
// An encoding: its index in the shard (so that a table entry need not hold it), the six lengths
// (kAbsent for an absent string), then the bytes of the present ones.
constexpr size_t kIndexBytes = sizeof(uint32_t);
constexpr size_t kHeaderBytes = kIndexBytes + kParts * sizeof(uint32_t);

// A part's length as the encoding stores it.
uint32_t EncodedLength(const std::optional<std::string_view>& part) {
  return part ? static_cast<uint32_t>(part->size()) : kAbsent;
}

// The encoding's size; fills len with the six lengths.
size_t EncodedBytes(const ProfileView& v, uint32_t (&len)[kParts]) {
  auto parts = v.parts();
  size_t bytes = kHeaderBytes;
  for (size_t i = 0; i < kParts; ++i) {
    if (*parts[i] && (*parts[i])->size() >= kAbsent)
      throw std::length_error("profile pool: a profile string of 4 GiB or more");
    len[i] = EncodedLength(*parts[i]);
    bytes += *parts[i] ? len[i] : 0;
  }
  return bytes;
}

// Writes v's encoding (EncodedBytes long) to out.
void Encode(const ProfileView& v, const uint32_t (&len)[kParts], uint32_t index, char* out) {
  std::memcpy(out, &index, sizeof index);
  std::memcpy(out + kIndexBytes, len, sizeof len);
  out += kHeaderBytes;
  auto parts = v.parts();
  for (size_t i = 0; i < kParts; ++i) {
    if (!*parts[i]) continue;
    std::memcpy(out, (*parts[i])->data(), len[i]);
    out += len[i];
  }
}

Profile DecodeProfile(const char* stored) {
  const char* lens = stored + kIndexBytes;
  const char* bytes = stored + kHeaderBytes;
  auto next = [&](size_t i) -> std::optional<std::string_view> {  // in the encoding's order
    uint32_t len;
    std::memcpy(&len, lens + i * sizeof len, sizeof len);
    if (len == kAbsent) return std::nullopt;
    std::string_view s(bytes, len);
    bytes += len;
    return s;
  };
  // Each part built in place, in order (aggregate initialisation is sequenced): a default Profile
  // filled afterwards was 144 bytes zeroed by a `rep stos` per call first.
  return Profile{.first_name = next(0),
                 .last_name = next(1),
                 .gender = next(2),
                 .level = next(3),
                 .location = next(4),
                 .user_agent = next(5)};
}

}  // namespace

ProfilePool::ProfilePool() {
  static std::atomic<uint64_t> next_id{1};
  id_ = next_id.fetch_add(1, std::memory_order_relaxed);
}

uint64_t HashProfile(const ProfileView& v) {
  // Each part hashed on its own (with its own seed, so swapping two parts changes the hash), then
  // combined: six independent multiply chains instead of one chain through all the bytes.
  uint64_t part[kParts];
  auto parts = v.parts();
  for (size_t i = 0; i < kParts; ++i) {
    uint64_t seed = 0x9E3779B97F4A7C15ULL * (i + 1);
    part[i] = *parts[i] ? HashBytes(**parts[i], seed) : seed ^ 0x5bd1e995ULL;  // absent and empty hash apart
  }
  return MixMul(MixMul(part[0] ^ 0xA0761D6478BD642FULL, part[1]) ^ part[4],
                MixMul(part[2] ^ 0xE7037ED1A0B428DBULL, part[3]) ^ part[5]);
}

bool ProfilePool::Matches(const char* stored, const ProfileView& v) {
  // The six lengths as three 8-byte words made in registers, against the stored ones: written to
  // an array and read back 8 bytes at a time, each read waited on two 4-byte stores the CPU could
  // not forward to it. Then the bytes, field by field: no calls, the strings are short.
  auto pair = [](uint32_t first, uint32_t second) -> uint64_t {  // as two uint32_t side by side
    if constexpr (std::endian::native == std::endian::little) return first | uint64_t{second} << 32;
    return uint64_t{first} << 32 | second;
  };
  const char* lens = stored + kIndexBytes;
  if (((Load64(lens) ^ pair(EncodedLength(v.first_name), EncodedLength(v.last_name))) |
       (Load64(lens + 8) ^ pair(EncodedLength(v.gender), EncodedLength(v.level))) |
       (Load64(lens + 16) ^ pair(EncodedLength(v.location), EncodedLength(v.user_agent)))) != 0)
    return false;
  const char* bytes = stored + kHeaderBytes;
  auto same = [&bytes](const std::optional<std::string_view>& p) {
    if (!p) return true;
    bool equal = BytesEqual(bytes, p->data(), p->size());
    bytes += p->size();
    return equal;
  };
  // The encoding's order (Profile::parts).
  return same(v.first_name) && same(v.last_name) && same(v.gender) && same(v.level) && same(v.location) &&
         same(v.user_agent);
}

Profile ProfilePool::Decode(const char* stored) { return DecodeProfile(stored); }

char* ProfilePool::Shard::Allocate(size_t bytes) {
  constexpr size_t kBlockBytes = size_t{64} << 10;
  if (bytes > kBlockBytes / 4) {  // a large profile gets a block of its own
    blocks.push_back(std::make_unique_for_overwrite<char[]>(bytes));
    char* own = blocks.back().get();
    if (blocks.size() > 1) std::swap(blocks.back(), blocks[blocks.size() - 2]);  // the last block stays current
    return own;
  }
  if (blocks.empty() || block_used + bytes > block_size) {
    blocks.push_back(std::make_unique_for_overwrite<char[]>(kBlockBytes));
    block_used = 0;
    block_size = kBlockBytes;
  }
  char* at = blocks.back().get() + block_used;
  block_used += bytes;
  return at;
}

std::pair<uint32_t, const char*> ProfilePool::Intern(const ProfileView& v, uint64_t hash) {
  // The shard comes from the high bits: the caches and the tables index by the low ones.
  auto s = static_cast<uint32_t>((hash >> 40) % kShards);
  Shard& shard = shards_[s];
  std::lock_guard<std::mutex> lock(shard.mu);
  if (!shard.table.empty()) {
    const size_t mask = shard.table.size() - 1;
    for (size_t at = hash & mask;; at = (at + 1) & mask) {
      const Entry& e = shard.table[at];
      if (e.stored == nullptr) break;
      if (e.hash == hash && Matches(e.stored, v)) {
        uint32_t index;
        std::memcpy(&index, e.stored, sizeof index);
        return {IdOf(index, s), e.stored};
      }
    }
  }
  auto index = static_cast<uint32_t>(shard.stored.size());
  if (index > (UINT32_MAX - s) / kShards - 1) throw std::length_error("profile pool: more than 4 billion profiles");
  uint32_t len[kParts];
  size_t bytes = EncodedBytes(v, len);
  char* stored = shard.Allocate(bytes);
  Encode(v, len, index, stored);
  shard.stored.push_back(stored);
  if (2 * shard.stored.size() > shard.table.size()) {  // keep the table at most half full
    std::vector<Entry> grown(std::max<size_t>(64, 2 * shard.table.size()));
    for (const Entry& e : shard.table)
      if (e.stored != nullptr) Place(grown, e);
    shard.table.swap(grown);
    shard.table_at.store(reinterpret_cast<uintptr_t>(shard.table.data()), std::memory_order_relaxed);
    shard.table_mask.store(shard.table.size() - 1, std::memory_order_relaxed);
  }
  Place(shard.table, Entry{.hash = hash, .stored = stored});
  return {IdOf(index, s), stored};
}

void ProfilePool::Prefetch(uint64_t hash) const {
  const Shard& shard = shards_[(hash >> 40) % kShards];
  __builtin_prefetch(&shard.mu, 1);
  // The address and mask may be from two growths (the table is published without a lock): the
  // fetch may then miss its entry, or touch memory the table has left. A prefetch never faults.
  uintptr_t at = shard.table_at.load(std::memory_order_relaxed);
  if (at != 0)
    __builtin_prefetch(
        reinterpret_cast<const void*>(at + (hash & shard.table_mask.load(std::memory_order_relaxed)) * sizeof(Entry)));
}

void ProfilePool::Place(std::vector<Entry>& table, Entry e) {
  size_t mask = table.size() - 1;
  size_t at = e.hash & mask;
  while (table[at].stored != nullptr) at = (at + 1) & mask;
  table[at] = e;
}

size_t ProfilePool::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) n += s.stored.size();
  return n;
}

size_t ProfilePool::id_limit() const {
  size_t limit = 0;
  for (uint32_t s = 0; s < kShards; ++s)
    if (!shards_[s].stored.empty())
      limit = std::max<size_t>(limit, size_t{IdOf(static_cast<uint32_t>(shards_[s].stored.size() - 1), s)} + 1);
  return limit;
}

namespace {
// Fibonacci hashing: user ids are small consecutive integers; their high product bits spread.
size_t SetOf(int64_t key, size_t sets) {
  return static_cast<size_t>((static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ULL) >> (64 - std::countr_zero(sets)));
}
}  // namespace

void ProfileCache::Bind(const ProfilePool& pool) {
  if (pool_id_ == pool.id()) return;
  sets_.assign(512, Set{});
  misses_ = 0;
  pool_id_ = pool.id();
}

ProfileCache::Set* ProfileCache::SetFor(int64_t key) { return &sets_[SetOf(key, sets_.size())]; }

uint32_t ProfileCache::Intern(ProfilePool& pool, int64_t key, const ProfileView& v, std::optional<uint64_t> hash) {
  Bind(pool);
  Set* set = SetFor(key);
  Slot* way = set->way;
  if (way[0].Holds(key) && ProfilePool::Matches(way[0].stored, v)) return way[0].id;
  if (way[1].Holds(key) && ProfilePool::Matches(way[1].stored, v)) {
    std::swap(way[0], way[1]);
    return way[0].id;
  }
  auto [id, stored] = pool.Intern(v, hash ? *hash : HashProfile(v));
  if (++misses_ > sets_.size() && sets_.size() < (size_t{1} << 17)) {
    // Grown with what it holds: cleared, every user it held would miss once more. Every set's older
    // slot is moved first, then the newer ones in front of them: where more than two land in one
    // set, the most recently used stay.
    std::vector<Set> grown(sets_.size() * 2);
    for (int w = 1; w >= 0; --w)
      for (const Set& s : sets_) {
        const Slot& slot = s.way[w];
        if (slot.stored != nullptr) grown[SetOf(slot.key, grown.size())].PushFront(slot);
      }
    sets_.swap(grown);
    misses_ = 0;
    set = SetFor(key);
  }
  set->PushFront(Slot{.key = key, .stored = stored, .id = id});
  return id;
}

uint32_t ProfileCache::Stage(int64_t key, const ProfileView& v) {
  if (!staged_.empty() && staged_.back().key == key &&
      ProfilePool::Matches(staged_bytes_.get() + staged_.back().offset, v))
    return static_cast<uint32_t>(staged_.size() - 1);
  if (staged_.size() >= kAbsent) throw std::length_error("profile cache: more than 4 billion staged profiles");
  uint32_t len[kParts];
  size_t bytes = EncodedBytes(v, len);
  if (staged_used_ + bytes > staged_capacity_) {
    size_t grown = std::max({staged_used_ + bytes, 2 * staged_capacity_, size_t{64} << 10});
    auto bigger = std::make_unique_for_overwrite<char[]>(grown);
    if (staged_used_ > 0) std::memcpy(bigger.get(), staged_bytes_.get(), staged_used_);
    staged_bytes_ = std::move(bigger);
    staged_capacity_ = grown;
  }
  Encode(v, len, 0, staged_bytes_.get() + staged_used_);
  staged_.push_back({.key = key, .offset = staged_used_});
  staged_used_ += bytes;
  return static_cast<uint32_t>(staged_.size() - 1);
}

void ProfileCache::Resolve(ProfilePool& pool, std::vector<uint32_t>* ids) {
  Bind(pool);
  const size_t n = staged_.size();
  ids->resize(n);
  // Sets kAhead profiles ahead, the stored profiles a set holds for that user half as far (by then
  // its set has arrived). Intern may grow the sets: each fetch recomputes its set.
  // A set that holds nothing of that user foretells a miss: its profile is hashed then, and the
  // pool's entry fetched too.
  constexpr size_t kAhead = 8, kHalf = kAhead / 2;
  std::optional<uint64_t> hashes[kHalf + 1];
  for (size_t i = 0; i < std::min(n, kAhead); ++i) __builtin_prefetch(SetFor(staged_[i].key));
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) __builtin_prefetch(SetFor(staged_[i + kAhead].key));
    if (i + kHalf < n) {
      const Staged& next = staged_[i + kHalf];
      const Slot* ahead = SetFor(next.key)->way;
      std::optional<uint64_t>& h = hashes[(i + kHalf) % (kHalf + 1)];
      h.reset();
      bool held = false;
      for (int w = 0; w < 2; ++w)
        if (ahead[w].Holds(next.key)) {
          held = true;
          __builtin_prefetch(ahead[w].stored);
          __builtin_prefetch(ahead[w].stored + 64);
          __builtin_prefetch(ahead[w].stored + 128);
        }
      if (!held) {
        h = HashProfile(DecodeProfile(staged_bytes_.get() + next.offset));
        pool.Prefetch(*h);
      }
    }
    std::optional<uint64_t> h = i < kHalf ? std::nullopt : hashes[i % (kHalf + 1)];
    (*ids)[i] = Intern(pool, staged_[i].key, DecodeProfile(staged_bytes_.get() + staged_[i].offset), h);
  }
  DiscardStaged();
}

void ProfileCache::DiscardStaged() {
  staged_.clear();
  staged_used_ = 0;
  // A piece of huge lines may have grown the stage: give that back rather than keep it per thread.
  if (staged_capacity_ > (size_t{16} << 20)) {
    staged_bytes_.reset();
    staged_capacity_ = 0;
  }
}

}  // namespace lakeforge
