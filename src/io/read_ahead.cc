// The read-ahead reader (read_ahead.h): a budget of buffer bytes shared by the reading side and the
// parsers, a queue of completed files, and two ways to keep reads in flight — an io_uring event
// loop on one thread (local files), or `depth` threads doing blocking reads (any file system).
#include "io/read_ahead.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/error.h"

#ifdef LAKEFORGE_HAVE_URING
#include <liburing.h>
#endif

namespace lakeforge {

// State shared by the reading side and the parsers.
class ReadAhead::Core {
 public:
  Core(FileSystem& fs, const std::vector<FileInfo>& files, size_t lo, size_t hi, const ReadAheadOptions& o)
      : fs(fs), files(files), lo(lo), hi(hi), options(o) {
    options.depth = std::max(1, options.depth);
    options.budget_bytes = std::max<uint64_t>(options.budget_bytes, 4096);
    // A file and its padding must fit a third of the budget (its buffer, rounded up to a size class,
    // at most 0.42 of it), so that two or more are always in flight.
    uint64_t third = options.budget_bytes / 3;
    options.max_file_bytes = third > o.padding + 1 ? std::min(o.max_file_bytes, third - o.padding - 1) : 0;
    limit_ = std::min(options.budget_bytes, kStartBytes);
  }
  virtual ~Core() = default;

  // A file of unknown size is read into a buffer of this many bytes (+ 1 + padding) first: a read
  // that does not fill it is the whole file.
  uint64_t probe_bytes() const { return std::min(kProbeBytes, options.max_file_bytes); }
  // The buffer a file of `file_bytes` needs: one byte more (a read that gets it saw the file grow)
  // and the padding.
  uint64_t BufferBytes(uint64_t file_bytes) const { return file_bytes + 1 + options.padding; }
  // `buf` holds a whole file of `size` bytes: say so, and zero the padding after them.
  std::unique_ptr<FileBuffer> Whole(std::unique_ptr<FileBuffer> buf, uint64_t size) const {
    buf->size = static_cast<size_t>(size);
    std::memset(buf->data.data() + size, 0, options.padding);
    return buf;
  }

  // Buffers come in sizes of 2^k, 1.25 * 2^k, 1.5 * 2^k and 1.75 * 2^k bytes (at least 4 KiB), so
  // that a free one of the same size class is reused, wasting at most a quarter.
  static uint64_t SizeClass(uint64_t bytes) {
    bytes = std::max<uint64_t>(bytes, 4096);
    int k = 63 - __builtin_clzll(bytes);
    uint64_t step = uint64_t{1} << (k - 2);
    return (bytes + step - 1) / step * step;
  }

  // A buffer of at least `bytes`, reused or new; null when the limit is reached and `wait` is false
  // (or the reader stopped).
  std::unique_ptr<FileBuffer> Acquire(uint64_t bytes, bool wait) {
    const uint64_t size = SizeClass(bytes);
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (stopped_) return nullptr;
      auto same = free_.find(size);
      if (same != free_.end()) {
        auto buf = std::move(same->second.back());
        same->second.pop_back();
        if (same->second.empty()) free_.erase(same);
        limited_ = false;
        return buf;
      }
      // A file too large for the limit even alone makes room for itself and one more like it.
      if (size > limit_) limit_ = std::min(options.budget_bytes, 2 * size);
      // A new buffer: drop free ones (largest first) until it fits the limit.
      while (held_ + size > limit_ && !free_.empty()) {
        auto largest = std::prev(free_.end());
        held_ -= largest->first;
        largest->second.pop_back();
        if (largest->second.empty()) free_.erase(largest);
      }
      if (held_ + size <= limit_) {
        held_ += size;
        peak_ = std::max(peak_, held_);
        limited_ = false;
        lock.unlock();
        auto buf = std::make_unique<FileBuffer>();
        buf->data.resize(size);
        return buf;
      }
      limited_ = true;
      if (!wait) return nullptr;
      budget_cv_.wait(lock);
    }
  }

  // A parser waits (lock on mu_) until go(). If it has to wait while the limit is what holds the
  // reader back, the parsers wait on reads the budget would have let it start: the limit doubles,
  // up to the budget.
  template <typename Go>
  void WaitReady(std::unique_lock<std::mutex>& lock, Go go) {
    if (!go() && limited_ && limit_ < options.budget_bytes && !stopped_) {
      limit_ = std::min(options.budget_bytes, 2 * limit_);
      limited_ = false;
      budget_cv_.notify_all();
    }
    ready_cv_.wait(lock, go);
  }

