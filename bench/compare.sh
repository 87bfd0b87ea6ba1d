#!/usr/bin/env bash
# A/B of two lakeforge binaries on one lake: RUNS alternating `etl` runs of each (A, B, A, B, ...),
# every one into a fresh output after `sync` and a read of the whole lake, timed with GNU time.
# Prints one Markdown row per binary: median wall seconds, median CPU seconds, max peak RSS, and
# B's median wall relative to A's. For before/after figures of a change (e.g. the previous commit
# built in a git worktree against this one).
#
# Usage: bench/compare.sh <binary A> <binary B> <lake> [runs (default 5)] [output root (default /dev/shm)]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
a=$1
b=$2
lake=$3
runs=${4:-5}
root=${5:-/dev/shm}
work=$(mktemp -d "$root/lakeforge-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
for i in $(seq "$runs"); do
  for side in A B; do
    bin=$a
    [ "$side" = B ] && bin=$b
    rm -rf "$work/out"
    sync
    find "$lake" -type f -print0 | xargs -0 cat >/dev/null
    /usr/bin/time -f "$side %e %U %S %M" -a -o "$work/times" "$bin" etl --input "$lake" --output "$work/out" --quiet
  done
done
wall_a=$(awk '$1 == "A" { print $2 }' "$work/times" | median)
echo "| binary | wall s (median of $runs) | CPU s (median) | peak RSS MiB (max) | wall ÷ A |"
echo "|---|---|---|---|---|"
for side in A B; do
  bin=$a
  [ "$side" = B ] && bin=$b
  wall=$(awk -v s="$side" '$1 == s { print $2 }' "$work/times" | median)
  cpu=$(awk -v s="$side" '$1 == s { print $3 + $4 }' "$work/times" | median)
  rss=$(awk -v s="$side" '$1 == s && $5 > m { m = $5 } END { printf "%.0f", m / 1024 }' "$work/times")
  echo "| $side: $bin | $wall | $cpu | $rss | $(awk -v w="$wall" -v a="$wall_a" 'BEGIN { printf "%.3f", w / a }') |"
done
echo
echo "all runs (side wall user sys maxrss_kb):"
cat "$work/times"
