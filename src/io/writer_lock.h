// One writer per output folder. Two runs into the same output (an orchestrator's retry overlapping
// a slow run) used to delete each other's staging and commit half a table; now the second one
// fails at once, naming the holder, or waits for it (--wait-for-lock).
//
// The lock is the file or object "<folder>/_lakeforge.lock" (a name readers ignore), holding one
// JSON line: {"run_id", "host", "pid", "since", "expires_ms"}.
//  - Local: an flock on that file. The kernel releases it when the holder dies, so kill -9 never
//    leaves a stale lock; the file itself stays.
//  - Object stores: the object is created with a conditional write (If-None-Match: *). The holder
//    renews a lease (expires_ms) with If-Match writes; a later run takes over only an expired or
//    released lease, again with If-Match, so of two runs breaking one lease only one wins.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lakeforge {

class FileSystem;

inline constexpr const char* kLockFileName = "_lakeforge.lock";

struct LockHolder {
  std::string run_id, host;
  int64_t pid = 0;
  std::string since;       // UTC, ISO 8601
  int64_t expires_ms = 0;  // object stores: end of the lease (Unix ms); 0 locally, or released
};
std::string LockHolderJson(const LockHolder& h);
// A holder from its JSON line; fields that cannot be read stay empty (a lock being rewritten).
LockHolder ParseLockHolder(std::string_view text);
// Who is running here, now.
LockHolder CurrentProcessAsHolder(const std::string& run_id);

class WriterLock {
 public:
  virtual ~WriterLock() = default;
  // False once the lock is lost (a lease that could not be renewed in time): do not commit.
  virtual bool held() const = 0;
};

// Takes the writer lock of `folder` (creating the folder), waiting up to wait_seconds while another
// run holds it. Throws Error::Usage "output '<folder>' is being written by run <id> on <host>
// (pid <n>) since <time>" when it stays held.
std::unique_ptr<WriterLock> LockForWriting(FileSystem& fs, const std::string& folder, const std::string& run_id,
                                           double wait_seconds);

}  // namespace lakeforge