  // A buffer whose size changed while it was used (a file system grew it): recount it.
  void Resized(uint64_t before, uint64_t after) {
    std::lock_guard<std::mutex> lock(mu_);
    held_ += after - before;
    peak_ = std::max(peak_, held_);
  }

  void Recycle(std::unique_ptr<FileBuffer> buf) {
    if (buf == nullptr) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      uint64_t size = buf->data.size();
      free_[size].push_back(std::move(buf));
    }
    budget_cv_.notify_all();
  }

  // Hands file `index` to the parsers, whole (buf) or for them to read (null).
  void Deliver(size_t index, std::unique_ptr<FileBuffer> buf) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (buf) {
        ++stats_.files_read;
        stats_.bytes_read += buf->size;
      } else {
        ++stats_.files_passed;
      }
      ready_.emplace(index, std::move(buf));
    }
    if (options.in_order)
      ready_cv_.notify_all();  // Take waits for one index in particular
    else
      ready_cv_.notify_one();
  }

  bool Next(Item* item) {
    std::unique_lock<std::mutex> lock(mu_);
    // With nothing ready while the reader has few reads in flight (the files are cached: its reads
    // complete as they are issued, and one thread issuing them is slower than the parsers), a
    // parser takes the next unread file and reads it itself.
    auto steal = [&] { return steal_ && claimed_ < hi && in_flight_.load() < std::max(1, options.depth / 2); };
    WaitReady(lock, [&] { return stopped_ || !ready_.empty() || taken_ == hi - lo || steal(); });
    if (stopped_) return false;
    if (ready_.empty()) {
      if (taken_ == hi - lo) return false;
      *item = {.index = claimed_++, .buffer = nullptr};
      SkipStolen();
      ++stats_.files_passed;
    } else {
      auto first = ready_.begin();
      *item = {.index = first->first, .buffer = std::move(first->second)};
      ready_.erase(first);
    }
    if (++taken_ == hi - lo) ready_cv_.notify_all();
    return true;
  }

  // The next file for the reader to read (hi when none is left).
  size_t Claim() {
    std::lock_guard<std::mutex> lock(mu_);
    if (claimed_ >= hi) return hi;
    size_t i = claimed_++;
    SkipStolen();
    return i;
  }

  // Moves claimed_ past files callers took to read themselves (under mu_).
  void SkipStolen() {
    for (auto it = stolen_.begin(); it != stolen_.end() && *it <= claimed_; it = stolen_.erase(it))
      if (*it == claimed_) ++claimed_;
  }

  bool Take(size_t index, Item* item) {
    std::unique_lock<std::mutex> lock(mu_);
    decltype(ready_)::iterator it;
    // A file the reader has not reached is the caller's to read: the reader is then behind (the
    // files are cached, or the caller works far ahead of it on another group).
    auto steal = [&] { return steal_ && index >= claimed_ && stolen_.count(index) == 0; };
    WaitReady(lock, [&] { return stopped_ || (it = ready_.find(index)) != ready_.end() || steal(); });
    if (stopped_) return false;
    if (it != ready_.end()) {
      *item = {.index = index, .buffer = std::move(it->second)};
      ready_.erase(it);
    } else {  // the reader lags: the caller reads it (see Next), and the reader skips it
      stolen_.insert(index);
      SkipStolen();
      *item = {.index = index, .buffer = nullptr};
      ++stats_.files_passed;
    }
    if (++taken_ == hi - lo) ready_cv_.notify_all();
    return true;
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
    }
    ready_cv_.notify_all();
    budget_cv_.notify_all();
  }

  bool stopped() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }

  // Blocks until a buffer of `bytes` can be had (or the reader stopped).
  void WaitForBudget(uint64_t bytes) {
    const uint64_t size = SizeClass(bytes);
    std::unique_lock<std::mutex> lock(mu_);
    budget_cv_.wait(lock, [&] {
      uint64_t free_bytes = 0;
      for (const auto& [cap, bufs] : free_) free_bytes += cap * bufs.size();
      return stopped_ || free_.count(size) > 0 || held_ - free_bytes + size <= limit_;
    });
  }

  ReadAheadStats Stats() {
    std::lock_guard<std::mutex> lock(mu_);
    ReadAheadStats s = stats_;
    s.peak_buffered_bytes = peak_;
    return s;
  }

  // Starts the reading side; the destructor of the subclass stops and joins it.
  virtual void Start() = 0;

  FileSystem& fs;
  const std::vector<FileInfo>& files;
  const size_t lo, hi;
  ReadAheadOptions options;

 protected:
  static constexpr uint64_t kProbeBytes = 16 << 10;

  void SetBackend(const char* name) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.backend = name;
    stats_.depth = options.depth;
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_cv_, budget_cv_;
  std::map<size_t, std::unique_ptr<FileBuffer>> ready_;  // by index: Next hands out the lowest first
  size_t claimed_ = lo;      // files before this one are the reader's or were taken by a parser
  std::set<size_t> stolen_;  // files after claimed_ that a caller of Take reads itself
  std::map<uint64_t, std::vector<std::unique_ptr<FileBuffer>>> free_;  // by size
  uint64_t held_ = 0, peak_ = 0;
  // The budget in use: it starts at kStartBytes and doubles, up to options.budget_bytes, each time
  // a parser waits while the limit holds the reader back (limited_). Parsing slower than reading
  // (cached files) never waits that way, so its buffers stay small: they are memory touched for the
  // first time, which on a VM costs about as much as parsing what they hold (bench/touch_memory).
  static constexpr uint64_t kStartBytes = uint64_t{4} << 20;
  uint64_t limit_ = 0;
  bool limited_ = false;
  size_t taken_ = 0;
  bool stopped_ = false;
  ReadAheadStats stats_;

 protected:
  bool steal_ = false;             // may parsers take unread files (Next)?
  std::atomic<int> in_flight_{0};  // the reader's files in flight
};

