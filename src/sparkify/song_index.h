// The join index: (title, artist_name, duration) -> index of the song with the smallest song_id.
//
// Looked up once per NextSong event with views into the parsed line, so no key string is ever
// built. It is built for lookups that miss the caches: 5M events probe 200k keys in random order.
//  - Slots are 8 bytes (a 32-bit tag from the hash, the entry's offset), half full, so a probe
//    touches one cache line, and most slots whose tag matches hold the key.
//  - Each entry stores its duration, lengths and the title and artist bytes side by side in one
//    arena, so verifying a hit reads one place instead of chasing two strings on the heap.
//  - The caller can hash early and Prefetch the slot while it does other work (the parser interns
//    the event's profile in between).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace lakeforge {

class SongIndex {
 public:
  SongIndex() = default;
  // Tests pass a mask that keeps a few bits of the hash, so that keys collide in slot and tag and
  // only the byte compare tells them apart.
  explicit SongIndex(uint64_t hash_mask) : hash_mask_(hash_mask) {}

  // Same key twice: the song with the smaller song_id wins. song_id is only read during Add.
  void Add(std::string_view title, std::string_view artist, double duration, int32_t song, std::string_view song_id);
  void Reserve(size_t keys, size_t key_bytes);
  size_t size() const { return song_ids_.size(); }

  static uint64_t Hash(std::string_view title, std::string_view artist, double duration);
  // Always inline: GCC deems a prefetch free of side effects, marks a function holding only one
  // pure and deletes the calls (the binary had no prefetch until this was forced).
  [[gnu::always_inline]] void Prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & hash_mask_ & (slots_.size() - 1)]);
  }
  // -1 when no song has this key. `hash` must be Hash(title, artist, duration).
  int32_t Find(uint64_t hash, std::string_view title, std::string_view artist, double duration) const;
  int32_t Find(std::string_view title, std::string_view artist, double duration) const {
    return Find(Hash(title, artist, duration), title, artist, duration);
  }

 private:
  struct Entry {  // followed in the arena by the title bytes, then the artist bytes
    double duration;
    int32_t song;
    uint32_t ordinal;  // index into song_ids_
    uint32_t title_size, artist_size;
  };
  static constexpr uint64_t kEmpty = 0;  // a slot is (tag << 32) | (arena offset / 8 + 1)

  static size_t OffsetOf(uint64_t slot) { return ((slot & 0xFFFFFFFFu) - 1) * 8; }
  Entry EntryAt(size_t offset) const;
  bool Matches(uint64_t slot, std::string_view title, std::string_view artist, double duration) const;
  // The slot holding the key, or the empty slot where it would go.
  size_t Probe(uint64_t hash, std::string_view title, std::string_view artist, double duration) const;
  void Rehash(size_t slots);

  uint64_t hash_mask_ = ~uint64_t{0};
  std::vector<uint64_t> slots_;
  std::vector<char> arena_;  // Entry records, each at an offset that is a multiple of 8
  // By ordinal (order of first Add):
  std::vector<std::string_view> song_ids_;
  std::vector<uint64_t> entry_slots_;  // the slot value, with the full hash's tag
  std::vector<uint64_t> hashes_;
};

}  // namespace lakeforge
