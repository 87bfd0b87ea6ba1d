// FileSystem over POSIX. Syscall-lean on purpose: listing uses readdir's d_type (no stat per
// entry), and reading a small file costs open + read + read(=0) + close.
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "base/error.h"
#include "base/parallel.h"
#include "io/file_system.h"

namespace lakeforge {
namespace {

std::string Errno(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}

class LocalOutputStream final : public OutputStream {
 public:
  // The buffer grows as needed (up to kBufferSize): most files written here are a few hundred bytes.
  LocalOutputStream(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~LocalOutputStream() override {
    if (fd_ >= 0) ::close(fd_);
    if (!final_path_.empty()) ::unlink(path_.c_str());  // abandoned: never visible under its name
  }
  void Write(std::string_view data) override {
    if (fd_ < 0) throw Error::Internal("write to closed file '" + path_ + "'");
    written_ += static_cast<int64_t>(data.size());
    if (buf_.size() + data.size() <= kBufferSize) {
      buf_.append(data.data(), data.size());
      return;
    }
    Flush();
    if (data.size() >= kBufferSize) {
      WriteAll(data);
    } else {
      buf_.append(data.data(), data.size());
    }
  }
  int64_t Tell() const override { return written_; }
  void Close() override {
    if (fd_ < 0) return;
    Flush();
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw Error::Io(Errno("cannot close", path_));
    if (!final_path_.empty() && ::rename(path_.c_str(), final_path_.c_str()) != 0)
      throw Error::Io(Errno("cannot move into place", final_path_));
    final_path_.clear();
  }
  // Atomic mode: the bytes go to `path_` (a hidden temporary) and are renamed to `final_path` on Close.
  void set_final_path(std::string final_path) { final_path_ = std::move(final_path); }

 private:
  static constexpr size_t kBufferSize = size_t{1} << 20;
  void Flush() {
    if (!buf_.empty()) WriteAll(buf_);
    buf_.clear();
  }
  void WriteAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw Error::Io(Errno("cannot write", path_));
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  int fd_;
  std::string path_;
  std::string final_path_;
  std::string buf_;
  int64_t written_ = 0;
};

class LocalInputStream final : public InputStream {
 public:
  LocalInputStream(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~LocalInputStream() override { ::close(fd_); }
  size_t Read(char* out, size_t n) override {
    for (;;) {
      ssize_t got = ::read(fd_, out, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) throw Error::Io(Errno("cannot read", path_));
    }
  }

 private:
  int fd_;
  std::string path_;
};

bool IsHidden(const char* name) { return name[0] == '.' || name[0] == '_'; }

// An flock held for as long as the descriptor is open; the kernel drops it when the process dies.
class LocalWriterLock final : public WriterLock {
 public:
  explicit LocalWriterLock(int fd) : fd_(fd) {}
  ~LocalWriterLock() override { ::close(fd_); }
  bool held() const override { return true; }

 private:
  int fd_;
};

class LocalFileSystem final : public FileSystem {
 public:
  bool posix_paths() const override { return true; }

  std::unique_ptr<WriterLock> TryLockForWriting(const std::string& folder, const LockHolder& me,
                                                LockHolder* holder) override {
    CreateDirs(folder);
    std::string path = JoinPath(folder, kLockFileName);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) throw Error::Io(Errno("cannot open the writer lock", path));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      if (err != EWOULDBLOCK) {
        ::close(fd);
        errno = err;
        throw Error::Io(Errno("cannot lock", path));
      }
      // The holder writes its name right after it takes the lock: give it a moment to.
      for (int attempt = 0; attempt < 50; ++attempt) {
        char buf[4096];
        ssize_t n = ::pread(fd, buf, sizeof(buf), 0);
        *holder = ParseLockHolder(std::string_view(buf, n > 0 ? static_cast<size_t>(n) : 0));
        if (!holder->run_id.empty()) break;
        ::usleep(5000);
      }
      ::close(fd);
      return nullptr;
    }
    std::string line = LockHolderJson(me);
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
      ::close(fd);
      throw Error::Io(Errno("cannot write the writer lock", path));
    }
    return std::make_unique<LocalWriterLock>(fd);
  }

