#!/usr/bin/env bash
# The price and the balance of running on MPI, on one machine (mpirun, oversubscribed past the
# core count). On the medium generated lake (200k song files, 5M events; cached in bench/out/lakes)
# it times, warm cache, output on tmpfs, alternating runs, best of RUNS:
#   one process --threads 2   vs   mpirun -n 2 --threads 1   (the same two cores: MPI's price)
# and reads from each distributed run's report the load balance (max/mean per rank of bytes read,
# rows received in the shuffles and files written) and the bytes exchanged per rank, for
# mpirun -n 2, 4 and 8. Output identity with the one-process run is checked for every N.
# Prints a Markdown table and appends it to bench/results.md.
#
# Usage: bench/scale_out.sh [--runs N] [--lake small|medium]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3
scale=medium
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift ;;
    --lake) scale=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
scripts/build.sh >/dev/null
bin=$PWD/build/lakeforge
case $scale in
  small) songs=10000 events=100000 ;;
  medium) songs=200000 events=5000000 ;;
  *) echo "--lake small|medium" >&2; exit 2 ;;
esac
lake=bench/out/lakes/$scale
[ -d "$lake/log_data" ] || { mkdir -p bench/out/lakes; $bin generate --output "$lake" --songs $songs --events $events --seed 1 >/dev/null; }
out=/dev/shm/lakeforge-scale-out
rm -rf "$out"
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
# One machine: ob1 (shared memory) without probing for UCX, which costs ~0.2 s per job here.
export OMPI_MCA_pml=ob1
. tests/check_lib.sh 2>/dev/null || true
work=$out
warm() { find "$lake" -type f -print0 | xargs -0 cat >/dev/null; }
# run <label> <cmd...>: wall seconds of one run into a fresh folder, appended to $out/times.
run() {
  local label=$1
  shift
  rm -rf "$out/o"
  sync
  warm
  local t0 t1
  t0=$(date +%s.%N)
  "$@" --input "$lake" --output "$out/o" --quiet --report "$out/$label.json" >/dev/null
  t1=$(date +%s.%N)
  echo "$label $(echo "$t1 - $t0" | bc)" >>"$out/times"
}
one=("$bin" etl --threads 2)
two=(mpirun -n 2 --bind-to none "$bin" etl --threads 1)
for _ in $(seq "$runs"); do
  run one "${one[@]}"
  run n2 "${two[@]}"
done
best() { grep "^$1 " "$out/times" | awk '{print $2}' | sort -n | head -1 | xargs printf '%.2f'; }
rm -rf "$out/ref"
"$bin" etl --input "$lake" --output "$out/ref" --quiet
ref=$(fingerprint "$out/ref")
for n in 4 8; do run "n$n" mpirun -n "$n" --bind-to none "$bin" etl --threads 1; done
identical() {
  rm -rf "$out/chk"
  mpirun -n "$1" --bind-to none "$bin" etl --input "$lake" --output "$out/chk" --threads 1 --quiet
  [ "$(fingerprint "$out/chk")" = "$ref" ] && echo yes || echo NO
}
figures() {  # balance and exchange figures of a run report
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const k = r.distribution.per_rank, b = r.distribution.balance;
    const mib = (x) => (x / 1048576).toFixed(1);
    const sent = k.map((x) => x.exchange_bytes_sent), rows = k.map((x) => x.rows_in);
    const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
    console.log([b.bytes_read.toFixed(2), b.rows_in.toFixed(2), b.files_written.toFixed(2),
                 mib(mean(sent)) + " / " + mib(Math.max(...sent)), Math.round(mean(rows))].join(" | "));' "$1"
}
t1=$(best one)
t2=$(best n2)
{
  echo
  echo "### Scale-out on one machine ($scale lake: $songs song files, $events events; $(date -u +%Y-%m-%d))"
  echo
  echo "\`bench/scale_out.sh --lake $scale --runs $runs\`: warm cache, output on tmpfs, best of $runs alternating runs; 2 cores."
  echo
  echo "| run | wall | vs one process | identical bytes | balance: bytes read | rows in | files written | exchanged per rank (mean / max MiB) | rows in per rank (mean) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  echo "| one process, --threads 2 | ${t1} s | 1.00× | — | — | — | — | — | — |"
  for n in 2 4 8; do
    t=$([ "$n" = 2 ] && echo "$t2" || best "n$n")
    echo "| mpirun -n $n --threads 1 | ${t} s | $(echo "scale=2; $t / $t1" | bc)× | $(identical "$n") | $(figures "$out/n$n.json") |"
  done
} | tee -a bench/results.md