namespace {

// `depth` threads, each reading one whole file at a time through the FileSystem. A file's buffer
// is taken when the file is claimed, under one lock, so buffers go in file order (a caller taking
// files in order never waits for a file whose buffer is held up by later files). A file of
// unknown size (local listings have none) gets a probe buffer: a read that fills it means a larger
// file, whose size is then asked for.
class ThreadsReader final : public ReadAhead::Core {
 public:
  using Core::Core;
  ~ThreadsReader() override {
    Stop();
    for (auto& t : threads_) t.join();
  }

  void Start() override {
    SetBackend("threads");
    if (options.max_file_bytes == 0) {  // nothing to read ahead: every file is the caller's
      for (size_t i = Claim(); i < hi; i = Claim()) Deliver(i, nullptr);
      return;
    }
    size_t n = std::min<size_t>(static_cast<size_t>(options.depth), hi - lo);
    for (size_t t = 0; t < n; ++t) threads_.emplace_back([this] { Run(); });
  }

 private:
  void Run() {
    for (;;) {
      size_t i;
      std::unique_ptr<FileBuffer> buf;
      {
        std::lock_guard<std::mutex> lock(claim_mu_);
        i = Claim();
        if (i >= hi) return;
        int64_t size = files[i].size;
        if (size < 0)
          buf = Acquire(BufferBytes(probe_bytes()), true);
        else if (static_cast<uint64_t>(size) <= options.max_file_bytes)
          buf = Acquire(BufferBytes(static_cast<uint64_t>(size)), true);
      }
      Deliver(i, buf ? ReadOne(files[i], std::move(buf)) : nullptr);
    }
  }