  std::vector<FileInfo> ListFiles(const std::string& root, bool skip_hidden, ListingNotes* notes) override {
    struct stat st;
    if (::stat(root.c_str(), &st) != 0) throw Error::Io(Errno("cannot read input", root));
    std::vector<FileInfo> out;
    if (!S_ISDIR(st.st_mode)) {
      out.push_back({.path = root, .size = static_cast<int64_t>(st.st_size)});
      return out;
    }
    ListingNotes scratch;
    Walker walker{.skip_hidden = skip_hidden,
                  .scope = RealPathOf(notes && !notes->scope.empty() ? notes->scope : root),
                  .notes = notes ? notes : &scratch,
                  .out = &out,
                  .ancestors = {}};
    // A part of a larger listing may itself be a symlink into that listing.
    struct stat lst;
    if (notes && !notes->scope.empty() && ::lstat(root.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode) &&
        walker.Alias(root)) {
      return out;
    }
    walker.Walk(root, {.dev = st.st_dev, .ino = st.st_ino});
    std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    return out;
  }

  void ReadFile(const std::string& path, size_t padding, FileBuffer* buf) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error::Io(Errno("cannot open", path));
    size_t size = 0;
    if (buf->data.size() <= padding + 1) buf->data.resize(std::max(size_t{64} << 10, padding + 2));
    for (;;) {
      if (buf->data.size() - size < padding + 1) buf->data.resize(buf->data.size() * 2);
      ssize_t n = ::read(fd, buf->data.data() + size, buf->data.size() - size - padding);
      if (n < 0) {
        if (errno == EINTR) continue;
        int saved = errno;
        ::close(fd);
        errno = saved;
        throw Error::Io(Errno("cannot read", path));
      }
      if (n == 0) break;
      size += static_cast<size_t>(n);
    }
    ::close(fd);
    buf->size = size;
    std::memset(buf->data.data() + size, 0, padding);
  }

  std::unique_ptr<InputStream> OpenInputStream(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error::Io(Errno("cannot open", path));
    return std::make_unique<LocalInputStream>(fd, path);
  }

