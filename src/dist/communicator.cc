// The rank-independent parts of the communicator seam; MPI itself is in mpi_communicator.cc.
#include "dist/communicator.h"

#include <cstdlib>

#include "base/error.h"
#include "dist/wire.h"

namespace lakeforge {

void Communicator::Agree(std::exception_ptr error) {
  wire::Writer w;
  if (error) {
    Error::Kind kind = Error::Kind::kInternal;
    std::string message;
    try {
      std::rethrow_exception(error);
    } catch (const Error& e) {
      kind = e.kind();
      message = e.what();
    } catch (const std::bad_alloc&) {
      message = "out of memory";
    } catch (const std::exception& e) {
      message = e.what();
    }
    w.Put<uint8_t>(1);
    w.Put<int32_t>(static_cast<int32_t>(kind));
    w.PutString(message);
  } else {
    w.Put<uint8_t>(0);
  }
  if (size() == 1) {
    if (error) std::rethrow_exception(error);
    return;
  }
  // One status word per rank would do for the verdict; the message travels with it so that every
  // rank can say why the job stops (the messages are short, and only a failure has one).
  std::vector<std::string> all = AllGather(w.str());
  for (int r = 0; r < size(); ++r) {
    wire::Reader in(all[static_cast<size_t>(r)]);
    if (in.Get<uint8_t>("status") == 0) continue;
    auto kind = static_cast<Error::Kind>(in.Get<int32_t>("error kind"));
    failed_together_ = true;
    throw Error(kind, "rank " + std::to_string(r) + ": " + in.GetString("error message"));
  }
}

void LocalCommunicator::Abort(int code) { std::_Exit(code); }

bool LaunchedByMpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

std::unique_ptr<Communicator> MakeMpiCommunicator();  // mpi_communicator.cc, or null without MPI

std::unique_ptr<Communicator> MakeCommunicator(bool force_mpi) {
  std::unique_ptr<Communicator> comm;
  if (force_mpi || LaunchedByMpi()) {
    if (!MpiAvailable())
      throw Error::Usage(std::string(force_mpi ? "--mpi was given" : "this process was started by an MPI launcher") +
                         ", but this lakeforge was built without MPI (install libopenmpi-dev and rebuild with "
                         "-DLAKEFORGE_MPI=ON)");
    comm = MakeMpiCommunicator();
  } else {
    comm = std::make_unique<LocalCommunicator>();
  }
  if (const char* v = std::getenv("LAKEFORGE_EXCHANGE_ROUND_BYTES")) {
    char* end = nullptr;
    unsigned long long b = std::strtoull(v, &end, 10);
    if (end == v || *end != '\0' || b == 0)
      throw Error::Usage(std::string("LAKEFORGE_EXCHANGE_ROUND_BYTES='") + v + "': expected a positive byte count");
    comm->set_round_bytes(b);
  }
  return comm;
}

}  // namespace lakeforge
