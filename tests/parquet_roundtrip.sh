#!/usr/bin/env bash
# Writes random Parquet files with several seeds and checks each with DuckDB and hyparquet.
set -euo pipefail
writer=$1
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for seed in 1 2 3; do
  mkdir -p "$dir/$seed"
  "$writer" "$dir/$seed" "$seed" 40
done
node "$here/js/parquet_check.mjs" "$dir"/1 "$dir"/2 "$dir"/3