  std::unique_ptr<OutputStream> OpenOutputStream(const std::string& path) override {
    auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) CreateDirs(path.substr(0, slash));
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error::Io(Errno("cannot create", path));
    return std::make_unique<LocalOutputStream>(fd, path);
  }

  std::unique_ptr<OutputStream> OpenAtomicOutputStream(const std::string& path) override {
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    std::string temp = dir + "." + name + ".lakeforge-" + std::to_string(::getpid()) + ".tmp";
    auto out = OpenOutputStream(temp);
    static_cast<LocalOutputStream*>(out.get())->set_final_path(path);
    return out;
  }

  void FileSizesBelow(const std::string& dir, const std::string* rel, size_t n, int64_t* sizes) override {
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (size_t i = 0; i < n; ++i) {
      struct stat st;
      sizes[i] = dfd >= 0 && ::fstatat(dfd, rel[i].c_str(), &st, 0) == 0 ? static_cast<int64_t>(st.st_size) : -1;
    }
    if (dfd >= 0) ::close(dfd);
  }

  int64_t FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) throw Error::Io(Errno("cannot stat", path));
    return static_cast<int64_t>(st.st_size);
  }

  bool Exists(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
  }

  void CreateDirs(const std::string& path) override {
    if (path.empty()) return;
    if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return;
    if (errno != ENOENT) throw Error::Io(Errno("cannot create folder", path));
    auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) CreateDirs(path.substr(0, slash));
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) throw Error::Io(Errno("cannot create folder", path));
  }

  // Never follows a symlink: a link inside (or as) the folder is removed as a name, its target is
  // left alone. Works relative to open folder handles, so a folder renamed meanwhile is not
  // confused with another.
  void DeleteDirRecursive(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return;
      throw Error::Io(Errno("cannot delete", path));
    }
    if (!S_ISDIR(st.st_mode)) {
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw Error::Io(Errno("cannot delete", path));
      return;
    }
    // Unlinking is per-folder work in the kernel: a table's previous version (one folder per
    // partition) goes faster with several threads on different folders. Walk down breadth first,
    // deleting files on the way, until there are enough folders to share; delete those subtrees
    // in parallel; then remove the folders walked through, deepest first. Never follows a link.
    constexpr size_t kShareFolders = 64;
    constexpr int kMaxLevels = 4;
    std::vector<std::string> walked, frontier = {path};
    for (int level = 0; level < kMaxLevels && !frontier.empty() && frontier.size() < kShareFolders; ++level) {
      std::vector<std::string> next;
      for (const auto& dir : frontier) {
        ForEachEntry(dir, [&](const std::string& child, bool is_dir) {
          if (is_dir) {
            next.push_back(child);
          } else if (::unlink(child.c_str()) != 0 && errno != ENOENT) {
            throw Error::Io(Errno("cannot delete", child));
          }
        });
        walked.push_back(dir);
      }
      frontier = std::move(next);
    }
    int threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 2u, 8u));
    ParallelFor(frontier.size(), threads, [&](size_t i, int) {
      int fd = ::open(frontier[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        if (errno == ENOENT) return;
        throw Error::Io(Errno("cannot open folder", frontier[i]));
      }
      DeleteContents(fd, frontier[i]);  // closes fd
      if (::rmdir(frontier[i].c_str()) != 0 && errno != ENOENT)
        throw Error::Io(Errno("cannot delete folder", frontier[i]));
    });
    for (auto it = walked.rbegin(); it != walked.rend(); ++it)
      if (::rmdir(it->c_str()) != 0 && errno != ENOENT) throw Error::Io(Errno("cannot delete folder", *it));
  }

  void CommitDir(const std::string& staged, const std::string& target, const std::string& old) override {
    // renameat2(RENAME_EXCHANGE) swaps both names in one step: readers see the old or the new table,
    // never neither. The first commit of a table is a plain (equally atomic) rename.
    if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
      if (::rename(staged.c_str(), old.c_str()) != 0) throw Error::Io(Errno("cannot move", staged));
      return;
    }
    if (errno != ENOENT) throw Error::Io(Errno("cannot commit", target));
    if (::rename(staged.c_str(), target.c_str()) != 0) throw Error::Io(Errno("cannot commit", target));
  }

  void DeleteFiles(const std::vector<std::string>& paths) override {
    for (const auto& p : paths)
      if (::unlink(p.c_str()) != 0 && errno != ENOENT) throw Error::Io(Errno("cannot delete", p));
  }

  std::vector<std::string> ListDir(const std::string& path) override {
    std::vector<std::string> out;
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) return out;
    while (dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) out.emplace_back(e->d_name);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  // The entries of the open folder `d` (whose descriptor is `fd`), with whether each is a folder:
  // "." and ".." left out, links never folders.
  static std::vector<std::pair<std::string, bool>> ReadEntries(DIR* d, int fd) {
    std::vector<std::pair<std::string, bool>> entries;
    while (dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      bool is_dir = e->d_type == DT_DIR;
      if (e->d_type == DT_UNKNOWN) {
        struct stat st;
        is_dir = ::fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
      }
      entries.emplace_back(e->d_name, is_dir);
    }
    return entries;
  }

  // Calls fn(child path, is a folder) for each entry of `dir` (links are not folders).
  template <typename Fn>
  static void ForEachEntry(const std::string& dir, Fn&& fn) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return;
      throw Error::Io(Errno("cannot open folder", dir));
    }
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      ::close(fd);
      throw Error::Io(Errno("cannot open folder", dir));
    }
    std::vector<std::pair<std::string, bool>> entries = ReadEntries(d, fd);
    ::closedir(d);
    for (const auto& [name, is_dir] : entries) fn(JoinPath(dir, name), is_dir);
  }

  // Deletes everything inside the open folder `fd` (named `path` in messages), then closes it.
  static void DeleteContents(int fd, const std::string& path) {
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      ::close(fd);
      throw Error::Io(Errno("cannot open folder", path));
    }
    try {
      for (const auto& [name, dir] : ReadEntries(d, fd)) {
        std::string child = JoinPath(path, name);
        if (dir) {
          int cfd = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (cfd < 0) throw Error::Io(Errno("cannot open folder", child));
          DeleteContents(cfd, child);
        }
        if (::unlinkat(fd, name.c_str(), dir ? AT_REMOVEDIR : 0) != 0 && errno != ENOENT)
          throw Error::Io(Errno("cannot delete", child));
      }
    } catch (...) {
      ::closedir(d);
      throw;
    }
    ::closedir(d);
  }

  struct DirId {
    dev_t dev;
    ino_t ino;
    bool operator==(const DirId&) const = default;
  };

  static std::string RealPathOf(const std::string& path) {
    char* real = ::realpath(path.c_str(), nullptr);
    if (real == nullptr) return path;
    std::string out(real);
    ::free(real);
    return out;
  }

  // One recursive listing. Folders reached through symlinks are where loops and aliases come from:
  // a link to a folder inside the scope (listed under its own name anyway) or to an ancestor of it
  // (a loop) is not entered; a link to a folder outside is, unless that folder is already being
  // walked above (a loop out there). Real subfolders need no check and cost no extra system call.
  struct Walker {
    bool skip_hidden;
    std::string scope;
    ListingNotes* notes;
    std::vector<FileInfo>* out;
    std::vector<DirId> ancestors;

    // True (and noted) when the symlink `link` leads to a folder inside the scope or above it.
    bool Alias(const std::string& link) {
      std::string target = RealPathOf(link);
      auto within = [](const std::string& inner, const std::string& outer) {
        return inner == outer || outer == "/" ||
               (inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
                inner[outer.size()] == '/');
      };
      if (within(target, scope)) {
        notes->skipped.push_back(link + " -> " + target + " (a folder listed under its own name)");
        return true;
      }
      if (within(scope, target)) {
        notes->skipped.push_back(link + " -> " + target + " (a loop: it holds the listed folder)");
        return true;
      }
      return false;
    }

    void Walk(const std::string& dir, DirId id) {
      DIR* d = ::opendir(dir.c_str());
      if (d == nullptr) throw Error::Io(Errno("cannot list", dir));
      ancestors.push_back(id);
      try {
        while (dirent* e = ::readdir(d)) {
          if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
          if (skip_hidden && IsHidden(e->d_name)) continue;
          std::string child = JoinPath(dir, e->d_name);
          unsigned char type = e->d_type;
          DirId child_id{.dev = id.dev, .ino = e->d_ino};
          bool linked = type == DT_LNK;
          if (type == DT_UNKNOWN || type == DT_LNK) {
            struct stat st;  // only file systems without d_type (or symlinks) pay for a stat
            if (::stat(child.c_str(), &st) != 0) {
              if (linked) continue;  // a dangling link holds no data
              throw Error::Io(Errno("cannot read input", child));
            }
            type = S_ISDIR(st.st_mode) ? DT_DIR : (S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN);
            child_id = {.dev = st.st_dev, .ino = st.st_ino};
          }
          if (type == DT_DIR) {
            if (linked && Alias(child)) continue;
            if (std::find(ancestors.begin(), ancestors.end(), child_id) != ancestors.end()) {
              notes->skipped.push_back(child + " -> " + RealPathOf(child) + " (a loop: a folder above it)");
              continue;
            }
            Walk(child, child_id);
          } else if (type == DT_REG) {
            out->push_back({.path = std::move(child), .size = -1});
          }
        }
      } catch (...) {
        ::closedir(d);
        throw;
      }
      ::closedir(d);
      ancestors.pop_back();
    }
  };
};

}  // namespace

