// The writer lock's holder record and the wait loop; the locks themselves are the file systems'
// (local_file_system.cc: flock; s3_file_system.cc: conditional writes and a lease).
#include "io/writer_lock.h"

#include <simdjson.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <thread>

#include "base/error.h"
#include "formats/json/json_string.h"
#include "io/file_system.h"

namespace lakeforge {

std::string LockHolderJson(const LockHolder& h) {
  std::string out = "{\"run_id\":";
  AppendJsonString(LossyUtf8(h.run_id), &out);
  out += ",\"host\":";
  AppendJsonString(LossyUtf8(h.host), &out);
  out += ",\"pid\":" + std::to_string(h.pid) + ",\"since\":";
  AppendJsonString(h.since, &out);
  out += ",\"expires_ms\":" + std::to_string(h.expires_ms) + "}\n";
  return out;
}

LockHolder ParseLockHolder(std::string_view text) {
  LockHolder h;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text.data(), text.size(), true).get(doc)) return h;
  std::string_view s;
  int64_t n = 0;
  if (!doc["run_id"].get(s)) h.run_id = s;
  if (!doc["host"].get(s)) h.host = s;
  if (!doc["pid"].get(n)) h.pid = n;
  if (!doc["since"].get(s)) h.since = s;
  if (!doc["expires_ms"].get(n)) h.expires_ms = n;
  return h;
}

LockHolder CurrentProcessAsHolder(const std::string& run_id) {
  LockHolder h;
  h.run_id = run_id;
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  h.host = host;
  h.pid = ::getpid();
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  h.since = buf;
  return h;
}

std::unique_ptr<WriterLock> LockForWriting(FileSystem& fs, const std::string& folder, const std::string& run_id,
                                           double wait_seconds) {
  using Clock = std::chrono::steady_clock;
  auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait_seconds));
  LockHolder me = CurrentProcessAsHolder(run_id), holder;
  for (;;) {
    if (auto lock = fs.TryLockForWriting(folder, me, &holder)) return lock;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto or_unknown = [](const std::string& s) { return s.empty() ? std::string("?") : s; };
  throw Error::Usage(
      "output '" + folder + "' is being written by run " + or_unknown(holder.run_id) + " on " +
      or_unknown(holder.host) + " (pid " + std::to_string(holder.pid) + ") since " + or_unknown(holder.since) +
      (wait_seconds > 0 ? "; gave up waiting after " + std::to_string(static_cast<int>(wait_seconds)) + " s"
                        : "; one writer per output at a time (--wait-for-lock SECONDS waits for it)"));
}

}  // namespace lakeforge
