#!/usr/bin/env bash
# lakeforge's wall time over the JSON parse floor's, measured back to back: ROUNDS rounds of
# (bench/parse_floor on the lake's log_data, then `lakeforge etl` of each binary given), so that
# every ratio compares runs from the same minute of the host. On a host whose speed drifts over
# the hour (ours: the same binary 2.9-3.8 s within one), the ratio of two medians taken minutes
# apart says less than the median of these per-round ratios. Issue #16's "within 2x of the floor".
#
# The floor's time is the least of its three ways in that round (as bench/run.sh takes it); each
# etl writes into a fresh output folder after `sync`. Prints one line per round and, per binary,
# the median ratio, its range and the median wall, CPU and peak RSS, over all rounds and over the
# rounds where it ran right after the floor.
#
# Order matters on this VM: an etl that runs right after the floor is 3-7% slower than the same
# binary run right after another etl (seven rounds, 2026-12-06), likely because memory a process
# frees is cheap for the next one to touch only until the VM hands it back to the host
# (bench/results.md, #16 twentieth round). The
# binaries therefore take turns at running first, and the "first" column is the figure for a run
# that follows nothing of its own: with one binary, every round is such a run.
#
# Usage: bench/floor_ratio.sh <lake> <rounds> <binary>... [env: OUTPUT_ROOT (default /dev/shm),
#        PARSE_FLOOR (default the repository's build/bench/parse_floor), THREADS (default nproc)]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
if [ $# -lt 3 ]; then
  echo "usage: $0 <lake> <rounds> <binary>..." >&2
  exit 2
fi
lake=$1
rounds=$2
shift 2
floor=${PARSE_FLOOR:-$(dirname "$0")/../build/bench/parse_floor}
threads=${THREADS:-$(nproc)}
for bin in "$floor" "$@"; do
  [ -x "$bin" ] || { echo "floor_ratio.sh: $bin is not an executable (build first: scripts/build.sh)" >&2; exit 2; }
done
[ -d "$lake/log_data" ] || { echo "floor_ratio.sh: $lake has no log_data folder" >&2; exit 2; }
work=$(mktemp -d "${OUTPUT_ROOT:-/dev/shm}/lakeforge-floor-ratio.XXXXXX")
trap 'rm -rf "$work"' EXIT

for round in $(seq "$rounds"); do
  sync
  best=$("$floor" "$lake/log_data" "$threads" | parse_floor_best)
  secs=${best%% *}
  line="round $round floor $secs"
  # The binaries take turns at running first: the run right after the floor is the slower one
  # (the one after another etl reuses memory that run just freed; see the header).
  for k in $(seq 0 $(($# - 1))); do
    b=$(((round - 1 + k) % $# + 1))
    bin=${!b}
    rm -rf "$work/out"
    sync
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$bin" etl --input "$lake" --output "$work/out" --threads "$threads" --quiet
    read -r wall user sys rss <"$work/time"
    ratio=$(awk -v w="$wall" -v f="$secs" 'BEGIN { printf "%.3f", w / f }')
    echo "$b $ratio $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $rss $((k == 0))" >>"$work/rows"
    line="$line | binary $b: $wall s, ratio $ratio"
  done
  echo "$line"
done

echo
echo "| binary | ratio to the floor, median (min–max) | ratio, median when run first | wall s, median | CPU s, median | peak RSS MiB, max |"
echo "|---|---|---|---|---|---|"
b=0
for bin in "$@"; do
  b=$((b + 1))
  col() { awk -v b="$b" -v c="$1" '$1 == b { print $c }' "$work/rows"; }
  lo=$(col 2 | sort -n | head -1)
  hi=$(col 2 | sort -n | tail -1)
  rss=$(col 5 | sort -n | tail -1)
  first=$(awk -v b="$b" '$1 == b && $6 == 1 { print $2 }' "$work/rows" | median)
  echo "| $bin | $(col 2 | median) ($lo–$hi) | $first | $(col 3 | median) | $(col 4 | median) | $((rss / 1024)) |"
done
