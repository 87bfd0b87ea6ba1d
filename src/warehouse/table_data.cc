#include "warehouse/table_data.h"

#include <memory>

namespace lakeforge {

void SetEager(TableData* t, std::vector<std::string> dirs, std::vector<RecordBatch> batches) {
  t->dirs = std::move(dirs);
  auto shared = std::make_shared<std::vector<RecordBatch>>(std::move(batches));
  t->batch_of = [shared](size_t i) { return std::move((*shared)[i]); };
}

}  // namespace lakeforge
