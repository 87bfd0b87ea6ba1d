// Built instead of mpi_communicator.cc when lakeforge is configured without MPI.
#include <memory>

#include "dist/communicator.h"

namespace lakeforge {

bool MpiAvailable() { return false; }
std::unique_ptr<Communicator> MakeMpiCommunicator() { return nullptr; }

}  // namespace lakeforge
