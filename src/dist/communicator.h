// The seam between the pipeline and a distributed engine: a fixed group of ranks that exchange
// byte strings in collective calls (every rank calls the same sequence).
//
// Two implementations: LocalCommunicator (one rank, no MPI: today's single-process run, where
// every collective is a copy) and MpiCommunicator (Open MPI, dist/mpi_communicator.cc). Only the
// thread that created the communicator calls it; worker threads compute between calls.
//
// Counts travel as 64-bit byte counts; payloads move in rounds of at most round_bytes() per rank,
// so no MPI int count can overflow and a round's buffers are bounded whatever the data size.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

namespace lakeforge {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  bool root() const { return rank() == 0; }
  virtual const char* name() const = 0;  // "local" or "mpi"

  // `data` on the root is copied to every rank.
  virtual void Broadcast(std::string* data) = 0;
  // Every rank's string, in rank order, on every rank.
  virtual std::vector<std::string> AllGather(const std::string& mine) = 0;
  // Every rank's string, in rank order, on the root (empty elsewhere).
  virtual std::vector<std::string> Gather(const std::string& mine) = 0;
  // out[d] goes to rank d; returns what every rank sent to this one, in rank order.
  virtual std::vector<std::string> AllToAll(std::vector<std::string> out) = 0;
  // Element-wise sum / max over ranks of equal-length vectors.
  virtual std::vector<uint64_t> SumAll(std::vector<uint64_t> v) = 0;
  virtual std::vector<uint64_t> MaxAll(std::vector<uint64_t> v) = 0;
  // Ends the job at once with this exit code (MPI_Abort): for when ranks can no longer agree.
  [[noreturn]] virtual void Abort(int code) = 0;

  uint64_t round_bytes() const { return round_bytes_; }
  void set_round_bytes(uint64_t b) { round_bytes_ = b < 64 ? 64 : b; }
  // Payload bytes this rank sent to and received from other ranks (its own share excluded).
  uint64_t bytes_sent() const { return bytes_sent_; }
  uint64_t bytes_received() const { return bytes_received_; }

  // The agreement after a stage: every rank passes its error (or null). If any rank failed, every
  // rank throws the same lakeforge::Error: the lowest failing rank's kind and message, prefixed
  // with "rank k: " when there is more than one rank. Never leaves a rank waiting for another.
  void Agree(std::exception_ptr error);
  // True once Agree has thrown: every rank knows of the failure and leaves on its own.
  bool failed_together() const { return failed_together_; }

 protected:
  bool failed_together_ = false;
  uint64_t round_bytes_ = uint64_t{256} << 20;
  uint64_t bytes_sent_ = 0, bytes_received_ = 0;
};

// Runs fn and returns what it threw (null when nothing): what a rank passes to Agree.
template <typename Fn>
std::exception_ptr Attempt(Fn&& fn) {
  try {
    fn();
    return nullptr;
  } catch (...) {
    return std::current_exception();
  }
}

class LocalCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  const char* name() const override { return "local"; }
  void Broadcast(std::string*) override {}
  std::vector<std::string> AllGather(const std::string& mine) override { return {mine}; }
  std::vector<std::string> Gather(const std::string& mine) override { return {mine}; }
  std::vector<std::string> AllToAll(std::vector<std::string> out) override { return out; }
  std::vector<uint64_t> SumAll(std::vector<uint64_t> v) override { return v; }
  std::vector<uint64_t> MaxAll(std::vector<uint64_t> v) override { return v; }
  [[noreturn]] void Abort(int code) override;
};

// True when a launcher started this process as one rank of a job (mpirun, srun, the MPI
// Operator): OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_RANK is set.
bool LaunchedByMpi();
// True when this binary was built with MPI.
bool MpiAvailable();

// The communicator for this process: MPI when `force_mpi` or LaunchedByMpi(), else local (MPI is
// not even initialised then: MPI_Init costs about 0.25 s). Throws Error::Usage when MPI is asked
// for and this build has none. LAKEFORGE_EXCHANGE_ROUND_BYTES sets the round size (tests).
std::unique_ptr<Communicator> MakeCommunicator(bool force_mpi);

}  // namespace lakeforge