std::unique_ptr<FileSystem> MakeLocalFileSystem() { return std::make_unique<LocalFileSystem>(); }

namespace {

class ViewInputStream : public InputStream {
 public:
  explicit ViewInputStream(std::string_view data) : data_(data) {}
  size_t Read(char* out, size_t n) override {
    n = std::min(n, data_.size());
    std::memcpy(out, data_.data(), n);
    data_.remove_prefix(n);
    return n;
  }

 private:
  std::string_view data_;
};

// A whole file read into memory (object stores), as a stream that owns its bytes.
class MemoryInputStream final : public InputStream {
 public:
  explicit MemoryInputStream(FileBuffer buf) : buf_(std::move(buf)), view_(buf_.view()) {}
  size_t Read(char* out, size_t n) override { return view_.Read(out, n); }

 private:
  FileBuffer buf_;
  ViewInputStream view_;
};

}  // namespace

std::unique_ptr<InputStream> MakeViewInputStream(std::string_view data) {
  return std::make_unique<ViewInputStream>(data);
}

void FileSystem::FileSizesBelow(const std::string& dir, const std::string* rel, size_t n, int64_t* sizes) {
  for (size_t i = 0; i < n; ++i) {
    try {
      sizes[i] = FileSize(JoinPath(dir, rel[i]));
    } catch (const Error&) {
      sizes[i] = -1;
    }
  }
}

std::unique_ptr<InputStream> FileSystem::OpenInputStream(const std::string& path) {
  FileBuffer buf;
  ReadFile(path, 0, &buf);
  return std::make_unique<MemoryInputStream>(std::move(buf));
}

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

}  // namespace lakeforge