  // Reads a whole file into buf (taken for its size, or a probe); null when the caller is to read it.
  std::unique_ptr<FileBuffer> ReadOne(const FileInfo& file, std::unique_ptr<FileBuffer> buf) {
    try {
      int64_t size = file.size;
      if (size < 0) {
        auto in = fs.OpenInputStream(file.path);
        const uint64_t probe = probe_bytes();
        uint64_t got = 0;
        for (size_t n; got <= probe && (n = in->Read(buf->data.data() + got, probe + 1 - got)) > 0;) got += n;
        if (got <= probe) return Whole(std::move(buf), got);
        // Larger than the probe: a buffer of its size. A caller taking files in order may be
        // waiting for this one while later files hold the budget: then it reads it itself.
        Recycle(std::move(buf));
        size = fs.FileSize(file.path);
        if (static_cast<uint64_t>(size) > options.max_file_bytes) return nullptr;
        buf = Acquire(BufferBytes(static_cast<uint64_t>(size)), !options.in_order);
        if (buf == nullptr) return nullptr;
      }
      size_t before = buf->data.size();
      fs.ReadFile(file.path, options.padding, buf.get());
      if (buf->data.size() != before) Resized(before, buf->data.size());
      if (buf->size == static_cast<uint64_t>(size)) return buf;
    } catch (const Error&) {
      // the caller's own read says what is wrong
    }
    Recycle(std::move(buf));  // failed, or changed size while read: the caller reads it afresh
    return nullptr;
  }

  std::mutex claim_mu_;
  std::vector<std::thread> threads_;
};

#ifdef LAKEFORGE_HAVE_URING

// One thread drives an io_uring. Each file costs one round trip when it is small: openat (into a
// fixed-file slot) hard-linked to a read of up to kProbeBytes + 1 into a buffer taken in file
// order; a short read is the whole file, and its close is queued. A read that fills the buffer
// means a larger file: statx gives its size, and — once the budget allows — it is read whole
// into a buffer of its size, then closed. Up to `depth` files are in flight; one io_uring_enter
// submits and reaps a batch. (Opens of files whose dentries are not cached run on the kernel's
// io-wq workers: allowed one per file in flight.)
class UringReader final : public ReadAhead::Core {
 public:
  using Core::Core;
  ~UringReader() override {
    Stop();
    if (thread_.joinable()) thread_.join();
    if (ring_ready_) io_uring_queue_exit(&ring_);
  }

  // False when the kernel refuses io_uring (old kernel, seccomp, io_uring_disabled).
  bool Init() {
    unsigned entries = 8;
    while (entries < static_cast<unsigned>(options.depth) * 2) entries *= 2;
    if (io_uring_queue_init(entries, &ring_, 0) != 0) return false;
    ring_ready_ = true;
    if (io_uring_register_files_sparse(&ring_, static_cast<unsigned>(options.depth)) != 0) return false;
    unsigned workers[2] = {static_cast<unsigned>(options.depth), 0};
    io_uring_register_iowq_max_workers(&ring_, workers);
    slots_.resize(static_cast<size_t>(options.depth));
    for (size_t s = slots_.size(); s-- > 0;) free_slots_.push_back(static_cast<int>(s));
    return true;
  }

  void Start() override {
    SetBackend("io_uring");
    steal_ = options.parsers_may_read;
    thread_ = std::thread([this] { Run(); });
  }

 private:
  enum Op : uint64_t { kOpen, kProbe, kStat, kRead, kClose, kAdvise };
  enum class Phase { kProbing, kStating, kWaitingForBudget, kReading, kClosing };
  struct Slot {
    size_t index = 0;
    Phase phase = Phase::kProbing;
    int pending = 0;
    int open_res = 0, res = 0;
    uint64_t size = 0;
    struct statx stx;
    std::unique_ptr<FileBuffer> buf, done;  // done: handed over once the close completes
  };

