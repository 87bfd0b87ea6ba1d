// Who does what, for any number of ranks: contiguous ranges of an ordered list balanced by weight
// (input files, months), and one owner per partition of a table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lakeforge {

// Cuts items 0..n-1 (in order) into `ranks` contiguous ranges of about equal total weight: rank r
// owns [bounds[r], bounds[r+1]). bounds has ranks + 1 entries, bounds[0] = 0, bounds[ranks] = n,
// never decreasing; a rank may own nothing (more ranks than items, or one heavy item).
std::vector<size_t> SplitByWeight(const std::vector<uint64_t>& weights, int ranks);

// The weight of an input file for splitting reads: its bytes plus a fixed cost per file (opening
// and listing a small file costs about as much as reading this many bytes).
inline uint64_t FileWeight(uint64_t bytes) { return bytes + (uint64_t{64} << 10); }

// The rank that writes partition p of a table every rank holds whole: round robin, so the many
// small partitions of a big table spread evenly and partition 0 (an unpartitioned table's only
// file) is rank 0's.
inline int PartitionOwner(size_t partition, int ranks) {
  return static_cast<int>(partition % static_cast<size_t>(ranks));
}

}  // namespace lakeforge
