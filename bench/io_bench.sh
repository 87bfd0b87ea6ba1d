#!/usr/bin/env bash
# Cold caches and reruns: what a nightly run meets. On one lake, RUNS alternating rounds of
#   - the fastest cold read of the same files: `xargs -P {2,16,64} cat` of every input file;
#   - lakeforge etl on cold caches (each binary given; e.g. the previous commit's and this one's);
#   - lakeforge etl on warm caches, into a fresh output (a first run) and into the output of the
#     previous run (a rerun, which replaces yesterday's tables);
# and prints a Markdown table of medians with the ratios the targets are stated in.
#
# "Cold" drops the page cache, dentries and inodes before the run (sync; echo 3 >
# /proc/sys/vm/drop_caches). That needs root: without it the script says so and times warm runs
# only. Outputs go to a tmpfs (default /dev/shm) so that writing does not compete with reading.
#
# Usage: bench/io_bench.sh <lake> <binary> [<binary> ...]   (env: RUNS=3, OUT=/dev/shm, ARGS="")
set -euo pipefail
lake=$1
shift
bins=("$@")
runs=${RUNS:-3}
root=${OUT:-/dev/shm}
work=$(mktemp -d "$root/lakeforge-io-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cold=1
if ! { sync && echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; then
  cold=0
  echo "note: cannot drop caches here (not root?): cold rows are skipped, warm rows only" >&2
fi
drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }
warm() { find "$lake" -type f -print0 | xargs -0 cat >/dev/null; }
files=$(find "$lake/song_data" "$lake/log_data" \( -name '.*' -o -name '_*' \) -prune -o -type f -print | wc -l)
bytes=$(du -sb "$lake" | cut -f1)
t() {  # t <label> <command...>: appends "<label> <seconds>" to $work/times
  local label=$1
  shift
  local s e
  s=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  e=$(date +%s.%N)
  echo "$label $(echo "$e - $s" | bc)" >>"$work/times"
}
cat_files() { find "$lake/song_data" "$lake/log_data" -type f -print0 | xargs -0 -P "$1" -n 64 cat >/dev/null; }
for r in $(seq "$runs"); do
  if [ "$cold" = 1 ]; then
    for p in 2 16 64; do
      drop
      t "cold-cat-P$p" cat_files "$p"
    done
  fi
  for i in "${!bins[@]}"; do
    b=${bins[$i]}
    if [ "$cold" = 1 ]; then
      rm -rf "$work/out"
      drop
      # shellcheck disable=SC2086
      t "cold-etl-$i" "$b" etl --input "$lake" --output "$work/out" --quiet ${ARGS:-}
    fi
    rm -rf "$work/out"
    warm
    # shellcheck disable=SC2086
    t "warm-etl-$i" "$b" etl --input "$lake" --output "$work/out" --quiet ${ARGS:-}
    sync
    # shellcheck disable=SC2086
    t "rerun-etl-$i" "$b" etl --input "$lake" --output "$work/out" --quiet ${ARGS:-}
  done
done
median() { grep "^$1 " "$work/times" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.2f", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "Lake: $lake ($files input files, $(numfmt --to=iec "$bytes")); $runs rounds; median seconds; outputs on $root."
echo
best=""
if [ "$cold" = 1 ]; then
  echo "| cold read floor | seconds |"
  echo "|---|---|"
  for p in 2 16 64; do
    m=$(median "cold-cat-P$p")
    echo "| xargs -P $p cat | $m |"
    if [ -z "$best" ] || [ "$(echo "$m < $best" | bc)" = 1 ]; then best=$m; fi
  done
  echo
fi
echo "| binary | cold etl | cold / best cat | warm first run | warm rerun | rerun / first |"
echo "|---|---|---|---|---|---|"
for i in "${!bins[@]}"; do
  c=$(median "cold-etl-$i")
  w=$(median "warm-etl-$i")
  rr=$(median "rerun-etl-$i")
  ratio="–"
  [ -n "$c" ] && [ -n "$best" ] && ratio=$(echo "scale=2; $c / $best" | bc)
  echo "| ${bins[$i]} | ${c:-–} | $ratio | $w | $rr | $(echo "scale=2; $rr / $w" | bc) |"
done
