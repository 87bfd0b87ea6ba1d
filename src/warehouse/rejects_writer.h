// The quarantine: rejected records as JSON lines under <root>/_rejected/, one object per record:
//   {"source": "<input path>", "line": N, "reason": "<class>", "error": "<message>", "record": "<raw text>"}
// A record that is not valid UTF-8 is kept byte for byte as "record_base64" instead of "record".
// Line 0 means the whole file (empty or unreadable file).
#pragma once

#include <string>
#include <vector>

#include "io/file_system.h"
#include "warehouse/reject.h"
#include "warehouse/table_writer.h"

namespace lakeforge {

TableReport WriteRejects(FileSystem& fs, const std::string& root, const std::vector<Reject>& rejects,
                         const std::vector<std::string>& sources, const std::string& run_id);

}  // namespace lakeforge
