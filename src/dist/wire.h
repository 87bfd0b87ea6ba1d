// Flat little-endian encoding of what ranks send each other: fixed-size values, arrays of
// trivially copyable structs and length-prefixed strings. Both ends run the same binary, so a
// struct travels as its bytes. Reading past the end throws Error::Internal naming the field.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/error.h"

namespace lakeforge::wire {

class Writer {
 public:
  template <typename T>
  void Put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void PutString(std::string_view s) {
    Put<uint64_t>(s.size());
    out_.append(s.data(), s.size());
  }
  template <typename T>
  void PutArray(const T* data, size_t n) {
    static_assert(std::is_trivially_copyable_v<T>);
    Put<uint64_t>(n);
    out_.append(reinterpret_cast<const char*>(data), n * sizeof(T));
  }
  template <typename T, typename A>
  void PutVector(const std::vector<T, A>& v) {
    PutArray(v.data(), v.size());
  }
  std::string& str() { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  T Get(const char* what) {
    static_assert(std::is_trivially_copyable_v<T>);
    Need(sizeof(T), what);
    T v;
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string GetString(const char* what) { return std::string(GetView(what)); }
  // The same, pointing into the message (valid while it is).
  std::string_view GetView(const char* what) {
    uint64_t n = Get<uint64_t>(what);
    Need(n, what);
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // Copies the next array into the room for n elements that place(n) returns (a T*), and returns
  // it. The message's bytes need not be aligned for T; the copy is.
  template <typename T, typename Place>
  std::span<T> GetArray(const char* what, Place place) {
    static_assert(std::is_trivially_copyable_v<T>);
    uint64_t n = Get<uint64_t>(what);
    if (n > (in_.size() - pos_) / (sizeof(T) ? sizeof(T) : 1)) Need(in_.size() + 1, what);
    T* out = place(static_cast<size_t>(n));
    if (n > 0) std::memcpy(out, in_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return {out, static_cast<size_t>(n)};
  }
  // Appends the array to *out.
  template <typename T, typename A>
  void GetVector(std::vector<T, A>* out, const char* what) {
    GetArray<T>(what, [&](size_t n) {
      size_t at = out->size();
      out->resize(at + n);
      return out->data() + at;
    });
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  void Need(uint64_t n, const char* what) const {
    if (n > in_.size() - pos_)
      throw Error::Internal("a message between ranks ends early at byte " + std::to_string(pos_) + " of " +
                            std::to_string(in_.size()) + " while reading " + what);
  }
  std::string_view in_;
  size_t pos_ = 0;
};

// Lists of strings, and of files as {path, size} (FileInfo, a manifest entry): what a listing
// shares with the other ranks.
inline void PutStrings(Writer& w, const std::vector<std::string>& v) {
  w.Put<uint64_t>(v.size());
  for (const auto& s : v) w.PutString(s);
}
inline void GetStrings(Reader& in, std::vector<std::string>* v, const char* what) {
  v->resize(in.Get<uint64_t>(what));
  for (auto& s : *v) s = in.GetString(what);
}
template <typename File>
void PutFiles(Writer& w, const std::vector<File>& files) {
  w.Put<uint64_t>(files.size());
  for (const auto& f : files) {
    w.PutString(f.path);
    w.Put(f.size);
  }
}
template <typename File>
void GetFiles(Reader& in, std::vector<File>* files, const char* what) {
  files->resize(in.Get<uint64_t>(what));
  for (auto& f : *files) {
    f.path = in.GetString(what);
    f.size = in.template Get<decltype(f.size)>(what);
  }
}

}  // namespace lakeforge::wire
