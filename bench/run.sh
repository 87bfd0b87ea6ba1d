#!/usr/bin/env bash
# lakeforge vs DuckDB, end to end, on generated lakes at several scales (and the real sample when
# present). For each scale: generate the lake once (cached in bench/out/lakes), check that both
# tools produce the same rows in every table, then time RUNS alternating runs of each
# (A/B/A/B...), each into a fresh output folder, the I/O floor and the JSON parse floor. Prints a
# Markdown table per scale and writes them all to bench/results.md.
#
# Usage: bench/run.sh [--quick] [--runs N] [--only S] [--output-root DIR]
#   --quick   only the small lake and the sample (a minute); default: all scales (tens of minutes)
#   --only S  only scale S (small, medium, logs-heavy, sample); repeatable; appends to bench/results.md
#   --output-root DIR  where the tools write (default bench/out/run). On a VM whose disk varies
#             run to run, a tmpfs such as /dev/shm/lakeforge-bench isolates the tools from it.
#
# Every timed run starts after `sync` and a read of the whole lake (untimed), so no run pays for
# flushing the previous run's writes or for re-reading inodes another tool's run pushed out of
# the caches (DuckDB's medium run takes 5 GB, and the tool timed after it used to start cold).
# The I/O floor's time and CPU are the ones it measures itself (bench/io_floor.cc: listing and
# reading the inputs, writing the outputs), not its process's, which include looking up the
# reference sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
args="$*"
runs=3
quick=0
only=()
run_root=
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --runs) runs=$2; shift ;;
    --only) only+=("$2"); shift ;;
    --output-root) run_root=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
scripts/install-deps.sh
scripts/build.sh >/dev/null
bin=build/lakeforge
out=bench/out
mkdir -p "$out/lakes"
run_root=${run_root:-$out/run}
scales=("small 10000 100000")
[ "$quick" -eq 1 ] || scales+=("medium 200000 5000000" "logs-heavy 1000 10000000")
sample=../shared/data/sample

# time_cmd <label> <cmd...>: appends "label wall user sys maxrss_kb" to $out/times.
warm() { find "$lake" -type f -print0 | xargs -0 cat >/dev/null; }
time_cmd() {
  local label=$1
  shift
  sync
  warm
  /usr/bin/time -f "$label %e %U %S %M" -a -o "$out/times" "$@" >/dev/null
}
# time_floor <lake> <reference> <scratch>: like time_cmd, with the seconds and CPU the floor measures itself.
time_floor() {
  sync
  warm
  local json
  json=$(/usr/bin/time -f "%M" -o "$out/floor-rusage" build/bench/io_floor "$@")
  read -r m <"$out/floor-rusage"
  local secs cpu
  secs=$(echo "$json" | sed 's/.*"seconds":\([0-9.]*\).*/\1/')
  cpu=$(echo "$json" | sed 's/.*"cpu_seconds":\([0-9.]*\).*/\1/')
  echo "floor $secs $cpu 0 $m" >>"$out/times"
}
# time_parse_floor <lake>: the JSON parse floor of its event logs (bench/parse_floor.cc: validating
# every line with simdjson on all cores), the fastest of its three ways, as it measures them itself.
time_parse_floor() {
  sync
  warm
  local json
  json=$(/usr/bin/time -f "%M" -o "$out/parse-floor-rusage" build/bench/parse_floor "$1/log_data" "$(nproc)")
  read -r m <"$out/parse-floor-rusage"
  local best
  best=$(echo "$json" | parse_floor_best)
  echo "parse_floor $best 0 $m" >>"$out/times"
}
stat_of() {  # stat_of <label> <field#>  -> "median min max"
  local vals
  vals=$(awk -v l="$1" -v f="$2" '$1==l {print $f}' "$out/times")
  echo "$(echo "$vals" | median) $(echo "$vals" | sort -g | head -1) $(echo "$vals" | sort -g | tail -1)"
}

{
  echo "# lakeforge vs DuckDB: end-to-end ETL"
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(. /etc/os-release && echo "$PRETTY_NAME"), $(date -u +%Y-%m-%d)."
  echo "Command: \`bench/run.sh${args:+ $args}\` (outputs in $run_root). Wall time in seconds over $runs alternating runs, each after \`sync\`; CPU = user + system;"
  echo "RSS = peak resident memory. I/O floor = listing and reading every input file and writing as many files, of the same sizes, as lakeforge writes (bench/io_floor)."
  echo "JSON parse floor = reading and validating every line of the event logs with simdjson on all cores, the fastest of one parse per line, parse_many per file and parse_many per 1 MiB piece (bench/parse_floor)."
} >"$out/results.md"

