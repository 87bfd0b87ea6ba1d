// lakeforge's single error convention: a failure that stops an operation is thrown as
// lakeforge::Error, whose message names the file/object, the offset or line, and what was expected.
// Bad *records* are never errors: they are data (see warehouse/reject.h) and the run goes on.
#pragma once

#include <stdexcept>
#include <string>

namespace lakeforge {

class Error : public std::runtime_error {
 public:
  enum class Kind { kInvalidInput, kIo, kUsage, kInternal };
  Error(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

  static Error Io(const std::string& message) { return Error(Kind::kIo, message); }
  static Error InvalidInput(const std::string& message) { return Error(Kind::kInvalidInput, message); }
  static Error Usage(const std::string& message) { return Error(Kind::kUsage, message); }
  static Error Internal(const std::string& message) { return Error(Kind::kInternal, message); }

 private:
  Kind kind_;
};

}  // namespace lakeforge
