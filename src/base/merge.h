// K-way merge of sorted runs with a loser tree: log2(k) compares per element and no moves of the
// elements themselves, where sorting the concatenation costs log2(n) compares and as many moves.
// Equal elements come out in run order, so the merge is stable.
#pragma once

#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

namespace lakeforge {

template <typename T>
struct SortedRun {
  const T* begin;
  const T* end;
};

namespace merge_internal {

// Pads runs with empty ones to a power of two (the tree's leaves). Returns false when there is
// nothing to play: no run, or one, which it emits itself.
template <typename T, typename Emit>
bool Pad(std::vector<SortedRun<T>>& runs, Emit& emit) {
  size_t k = runs.size();
  if (k == 0) return false;
  if (k == 1) {
    for (const T* p = runs[0].begin; p != runs[0].end; ++p) emit(*p);
    return false;
  }
  size_t leaves = 1;
  while (leaves < k) leaves *= 2;
  runs.resize(leaves, SortedRun<T>{nullptr, nullptr});  // padding runs are empty from the start
  return true;
}

// The loser tree over `leaves` padded runs: beats(a, b) says whether run a's head goes first (an
// exhausted run beats none). winner() is the run whose head goes next; after that head moved on,
// Replay() plays its way back up to the root.
template <typename Beats>
class LoserTree {
 public:
  LoserTree(size_t leaves, Beats beats) : beats_(beats), leaves_(leaves), losers_(leaves) {
    // losers_[n] for inner node n (1..leaves-1) holds the run that lost the match there.
    std::vector<size_t> winners(2 * leaves);
    for (size_t i = 0; i < leaves; ++i) winners[leaves + i] = i;
    for (size_t n = leaves - 1; n >= 1; --n) {
      size_t a = winners[2 * n], b = winners[2 * n + 1];
      bool a_wins = beats_(a, b);
      winners[n] = a_wins ? a : b;
      losers_[n] = a_wins ? b : a;
    }
    winner_ = winners[1];
  }
  size_t winner() const { return winner_; }
  void Replay() {
    for (size_t n = (leaves_ + winner_) / 2; n >= 1; n /= 2)
      if (beats_(losers_[n], winner_)) std::swap(losers_[n], winner_);
  }

 private:
  Beats beats_;
  size_t leaves_;
  std::vector<size_t> losers_;
  size_t winner_ = 0;
};

// Every element of the padded runs through a loser tree; advanced(r) is told when run r's head
// moved on (before the tree replays it).
template <typename T, typename Beats, typename Advanced, typename Emit>
void Play(std::vector<SortedRun<T>>& runs, Beats beats, Advanced advanced, Emit& emit) {
  LoserTree<Beats> tree(runs.size(), beats);
  for (size_t w = tree.winner(); runs[w].begin != runs[w].end; w = tree.winner()) {
    emit(*runs[w].begin);
    ++runs[w].begin;
    advanced(w);
    tree.Replay();
  }
}

// Each run's head key in one small array, and the match rule on it: the smaller key wins; a tie
// (true ties, and exhausted runs, which stand at `exhausted`, the largest key) goes to a run with
// an element over an exhausted one, else to the earlier run. A match is then one comparison of two
// loads from the array, where following each run's pointer to its head cost a miss.
template <typename T, typename K, typename KeyOf>
class HeadKeys {
 public:
  HeadKeys(const std::vector<SortedRun<T>>& runs, KeyOf key_of, K exhausted)
      : runs_(runs), key_of_(key_of), exhausted_(exhausted), keys_(runs.size()) {
    for (size_t r = 0; r < runs.size(); ++r) Refresh(r);
  }
  const K& operator[](size_t r) const { return keys_[r]; }
  // Run r's head moved on.
  void Refresh(size_t r) { keys_[r] = runs_[r].begin == runs_[r].end ? exhausted_ : key_of_(*runs_[r].begin); }
  bool Beats(size_t a, size_t b) const {
    if (keys_[a] != keys_[b]) return keys_[a] < keys_[b];
    bool a_done = runs_[a].begin == runs_[a].end, b_done = runs_[b].begin == runs_[b].end;
    if (a_done != b_done) return b_done;
    return a < b;
  }

