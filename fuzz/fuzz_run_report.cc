// libFuzzer target: run reports and writer-lock records are read back from files anyone can edit
// (`lakeforge report`, `report --diff`, a lock file left in an output). Any bytes must give a page,
// a diff, or an Error naming the file, never a crash.
#include <cstdint>
#include <string>

#include "base/error.h"
#include "cli/run_report.h"
#include "io/writer_lock.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    lakeforge::cli::RenderRunReportHtml(text, "fuzz.json");
  } catch (const lakeforge::Error&) {
  }
  try {
    lakeforge::cli::DiffRunReports(text, "a.json", text, "b.json");
  } catch (const lakeforge::Error&) {
  }
  lakeforge::ParseLockHolder(text);
  return 0;
}
