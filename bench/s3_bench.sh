#!/usr/bin/env bash
# S3 throughput on many small objects against a local S3 server (npm s3rver on 127.0.0.1, started
# and stopped here): objects/s listed and read by `lakeforge compact` (S3 -> local copy, one to
# one) and by `aws s3 cp --recursive` (Debian awscli) on the same objects, alternating runs.
# (Both copies are compared, leaving out the writer lock and run reports lakeforge keeps in
# _lakeforge.lock and _runs/.) Prints a Markdown table and appends it to bench/results.md.
#
# --latency-ms L puts the server behind a proxy (tests/js/conditional_proxy.mjs --delay-ms L) that
# holds every request L ms before serving it, like real S3's time to first byte: objects/s then
# show how well requests overlap. The ideal is connections / latency, capped by what the server
# serves without the delay (measured here too, with lakeforge).
# Usage: bench/s3_bench.sh [--objects N] [--runs N] [--latency-ms L]
set -euo pipefail
cd "$(dirname "$0")/.."
objects=5000
runs=3
latency=0
while [ $# -gt 0 ]; do
  case $1 in
    --objects) objects=$2; shift ;;
    --runs) runs=$2; shift ;;
    --latency-ms) latency=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x /usr/bin/aws ] || apt-get install -y -qq awscli >/dev/null
aws() { /usr/bin/aws "$@"; }  # Debian's awscli, whatever else is on PATH
scripts/build.sh >/dev/null
work=$(mktemp -d)
server=""
proxy=""
cproxy=""
trap 'for p in $server $proxy $cproxy; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
NODE_OPTIONS=--openssl-legacy-provider tests/js/node_modules/.bin/s3rver -d "$work/s3" -a 127.0.0.1 -p "$port" -s \
  --configure-bucket lake >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
# s3rver has no conditional writes, which lakeforge's writer lock needs: the test suite's proxy adds them.
node tests/js/conditional_proxy.mjs --target "127.0.0.1:$port" >"$work/cproxy.port" &
cproxy=$!
for _ in $(seq 50); do [ -s "$work/cproxy.port" ] && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
export AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$work/cproxy.port")
build/lakeforge generate --output "$work/lake" --songs "$objects" --events 10 --seed 1 >/dev/null
build/lakeforge compact --src "$work/lake/song_data" --dest s3://lake/song_data --quiet
rm -f "$work/times"
direct=$AWS_ENDPOINT_URL
if [ "$latency" -gt 0 ]; then
  # What the server serves without the delay: the cap of the ideal.
  for ((i = 0; i < runs; i++)); do
    rm -rf "$work/lf-out"
    /usr/bin/time -f "direct %e" -a -o "$work/times" build/lakeforge compact --src s3://lake/song_data \
      --dest "$work/lf-out" --threads 16 --quiet
  done
  node tests/js/conditional_proxy.mjs --target "127.0.0.1:$port" --delay-ms "$latency" >"$work/proxy.port" &
  proxy=$!
  for _ in $(seq 50); do [ -s "$work/proxy.port" ] && break; sleep 0.1; done
  export AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$work/proxy.port")
fi
for ((i = 0; i < runs; i++)); do
  rm -rf "$work/aws-out" "$work/lf-out"
  /usr/bin/time -f "aws %e" -a -o "$work/times" aws s3 cp --recursive --quiet s3://lake/song_data "$work/aws-out" \
    --endpoint-url "$AWS_ENDPOINT_URL"
  /usr/bin/time -f "lakeforge %e" -a -o "$work/times" build/lakeforge compact --src s3://lake/song_data \
    --dest "$work/lf-out" --threads 16 --quiet
done
n_aws=$(find "$work/aws-out" -type f ! -name _lakeforge.lock ! -path "*/_runs/*" | wc -l)
n_lf=$(find "$work/lf-out" -type f ! -name _lakeforge.lock ! -path "*/_runs/*" | wc -l)
[ "$n_aws" -eq "$n_lf" ] || { echo "aws copied $n_aws objects, lakeforge $n_lf" >&2; exit 1; }
diff -r -x _lakeforge.lock -x _runs "$work/aws-out" "$work/lf-out" >"$work/diff" || { echo "copies differ:" >&2; head -5 "$work/diff" >&2; exit 1; }
med() { awk -v l="$1" '$1==l {print $2}' "$work/times" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
a=$(med aws) l=$(med lakeforge)
depth=128  # lakeforge's default --io-depth on S3
if [ "$latency" -gt 0 ]; then
  d=$(med direct)
  {
    echo
    echo "## S3 with ${latency} ms per request: list + read $n_lf small objects (s3rver behind a delaying proxy)"
    echo
    echo "Command: \`bench/s3_bench.sh --objects $objects --runs $runs --latency-ms $latency\` (median of $runs alternating runs; both copies checked identical)."
    echo
    awk -v n="$n_lf" -v a="$a" -v l="$l" -v d="$d" -v lat="$latency" -v depth="$depth" 'BEGIN {
      cap = n / d; ideal = depth / (lat / 1000); if (cap < ideal) ideal = cap
      printf "| | wall s | objects/s | of the ideal |\n|---|---|---|---|\n"
      printf "| server without the delay (lakeforge, the cap) | %.2f | %.0f | |\n", d, cap
      printf "| ideal: %d requests in flight / %d ms, capped by the server | | %.0f | 100%% |\n", depth, lat, ideal
      printf "| aws s3 cp --recursive | %.2f | %.0f | %.0f%% |\n", a, n / a, 100 * n / a / ideal
      printf "| lakeforge compact (--io-depth %d) | %.2f | %.0f | %.0f%% |\n", depth, l, n / l, 100 * n / l / ideal
      printf "\nlakeforge is **%.1f×** the AWS CLI'"'"'s throughput.\n", a / l
    }'
  } | tee -a bench/results.md
  exit 0
fi
{
  echo
  echo "## S3: list + read $n_lf small objects from a loopback S3 server (s3rver)"
  echo
  echo "Command: \`bench/s3_bench.sh --objects $objects --runs $runs\` (median of $runs alternating runs; both copies checked identical)."
  echo
  echo "| | wall s | objects/s |"
  echo "|---|---|---|"
  echo "| aws s3 cp --recursive (awscli $(aws --version 2>&1 | cut -d' ' -f1 | cut -d/ -f2)) | $a | $(awk -v n="$n_lf" -v t="$a" 'BEGIN {printf "%.0f", n/t}') |"
  echo "| lakeforge compact (16 connections) | $l | $(awk -v n="$n_lf" -v t="$l" 'BEGIN {printf "%.0f", n/t}') |"
  echo
  echo "lakeforge is **$(awk -v a="$a" -v l="$l" 'BEGIN {printf "%.1f", a/l}')×** the AWS CLI's throughput."
} | tee -a bench/results.md
