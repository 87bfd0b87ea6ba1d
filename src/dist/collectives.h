// Collective patterns built on the communicator seam, in terms of the pipeline's own data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dist/communicator.h"
#include "dist/wire.h"

namespace lakeforge {

namespace detail {
// Each rank encodes its range of the items; every rank (to_all) or rank 0 decodes the others'.
template <typename Put, typename Get>
void ShareRanges(Communicator& comm, const std::vector<size_t>& bounds, Put put, Get get, bool to_all) {
  auto me = static_cast<size_t>(comm.rank());
  wire::Writer w;
  for (size_t i = bounds[me]; i < bounds[me + 1]; ++i) put(i, w);
  std::vector<std::string> all = to_all ? comm.AllGather(w.Take()) : comm.Gather(w.Take());
  for (size_t r = 0; r < all.size(); ++r) {
    if (r == me) continue;
    wire::Reader in(all[r]);
    for (size_t i = bounds[r]; i < bounds[r + 1]; ++i) get(i, in);
  }
}
}  // namespace detail

// Items 0..n-1 are split into ranges, rank r holding [bounds[r], bounds[r+1]). put(i, writer)
// encodes an item of this rank; get(i, reader) decodes, on every other rank, an item of another.
// Afterwards every rank has every item.
template <typename Put, typename Get>
void AllGatherRanges(Communicator& comm, const std::vector<size_t>& bounds, Put put, Get get) {
  detail::ShareRanges(comm, bounds, put, get, true);
}

// As AllGatherRanges, but only rank 0 receives: get(i, reader) runs there for every item of the
// other ranks.
template <typename Put, typename Get>
void GatherRanges(Communicator& comm, const std::vector<size_t>& bounds, Put put, Get get) {
  detail::ShareRanges(comm, bounds, put, get, false);
}

// Every rank's value, in rank order, on every rank.
inline std::vector<uint64_t> AllGatherValue(Communicator& comm, uint64_t mine) {
  wire::Writer w;
  w.Put(mine);
  std::vector<uint64_t> out;
  for (const auto& s : comm.AllGather(w.Take())) {
    wire::Reader in(s);
    out.push_back(in.Get<uint64_t>("value"));
  }
  return out;
}

// The sum of the values of the ranks before this one.
inline uint64_t ExclusivePrefixSum(Communicator& comm, uint64_t mine) {
  std::vector<uint64_t> all = AllGatherValue(comm, mine);
  uint64_t sum = 0;
  for (int r = 0; r < comm.rank(); ++r) sum += all[static_cast<size_t>(r)];
  return sum;
}

// Every rank's vector of plain values, concatenated in rank order, on the root (empty elsewhere).
template <typename T>
std::vector<T> GatherVectors(Communicator& comm, const std::vector<T>& mine) {
  wire::Writer w;
  w.PutVector(mine);
  std::vector<T> out;
  for (const auto& s : comm.Gather(w.Take())) {
    wire::Reader in(s);
    in.GetVector(&out, "gathered values");
  }
  return out;
}

}  // namespace lakeforge
