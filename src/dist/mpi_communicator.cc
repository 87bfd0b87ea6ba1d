// The communicator on Open MPI (C API; OMPI_SKIP_MPICXX keeps the C++ bindings out).
//
// Every collective first agrees on 64-bit byte counts, then moves the payload in rounds: in one
// round a rank sends at most round_bytes in all (round_bytes / size to each peer), so every int
// count and displacement MPI sees stays far below INT_MAX, and the round's buffers are bounded.
#include <mpi.h>

#include <algorithm>
#include <cstring>

#include "base/error.h"
#include "dist/communicator.h"

namespace lakeforge {
namespace {

class MpiCommunicator final : public Communicator {
 public:
  static constexpr int kAllToAllTag = 17;
  MpiCommunicator() {
    int ready = 0;
    MPI_Initialized(&ready);
    if (!ready) {
      int provided = 0;
      // Only the thread that made the communicator calls MPI; the worker threads never do.
      if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        throw Error::Io("MPI_Init_thread failed: is this process started by mpirun or srun --mpi=pmix?");
      owns_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCommunicator() override {
    int done = 0;
    MPI_Finalized(&done);
    if (owns_ && !done) MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  const char* name() const override { return "mpi"; }

  void Broadcast(std::string* data) override {
    uint64_t n = data->size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (rank_ != 0) data->resize(n);
    for (uint64_t at = 0; at < n; at += round_bytes_) {
      int len = static_cast<int>(std::min<uint64_t>(round_bytes_, n - at));
      MPI_Bcast(data->data() + at, len, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
    if (rank_ == 0)
      bytes_sent_ += n * static_cast<uint64_t>(size_ - 1);
    else
      bytes_received_ += n;
  }

  std::vector<std::string> AllGather(const std::string& mine) override { return GatherImpl(mine, true); }
  std::vector<std::string> Gather(const std::string& mine) override { return GatherImpl(mine, false); }

  // Point to point, straight from each outgoing string into each incoming one (no packing into
  // one buffer): per round and peer at most round_bytes / size bytes, all peers in flight at once.
  std::vector<std::string> AllToAll(std::vector<std::string> out) override {
    auto n = static_cast<size_t>(size_);
    auto me = static_cast<size_t>(rank_);
    if (out.size() != n) throw Error::Internal("AllToAll: one message per rank expected");
    std::vector<uint64_t> send_sizes(n), recv_sizes(n);
    for (size_t d = 0; d < n; ++d) send_sizes[d] = d == me ? 0 : out[d].size();
    MPI_Alltoall(send_sizes.data(), 1, MPI_UINT64_T, recv_sizes.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD);
    std::vector<std::string> in(n);
    in[me] = std::move(out[me]);
    uint64_t chunk = PeerChunk();
    uint64_t rounds = 0;
    for (size_t p = 0; p < n; ++p) {
      rounds = std::max(rounds, (send_sizes[p] + chunk - 1) / chunk);
      rounds = std::max(rounds, (recv_sizes[p] + chunk - 1) / chunk);
      if (p != me) in[p].resize(recv_sizes[p]);
    }
    MPI_Allreduce(MPI_IN_PLACE, &rounds, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    std::vector<MPI_Request> requests;
    requests.reserve(2 * n);
    for (uint64_t r = 0; r < rounds; ++r) {
      uint64_t at = r * chunk;
      requests.clear();
      for (size_t p = 0; p < n; ++p) {
        if (p == me || recv_sizes[p] <= at) continue;
        requests.emplace_back();
        MPI_Irecv(in[p].data() + at, static_cast<int>(std::min(chunk, recv_sizes[p] - at)), MPI_BYTE,
                  static_cast<int>(p), kAllToAllTag, MPI_COMM_WORLD, &requests.back());
        bytes_received_ += std::min(chunk, recv_sizes[p] - at);
      }
      for (size_t p = 0; p < n; ++p) {
        if (p == me || send_sizes[p] <= at) continue;
        requests.emplace_back();
        MPI_Isend(out[p].data() + at, static_cast<int>(std::min(chunk, send_sizes[p] - at)), MPI_BYTE,
                  static_cast<int>(p), kAllToAllTag, MPI_COMM_WORLD, &requests.back());
        bytes_sent_ += std::min(chunk, send_sizes[p] - at);
      }
      MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
    }
    return in;
  }

  std::vector<uint64_t> SumAll(std::vector<uint64_t> v) override { return Reduce(std::move(v), MPI_SUM); }
  std::vector<uint64_t> MaxAll(std::vector<uint64_t> v) override { return Reduce(std::move(v), MPI_MAX); }

  [[noreturn]] void Abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }

 private:
  uint64_t PeerChunk() const { return std::max<uint64_t>(1, round_bytes_ / static_cast<uint64_t>(size_)); }

  std::vector<uint64_t> Reduce(std::vector<uint64_t> v, MPI_Op op) {
    if (v.size() > static_cast<size_t>(1) << 28) throw Error::Internal("reduction too long");
    MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_UINT64_T, op, MPI_COMM_WORLD);
    return v;
  }

  std::vector<std::string> GatherImpl(const std::string& mine, bool all) {
    auto n = static_cast<size_t>(size_);
    uint64_t my_size = mine.size();
    std::vector<uint64_t> sizes(n);
    MPI_Allgather(&my_size, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD);
    bool receiving = all || rank_ == 0;
    std::vector<std::string> in(receiving ? n : 0);
    uint64_t chunk = PeerChunk(), rounds = 0;
    for (size_t p = 0; p < n; ++p) {
      rounds = std::max(rounds, (sizes[p] + chunk - 1) / chunk);
      if (receiving) in[p].reserve(sizes[p]);
    }
    std::vector<int> counts(n), displs(n);
    std::string rbuf;
    for (uint64_t r = 0; r < rounds; ++r) {
      uint64_t at = r * chunk;
      int total = 0;
      for (size_t p = 0; p < n; ++p) {
        counts[p] = static_cast<int>(sizes[p] > at ? std::min(chunk, sizes[p] - at) : 0);
        displs[p] = total;
        total += counts[p];
      }
      int mine_now = counts[static_cast<size_t>(rank_)];
      const char* send = mine.data() + std::min<uint64_t>(at, my_size);
      if (receiving) rbuf.resize(static_cast<size_t>(total));
      if (all)
        MPI_Allgatherv(send, mine_now, MPI_BYTE, rbuf.data(), counts.data(), displs.data(), MPI_BYTE, MPI_COMM_WORLD);
      else
        MPI_Gatherv(send, mine_now, MPI_BYTE, rbuf.data(), counts.data(), displs.data(), MPI_BYTE, 0, MPI_COMM_WORLD);
      if (receiving)
        for (size_t p = 0; p < n; ++p) in[p].append(rbuf.data() + displs[p], static_cast<size_t>(counts[p]));
      bytes_sent_ += static_cast<uint64_t>(mine_now) * (all ? n - 1 : (rank_ == 0 ? 0 : 1));
      if (receiving) bytes_received_ += static_cast<uint64_t>(total - mine_now);
    }
    return in;
  }

  int rank_ = 0, size_ = 1;
  bool owns_ = false;
};

}  // namespace

bool MpiAvailable() { return true; }
std::unique_ptr<Communicator> MakeMpiCommunicator() { return std::make_unique<MpiCommunicator>(); }

}  // namespace lakeforge
