// Hive-style partition folder names ("year=2018", "artist_id=AR%2F1"), escaped exactly as Spark's
// ExternalCatalogUtils.escapePathName does, so Spark, Athena and DuckDB decode them unchanged.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lakeforge {

inline constexpr const char* kHiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__";
// The longest folder name (one path segment) that Linux file systems and S3 tooling accept.
inline constexpr size_t kMaxFolderNameBytes = 255;

// Escapes control characters, '"', '#', '%', '\'', '*', '/', ':', '=', '?', '\\', DEL, '{', '[',
// ']' and '^' as %XX (upper-case hex).
std::string EscapeHivePathName(std::string_view value);
// The inverse; an invalid escape is kept literally (as Hive does).
std::string UnescapeHivePathName(std::string_view name);

// "key=value" with the value escaped; null or empty -> __HIVE_DEFAULT_PARTITION__.
std::string HivePartitionDir(std::string_view key, const std::optional<std::string_view>& value);

}  // namespace lakeforge
