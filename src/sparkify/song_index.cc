// The join index; layout and probing in song_index.h.
#include "sparkify/song_index.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "base/hash.h"

namespace lakeforge {

uint64_t SongIndex::Hash(std::string_view title, std::string_view artist, double duration) {
  double d = duration == 0.0 ? 0.0 : duration;  // -0.0 equals 0.0 in the join, as in SQL
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  return MixMul(HashBytes(artist, HashBytes(title, bits)), 0x8EBC6AF09C88C6E3ULL);
}

SongIndex::Entry SongIndex::EntryAt(size_t offset) const {
  Entry e;
  std::memcpy(&e, arena_.data() + offset, sizeof(Entry));
  return e;
}

bool SongIndex::Matches(uint64_t slot, std::string_view title, std::string_view artist, double duration) const {
  size_t offset = OffsetOf(slot);
  Entry e = EntryAt(offset);
  if (e.duration != duration || e.title_size != title.size() || e.artist_size != artist.size()) return false;
  const char* bytes = arena_.data() + offset + sizeof(Entry);
  return std::memcmp(bytes, title.data(), title.size()) == 0 &&
         std::memcmp(bytes + title.size(), artist.data(), artist.size()) == 0;
}

size_t SongIndex::Probe(uint64_t hash, std::string_view title, std::string_view artist, double duration) const {
  hash &= hash_mask_;
  size_t mask = slots_.size() - 1;
  uint64_t tag = hash >> 32;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint64_t s = slots_[i];
    if (s == kEmpty) return i;
    if ((s >> 32) == tag && Matches(s, title, artist, duration)) return i;
  }
}

void SongIndex::Reserve(size_t keys, size_t key_bytes) {
  size_t slots = 16;
  while (slots < 2 * keys) slots *= 2;
  if (slots > slots_.size()) Rehash(slots);
  arena_.reserve(keys * (sizeof(Entry) + 8) + key_bytes);
  song_ids_.reserve(keys);
  entry_slots_.reserve(keys);
  hashes_.reserve(keys);
}

void SongIndex::Rehash(size_t slots) {
  slots_.assign(slots, kEmpty);
  for (size_t k = 0; k < entry_slots_.size(); ++k) {
    size_t i = hashes_[k] & (slots - 1);
    while (slots_[i] != kEmpty) i = (i + 1) & (slots - 1);
    slots_[i] = entry_slots_[k];
  }
}

void SongIndex::Add(std::string_view title, std::string_view artist, double duration, int32_t song,
                    std::string_view song_id) {
  if (2 * (song_ids_.size() + 1) > slots_.size()) Rehash(std::max<size_t>(16, 2 * slots_.size()));
  uint64_t hash = Hash(title, artist, duration) & hash_mask_;
  size_t i = Probe(hash, title, artist, duration);
  if (slots_[i] == kEmpty) {
    size_t offset = arena_.size();
    if (offset / 8 + 1 > 0xFFFFFFFFu) throw std::length_error("song index: more than 32 GiB of keys");
    Entry e{duration, song, static_cast<uint32_t>(song_ids_.size()), static_cast<uint32_t>(title.size()),
            static_cast<uint32_t>(artist.size())};
    size_t bytes = sizeof(Entry) + title.size() + artist.size();
    arena_.resize(offset + (bytes + 7) / 8 * 8);
    std::memcpy(arena_.data() + offset, &e, sizeof(Entry));
    std::memcpy(arena_.data() + offset + sizeof(Entry), title.data(), title.size());
    std::memcpy(arena_.data() + offset + sizeof(Entry) + title.size(), artist.data(), artist.size());
    slots_[i] = (hash >> 32 << 32) | (offset / 8 + 1);
    entry_slots_.push_back(slots_[i]);
    hashes_.push_back(hash);
    song_ids_.push_back(song_id);
    return;
  }
  size_t offset = OffsetOf(slots_[i]);
  Entry e = EntryAt(offset);
  if (song_id < song_ids_[e.ordinal]) {
    song_ids_[e.ordinal] = song_id;
    e.song = song;
    std::memcpy(arena_.data() + offset, &e, sizeof(Entry));
  }
}

int32_t SongIndex::Find(uint64_t hash, std::string_view title, std::string_view artist, double duration) const {
  if (slots_.empty()) return -1;
  uint64_t s = slots_[Probe(hash, title, artist, duration)];
  return s == kEmpty ? -1 : EntryAt(OffsetOf(s)).song;
}

}  // namespace lakeforge
