// A table to write: its schema and partition folders, each partition's rows built on demand.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "table/column.h"

namespace lakeforge {

// A table as partitions whose record batches are built on demand, one call per partition, so
// that writing holds only the partitions being encoded, not the whole table, in memory.
struct TableData {
  std::string name;
  Schema schema;
  bool partitioned = false;
  std::vector<std::string> dirs;                // "year=2018/month=11"; "" for an unpartitioned table
  std::function<RecordBatch(size_t)> batch_of;  // builds partition i; called once per partition
};

// Wraps batches built up front as a TableData.
void SetEager(TableData* t, std::vector<std::string> dirs, std::vector<RecordBatch> batches);

}  // namespace lakeforge