lakes=()
for s in "${scales[@]}"; do
  read -r name songs events <<<"$s"
  lake="$out/lakes/$name"
  if [ ! -f "$lake/.complete" ]; then
    rm -rf "$lake"
    $bin generate --output "$lake" --songs "$songs" --events "$events" --seed 1 >/dev/null
    touch "$lake/.complete"
  fi
  lakes+=("$name $lake")
done
[ -d "$sample/song_data" ] && lakes+=("sample $sample")
if [ ${#only[@]} -gt 0 ]; then
  selected=()
  for entry in "${lakes[@]}"; do
    for o in "${only[@]}"; do [ "${entry%% *}" = "$o" ] && selected+=("$entry"); done
  done
  lakes=("${selected[@]}")
fi

for entry in "${lakes[@]}"; do
  read -r name lake <<<"$entry"
  rm -f "$out/times"
  lf="$run_root/lakeforge" dd="$run_root/duckdb"
  # 1. Check before timing: same rows in every table.
  rm -rf "$run_root" && mkdir -p "$run_root"
  $bin etl --input "$lake" --output "$lf" --quiet
  node bench/duckdb_etl.mjs "$lake" "$dd"
  if ! node tests/js/compare_outputs.mjs "$lf" "$dd" >"$out/compare.txt"; then
    cat "$out/compare.txt"
    echo "lakeforge and DuckDB disagree on $name: not timing" >&2
    exit 1
  fi
  in_bytes=$(find "$lake" -type f -not -path "*/.*" -printf "%s\n" | awk "{s += \$1} END {print s}")
  # 2. Alternate A/B runs, each into a fresh folder (removal is not timed).
  for ((i = 0; i < runs; i++)); do
    rm -rf "$dd"
    time_cmd duckdb node bench/duckdb_etl.mjs "$lake" "$dd"
    rm -rf "$lf"
    time_cmd lakeforge $bin etl --input "$lake" --output "$lf" --quiet
    rm -rf "$run_root/floor"
    time_floor "$lake" "$lf" "$run_root/floor"
    time_parse_floor "$lake"
  done
  lf_bytes=$(du -sb "$lf" | cut -f1)
  dd_bytes=$(du -sb "$dd" | cut -f1)
  lf_files=$(find "$lf" -name '*.parquet' | wc -l)
  read -r lm lmin lmax <<<"$(stat_of lakeforge 2)"
  read -r dm dmin dmax <<<"$(stat_of duckdb 2)"
  read -r fm _ _ <<<"$(stat_of floor 2)"
  read -r pm _ _ <<<"$(stat_of parse_floor 2)"
  cpu() { awk -v l="$1" '$1==l {print $3+$4}' "$out/times" | median; }
  rss() { awk -v l="$1" '$1==l {print $5}' "$out/times" | sort -g | tail -1; }
  {
    echo
    echo "## $name ($(echo "$in_bytes" | awk '{printf "%.1f MiB", $1/1048576}') input; lakeforge wrote $lf_files Parquet files)"
    echo
    echo "| tool | wall median (min–max) s | CPU s | peak RSS MiB | output MiB |"
    echo "|---|---|---|---|---|"
    echo "| DuckDB 1.5 | $dm ($dmin–$dmax) | $(cpu duckdb) | $(($(rss duckdb) / 1024)) | $(echo "$dd_bytes" | awk '{printf "%.1f", $1/1048576}') |"
    echo "| lakeforge | $lm ($lmin–$lmax) | $(cpu lakeforge) | $(($(rss lakeforge) / 1024)) | $(echo "$lf_bytes" | awk '{printf "%.1f", $1/1048576}') |"
    echo "| I/O floor | $fm | $(cpu floor) | $(($(rss floor) / 1024)) | |"
    echo "| JSON parse floor | $pm | $(cpu parse_floor) | $(($(rss parse_floor) / 1024)) | |"
    echo
    echo "lakeforge is **$(awk -v a="$dm" -v b="$lm" 'BEGIN {printf "%.1f", a/b}')×** faster than DuckDB, at **$(awk -v a="$lm" -v b="$fm" 'BEGIN {printf "%.2f", a/b}')×** the I/O floor and at **$(awk -v a="$lm" -v b="$pm" 'BEGIN {printf "%.2f", a/b}')×** the JSON parse floor."
  } | tee -a "$out/results.md"
done
if [ ${#only[@]} -gt 0 ]; then
  tail -n +5 "$out/results.md" >>bench/results.md
else
  cp "$out/results.md" bench/results.md
fi
echo
echo "written to bench/results.md"
