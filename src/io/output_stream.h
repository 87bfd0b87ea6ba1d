// Sequential byte sinks. The Parquet writer and the JSON-lines writers write through this seam, so
// the same code targets a local file, memory (tests) or object storage.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lakeforge {

class OutputStream {
 public:
  virtual ~OutputStream() = default;
  virtual void Write(std::string_view data) = 0;
  // Bytes written so far.
  virtual int64_t Tell() const = 0;
  // Makes the bytes durable where they were sent; Write after Close is an error.
  virtual void Close() = 0;
};

class StringOutputStream final : public OutputStream {
 public:
  void Write(std::string_view data) override { buf_.append(data.data(), data.size()); }
  int64_t Tell() const override { return static_cast<int64_t>(buf_.size()); }
  void Close() override {}
  const std::string& str() const { return buf_; }
  std::string Take() { return std::move(buf_); }

 private:
  std::string buf_;
};

}  // namespace lakeforge
