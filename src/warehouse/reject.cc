// Names of reject reasons, as shown in the summary and the _rejected records.
#include "warehouse/reject.h"

#include <algorithm>

namespace lakeforge {

const char* RejectReasonName(RejectReason r) {
  switch (r) {
    case RejectReason::kMalformedJson: return "malformed JSON";
    case RejectReason::kInvalidUtf8: return "invalid UTF-8";
    case RejectReason::kNotAnObject: return "not a JSON object";
    case RejectReason::kMissingField: return "missing key field";
    case RejectReason::kWrongType: return "wrong type";
    case RejectReason::kNonNumericUserId: return "non-numeric userId";
    case RejectReason::kEmptyFile: return "empty file";
    case RejectReason::kUnreadableFile: return "unreadable file";
    case RejectReason::kPartitionValueTooLong: return "partition value too long";
    case RejectReason::kRecordTooLarge: return "record too large";
  }
  return "?";
}

void SortRejects(std::vector<Reject>* rejects) {
  std::stable_sort(rejects->begin(), rejects->end(), [](const Reject& a, const Reject& b) {
    return a.file != b.file ? a.file < b.file : a.line < b.line;
  });
}

}  // namespace lakeforge
