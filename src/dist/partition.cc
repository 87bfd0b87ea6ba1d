#include "dist/partition.h"

#include <algorithm>

namespace lakeforge {

std::vector<size_t> SplitByWeight(const std::vector<uint64_t>& weights, int ranks) {
  auto n = static_cast<size_t>(ranks < 1 ? 1 : ranks);
  std::vector<unsigned __int128> prefix(weights.size() + 1, 0);  // no overflow whatever the weights
  for (size_t i = 0; i < weights.size(); ++i) prefix[i + 1] = prefix[i] + weights[i];
  unsigned __int128 total = prefix.back();
  std::vector<size_t> bounds(n + 1, 0);
  for (size_t r = 1; r < n; ++r) {
    // Rank r starts at the first item whose preceding weight reaches r/n of the total: the item
    // that straddles a cut goes to the rank where more of it lies.
    unsigned __int128 target = total * r / n;
    size_t i = static_cast<size_t>(std::lower_bound(prefix.begin(), prefix.end(), target) - prefix.begin());
    if (i > 0 && i <= weights.size() && target - prefix[i - 1] < prefix[i] - target) --i;
    bounds[r] = std::clamp(i, bounds[r - 1], weights.size());
  }
  bounds[n] = weights.size();
  return bounds;
}

}  // namespace lakeforge