 private:
  const std::vector<SortedRun<T>>& runs_;
  KeyOf key_of_;
  K exhausted_;
  std::vector<K> keys_;
};

template <bool kStable, typename T, typename Less, typename Emit>
void Merge(std::vector<SortedRun<T>> runs, Less less, Emit emit) {
  if (!Pad(runs, emit)) return;
  // a beats b: a has an element and b has none, or a's head is smaller, or equal and a is first.
  auto beats = [&](size_t a, size_t b) {
    if (runs[a].begin == runs[a].end) return false;
    if (runs[b].begin == runs[b].end) return true;
    if (less(*runs[a].begin, *runs[b].begin)) return true;
    if constexpr (!kStable) return false;
    if (less(*runs[b].begin, *runs[a].begin)) return false;
    return a < b;
  };
  Play(runs, beats, [](size_t) {}, emit);
}

// The loser tree on keys: less(a, b) is key(a) < key(b), each run's head key kept in HeadKeys.
template <typename T, typename Key, typename Emit>
void MergeByKey(std::vector<SortedRun<T>> runs, Key key, Emit emit) {
  if (!Pad(runs, emit)) return;
  using K = decltype(key(*runs[0].begin));
  HeadKeys<T, K, Key> heads(runs, key, ~K{0});
  Play(
      runs, [&](size_t a, size_t b) { return heads.Beats(a, b); }, [&](size_t r) { heads.Refresh(r); }, emit);
}

}  // namespace merge_internal

// Calls emit(const T&) for every element of every run, in `less` order. Each run must be sorted.
template <typename T, typename Less, typename Emit>
void MergeRuns(std::vector<SortedRun<T>> runs, Less less, Emit emit) {
  merge_internal::Merge<true>(std::move(runs), less, emit);
}

// The same for runs whose elements never tie across runs under `less` (or whose ties are
// interchangeable, such as equal integers): one comparison per tree level instead of up to two,
// and no promise of run order among ties.
template <typename T, typename Less, typename Emit>
void MergeDistinctRuns(std::vector<SortedRun<T>> runs, Less less, Emit emit) {
  merge_internal::Merge<false>(std::move(runs), less, emit);
}

// MergeRuns for an order that is an unsigned integer key's (up to 128 bits): key(a) < key(b)
// exactly when a comes before b. The same output, equal keys in run order.
template <typename T, typename Key, typename Emit>
void MergeRunsByKey(std::vector<SortedRun<T>> runs, Key key, Emit emit) {
  merge_internal::MergeByKey(std::move(runs), key, emit);
}

// MergeRuns' output (equal elements in run order) for runs sorted by an order that begins with an
// integer group: group(a) < group(b) implies less(a, b) (the user of an event, whose identity order
// starts with it). The loser tree plays once per run's segment of one group, not once per element:
// the segments of the least group are taken in run order, and emitted one after the other when
// they already follow each other in order (a user's sessions in one file after another's, days
// apart), else merged among themselves. Reducing a year of daily logs, a user range merges 365
// runs: nine matches per event before, about one per user and file now.
template <typename T, typename Group, typename Less, typename Emit>
void MergeRunsByGroup(std::vector<SortedRun<T>> runs, Group group, Less less, Emit emit) {
  if (!merge_internal::Pad(runs, emit)) return;
  using G = std::invoke_result_t<Group, const T&>;
  merge_internal::HeadKeys<T, G, Group> heads(runs, group, std::numeric_limits<G>::max());
  auto beats = [&](size_t a, size_t b) { return heads.Beats(a, b); };
  merge_internal::LoserTree<decltype(beats)> tree(runs.size(), beats);
  std::vector<SortedRun<T>> segments;
  for (size_t w = tree.winner(); runs[w].begin != runs[w].end; w = tree.winner()) {
    const G g = heads[w];
    segments.clear();
    // Ties on the group go to the earlier run, so the segments come in run order.
    do {
      SortedRun<T>& run = runs[w];
      const T* end = run.begin + 1;
      while (end != run.end && group(*end) == g) ++end;
      segments.push_back({run.begin, end});
      run.begin = end;
      heads.Refresh(w);
      tree.Replay();
      w = tree.winner();
    } while (runs[w].begin != runs[w].end && heads[w] == g);
    bool in_order = true;
    for (size_t s = 1; s < segments.size() && in_order; ++s)
      in_order = !less(*segments[s].begin, *(segments[s - 1].end - 1));
    if (in_order) {
      for (const SortedRun<T>& s : segments)
        for (const T* p = s.begin; p != s.end; ++p) emit(*p);
    } else {
      MergeRuns(segments, less, emit);
    }
  }
}

}  // namespace lakeforge