  io_uring_sqe* Sqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) {
      io_uring_submit(&ring_);
      sqe = io_uring_get_sqe(&ring_);
    }
    return sqe;
  }
  static uint64_t Tag(int slot, Op op) { return (static_cast<uint64_t>(slot) << 8) | op; }

  void Prep(int s, Op op) {
    Slot& slot = slots_[static_cast<size_t>(s)];
    io_uring_sqe* sqe = Sqe();
    switch (op) {
      case kOpen:  // (no O_CLOEXEC: direct descriptors refuse it, and are never inherited)
        io_uring_prep_openat_direct(sqe, AT_FDCWD, files[slot.index].path.c_str(), O_RDONLY, 0,
                                    static_cast<unsigned>(s));
        sqe->flags |= IOSQE_IO_HARDLINK;
        break;
      case kProbe:
        io_uring_prep_read(sqe, s, slot.buf->data.data(), static_cast<unsigned>(probe_bytes() + 1), 0);
        sqe->flags |= IOSQE_FIXED_FILE;
        break;
      case kStat: io_uring_prep_statx(sqe, AT_FDCWD, files[slot.index].path.c_str(), 0, STATX_SIZE, &slot.stx); break;
      case kRead:
        io_uring_prep_read(sqe, s, slot.buf->data.data(), static_cast<unsigned>(slot.size + 1), 0);
        sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
        break;
      case kAdvise:  // a large file the caller reads: start the device on it now
        io_uring_prep_fadvise(sqe, s, 0, static_cast<off_t>(std::min<uint64_t>(slot.size, options.budget_bytes)),
                              POSIX_FADV_WILLNEED);
        sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
        break;
      case kClose: io_uring_prep_close_direct(sqe, static_cast<unsigned>(s)); break;
    }
    io_uring_sqe_set_data64(sqe, Tag(s, op));
    ++slot.pending;
  }

  void Run() {
    size_t next = Claim();          // the next file to open (hi: none)
    size_t in_flight = 0;           // slots with requests outstanding
    std::map<size_t, int> waiting;  // larger files whose size is known, by index
    // The file is closed (or was never opened): its slot is free, its buffer handed over.
    auto finish = [&](int s) {
      Slot& slot = slots_[static_cast<size_t>(s)];
      if (slot.buf) Recycle(std::move(slot.buf));
      Deliver(slot.index, std::move(slot.done));
      free_slots_.push_back(s);
      --in_flight;
      in_flight_.store(static_cast<int>(in_flight));
    };
    auto close = [&](int s, bool advise) {
      Slot& slot = slots_[static_cast<size_t>(s)];
      slot.phase = Phase::kClosing;
      if (advise) Prep(s, kAdvise);
      Prep(s, kClose);
    };
    for (;;) {
      bool stop = stopped();
      // Larger files, as far as the budget allows. A caller taking files in order may be waiting
      // for the first of them while later files hold the budget: that one is its to read.
      while (!waiting.empty()) {
        int s = waiting.begin()->second;
        Slot& slot = slots_[static_cast<size_t>(s)];
        if (!stop) slot.buf = Acquire(BufferBytes(slot.size), false);
        if (slot.buf == nullptr && !stop && !options.in_order) break;
        waiting.erase(waiting.begin());
        if (slot.buf == nullptr) {
          close(s, !stop);
          continue;
        }
        slot.phase = Phase::kReading;
        Prep(s, kRead);
        Prep(s, kClose);
      }
      // New files, in order, while slots are free and the budget allows a probe buffer.
      while (!stop && next < hi && !free_slots_.empty()) {
        auto buf = Acquire(BufferBytes(probe_bytes()), false);
        if (buf == nullptr) break;
        int s = free_slots_.back();
        free_slots_.pop_back();
        Slot& slot = slots_[static_cast<size_t>(s)];
        slot = Slot{};
        slot.index = next;
        next = Claim();
        slot.buf = std::move(buf);
        ++in_flight;
        in_flight_.store(static_cast<int>(in_flight));
        Prep(s, kOpen);
        Prep(s, kProbe);
      }
      if (stop && next < hi) {  // never opened: handed over unread, so Next can end
        for (; next < hi; next = Claim()) Deliver(next, nullptr);
      }
      if (in_flight == 0 && next >= hi) return;
      if (in_flight == waiting.size()) {  // nothing outstanding: only the budget can move things
        WaitForBudget(
            BufferBytes(waiting.empty() ? probe_bytes() : slots_[static_cast<size_t>(waiting.begin()->second)].size));
        continue;
      }
      io_uring_submit_and_wait(&ring_, 1);
      io_uring_cqe* cqe;
      unsigned head, seen = 0;
      io_uring_for_each_cqe(&ring_, head, cqe) {
        ++seen;
        int s = static_cast<int>(cqe->user_data >> 8);
        Op op = static_cast<Op>(cqe->user_data & 0xff);
        Slot& slot = slots_[static_cast<size_t>(s)];
        if (op == kOpen) slot.open_res = cqe->res;
        if (op == kProbe || op == kRead || op == kStat) slot.res = cqe->res;
        if (--slot.pending > 0) continue;
        switch (slot.phase) {
          case Phase::kProbing:
            if (slot.open_res < 0) {
              finish(s);  // nothing open: the caller's read reports why
            } else if (slot.res >= 0 && static_cast<uint64_t>(slot.res) <= probe_bytes()) {
              slot.done = Whole(std::move(slot.buf), static_cast<uint64_t>(slot.res));
              close(s, false);
            } else if (slot.res < 0) {
              close(s, false);
            } else {  // larger than the probe: its size, then a buffer of that size
              Recycle(std::move(slot.buf));
              slot.phase = Phase::kStating;
              Prep(s, kStat);
            }
            break;
          case Phase::kStating:
            slot.size = slot.stx.stx_size;
            if (slot.res < 0 || slot.size > options.max_file_bytes) {
              close(s, slot.res == 0);
            } else {
              slot.phase = Phase::kWaitingForBudget;
              waiting.emplace(slot.index, s);
            }
            break;
          case Phase::kReading:
            // (else failed, or changed size since statx: the caller reads it afresh)
            if (slot.res >= 0 && static_cast<uint64_t>(slot.res) == slot.size)
              slot.done = Whole(std::move(slot.buf), slot.size);
            finish(s);
            break;
          case Phase::kClosing: finish(s); break;
          case Phase::kWaitingForBudget: break;
        }
      }
      io_uring_cq_advance(&ring_, seen);
    }
  }

  io_uring ring_{};
  bool ring_ready_ = false;
  std::vector<Slot> slots_;
  std::vector<int> free_slots_;
  std::thread thread_;
};

