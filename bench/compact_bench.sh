#!/usr/bin/env bash
# Compaction throughput: files/s and MB/s merging the song files of a generated lake (default the
# medium lake, 200k song files) with `lakeforge compact --groupBy`, against the I/O floor (a plain
# read of every file, bench/io_floor with nothing to write). Alternating runs; prints a Markdown table
# and appends it to bench/results.md.
# Usage: bench/compact_bench.sh [--songs N] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
songs=200000
runs=3
while [ $# -gt 0 ]; do
  case $1 in
    --songs) songs=$2; shift ;;
    --runs) runs=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
scripts/build.sh >/dev/null
out=bench/out
lake=$out/lakes/compact-$songs
if [ ! -f "$lake/.complete" ]; then
  rm -rf "$lake"
  build/lakeforge generate --output "$lake" --songs "$songs" --events 1000 --seed 1 >/dev/null
  touch "$lake/.complete"
fi
mkdir -p "$out/run/empty"
files=$(find "$lake/song_data" -type f -not -path '*/.*' | wc -l)
bytes=$(find "$lake/song_data" -type f -not -path '*/.*' -printf '%s\n' | awk '{s += $1} END {print s}')
rm -f "$out/ctimes"
for ((i = 0; i < runs; i++)); do
  rm -rf "$out/run/floor-scratch"
  /usr/bin/time -f "floor %e" -a -o "$out/ctimes" build/bench/io_floor "$lake/song_data" "$out/run/empty" "$out/run/floor-scratch" >/dev/null
  rm -rf "$out/run/compacted"
  /usr/bin/time -f "lakeforge %e" -a -o "$out/ctimes" build/lakeforge compact --src "$lake/song_data" \
    --dest "$out/run/compacted" --groupBy '.*/song_data/([A-Z])/([A-Z])/.*' --quiet
done
med() { awk -v l="$1" '$1==l {print $2}' "$out/ctimes" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
f=$(med floor) l=$(med lakeforge)
{
  echo
  echo "## compact: $files song files ($(echo "$bytes" | awk '{printf "%.1f MiB", $1/1048576}')) -> $(find "$out/run/compacted" -type f | wc -l) files, local disk"
  echo
  echo "Command: \`bench/compact_bench.sh --songs $songs --runs $runs\` (median of $runs alternating runs)."
  echo
  echo "| | wall s | files/s | MB/s |"
  echo "|---|---|---|---|"
  echo "| I/O floor (read every file) | $f | $(awk -v n="$files" -v t="$f" 'BEGIN {printf "%.0f", n/t}') | $(awk -v b="$bytes" -v t="$f" 'BEGIN {printf "%.1f", b/t/1e6}') |"
  echo "| lakeforge compact --groupBy | $l | $(awk -v n="$files" -v t="$l" 'BEGIN {printf "%.0f", n/t}') | $(awk -v b="$bytes" -v t="$l" 'BEGIN {printf "%.1f", b/t/1e6}') |"
  echo
  echo "lakeforge reaches **$(awk -v f="$f" -v l="$l" 'BEGIN {printf "%.0f", 100*f/l}')%** of the floor's files/s."
} | tee -a bench/results.md
