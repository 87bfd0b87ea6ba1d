// A quarantined record: which input and line, why (a reason the summary counts) and its text.
// The vocabulary of reasons is the Sparkify inputs'; the warehouse writes them to _rejected/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lakeforge {

// Why a record was quarantined. The summary counts rejects per reason.
enum class RejectReason {
  kMalformedJson,
  kInvalidUtf8,
  kNotAnObject,
  kMissingField,
  kWrongType,
  kNonNumericUserId,
  kEmptyFile,
  kUnreadableFile,
  kPartitionValueTooLong,  // a partition folder name over 255 bytes: no file system can hold it
  kRecordTooLarge,         // a line over --max-record-bytes
};
inline constexpr int kRejectReasonCount = 10;
const char* RejectReasonName(RejectReason r);

struct Reject {
  uint32_t file;  // index into the sorted input list
  uint32_t line;
  RejectReason reason;
  std::string error;   // full message, e.g. "wrong type for ts: expected integer, got string"
  std::string record;  // the raw text of the record
};

// The quarantine's order: by input file, then line; rejects of one line keep the order their
// file's parser found them in (a stable sort), whoever collected them.
void SortRejects(std::vector<Reject>* rejects);

}  // namespace lakeforge