#endif  // LAKEFORGE_HAVE_URING

}  // namespace

ReadAhead::ReadAhead(FileSystem& fs, const std::vector<FileInfo>& files, size_t lo, size_t hi,
                     const ReadAheadOptions& options) {
#ifdef LAKEFORGE_HAVE_URING
  if (options.backend != ReaderBackend::kThreads && fs.posix_paths() && options.max_file_bytes > 0) {
    auto uring = std::make_unique<UringReader>(fs, files, lo, hi, options);
    if (uring->Init()) {
      core_ = std::move(uring);
    } else if (options.backend == ReaderBackend::kUring) {
      throw Error::Io("io_uring is not available here (kernel or seccomp policy): cannot use the io_uring reader");
    }
  }
#else
  if (options.backend == ReaderBackend::kUring)
    throw Error::Io("this build of lakeforge has no io_uring support (liburing was not found at build time)");
#endif
  if (core_ == nullptr) core_ = std::make_unique<ThreadsReader>(fs, files, lo, hi, options);
  if (hi > lo) core_->Start();
}

ReadAhead::~ReadAhead() {
  core_.reset();
  // The buffers were freed; hand the heap they leave back to the system now, not at some later
  // allocation (glibc keeps freed chunks below its adaptive mmap threshold, up to 32 MiB each).
  malloc_trim(0);
}

bool ReadAhead::Next(Item* item) { return core_->Next(item); }
bool ReadAhead::Take(size_t index, Item* item) { return core_->Take(index, item); }
void ReadAhead::Release(Item* item) { core_->Recycle(std::move(item->buffer)); }
void ReadAhead::Stop() { core_->Stop(); }
ReadAheadStats ReadAhead::Stats() const { return core_->Stats(); }

void ForEachReadAhead(ReadAhead& reader, int threads,
                      const std::function<void(size_t index, const FileBuffer* buffer, int worker)>& fn) {
  std::exception_ptr error;
  std::mutex error_mu;
  auto worker = [&](int id) {
    ReadAhead::Item item;
    while (reader.Next(&item)) {
      try {
        fn(item.index, item.buffer.get(), id);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!error) error = std::current_exception();
        reader.Stop();
      }
      reader.Release(&item);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

ReadAheadOptions ReaderOptionsFor(const FileSystem& fs, int depth, uint64_t budget_bytes, size_t padding) {
  ReadAheadOptions o;
  o.depth = depth > 0 ? depth : (fs.posix_paths() ? 64 : 128);
  if (budget_bytes > 0) o.budget_bytes = budget_bytes;
  o.padding = padding;
  const char* uring = std::getenv("LAKEFORGE_IO_URING");
  if (uring != nullptr && (std::strcmp(uring, "off") == 0 || std::strcmp(uring, "0") == 0))
    o.backend = ReaderBackend::kThreads;
  else if (uring != nullptr && std::strcmp(uring, "on") == 0)
    o.backend = ReaderBackend::kUring;
  return o;
}

}  // namespace lakeforge
