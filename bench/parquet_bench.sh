#!/usr/bin/env bash
# Parquet writer throughput: the same songplays-shaped table (default 5M rows) written by lakeforge
# (one file, one thread) and by DuckDB 1.5 COPY (one thread, and all cores), alternating runs; the
# files are first checked to hold the same rows. MB/s counts the table's PLAIN-encoded size.
# Usage: bench/parquet_bench.sh [--rows N] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=5000000
runs=3
while [ $# -gt 0 ]; do
  case $1 in
    --rows) rows=$2; shift ;;
    --runs) runs=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
scripts/build.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cores=$(nproc)
build/bench/parquet_write_bench "$rows" "$work/lf.parquet" >"$work/lf.json"
node bench/parquet_duckdb.mjs "$rows" "$work/dd.parquet" "$cores" >/dev/null
node bench/parquet_duckdb.mjs --compare "$work/lf.parquet" "$work/dd.parquet" >/dev/null ||
  { echo "lakeforge and DuckDB files differ" >&2; exit 1; }
plain=$(sed -E 's/.*"plain_bytes":([0-9]+).*/\1/' "$work/lf.json")
: >"$work/times"
for ((i = 0; i < runs; i++)); do
  build/bench/parquet_write_bench "$rows" "$work/lf.parquet" | sed -E 's/.*"seconds":([0-9.]+).*/lakeforge \1/' >>"$work/times"
  node bench/parquet_duckdb.mjs "$rows" "$work/dd1.parquet" 1 | sed -E 's/.*"seconds":([0-9.]+).*/duckdb1 \1/' >>"$work/times"
  node bench/parquet_duckdb.mjs "$rows" "$work/dd.parquet" "$cores" | sed -E 's/.*"seconds":([0-9.]+).*/duckdbN \1/' >>"$work/times"
done
med() { awk -v l="$1" '$1==l {print $2}' "$work/times" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
l=$(med lakeforge) d1=$(med duckdb1) dn=$(med duckdbN)
mbs() { awk -v b="$plain" -v t="$1" 'BEGIN {printf "%.0f", b/t/1e6}'; }
size() { awk -v b="$(stat -c %s "$1")" 'BEGIN {printf "%.1f", b/1048576}'; }
{
  echo
  echo "## Parquet writer: $rows songplays-shaped rows ($(awk -v b="$plain" 'BEGIN {printf "%.0f MB", b/1e6}') PLAIN), snappy"
  echo
  echo "Command: \`bench/parquet_bench.sh --rows $rows --runs $runs\` (median of $runs alternating runs; only the write is timed)."
  echo
  echo "| writer | threads | seconds | MB/s | MB/s per core | file MiB |"
  echo "|---|---|---|---|---|---|"
  echo "| lakeforge | 1 | $l | $(mbs "$l") | $(mbs "$l") | $(size "$work/lf.parquet") |"
  echo "| DuckDB 1.5 COPY | 1 | $d1 | $(mbs "$d1") | $(mbs "$d1") | $(size "$work/dd1.parquet") |"
  echo "| DuckDB 1.5 COPY | $cores | $dn | $(mbs "$dn") | $(awk -v b="$plain" -v t="$dn" -v c="$cores" 'BEGIN {printf "%.0f", b/t/1e6/c}') | $(size "$work/dd.parquet") |"
  echo
  echo "Per core, lakeforge writes **$(awk -v a="$d1" -v b="$l" 'BEGIN {printf "%.2f", a/b}')×** as fast as DuckDB."
} | tee -a bench/results.md
