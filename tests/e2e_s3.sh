#!/usr/bin/env bash
# End-to-end tests of lakeforge on S3 against a real S3 server on 127.0.0.1 (npm s3rver), started
# and stopped here: S3 -> S3, S3 -> local and local -> S3 runs must hold exactly the rows of the
# local run; a fault-injecting proxy (503 SlowDown, dropped connections, delays) must not change the
# output and its retries must show in the summary; a rerun must leave only the new run's objects;
# errors (wrong bucket, unreachable endpoint) are one clear line and exit 2.
# Usage: e2e_s3.sh <lakeforge binary> [sample lake]
set -uo pipefail
bin=$1
sample=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
raw_port=$(free_port)
mkdir -p "$work/s3"
# s3rver 3.7.1 needs the legacy OpenSSL provider for paged listings.
NODE_OPTIONS=--openssl-legacy-provider "$here/js/node_modules/.bin/s3rver" -d "$work/s3" -a 127.0.0.1 -p "$raw_port" -s \
  --configure-bucket lake --configure-bucket out >"$work/s3rver.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/"$raw_port") 2>/dev/null && break; sleep 0.1; done
# s3rver has no conditional writes (AWS S3 has since 2024; lakeforge's writer lock needs them):
# a proxy in front of it adds them, and every test talks to the proxy.
node "$here/js/conditional_proxy.mjs" --target "127.0.0.1:$raw_port" --max-seconds 1800 >"$work/cond.port" 2>"$work/cond.log" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/cond.port" ] && break; sleep 0.1; done
port=$(cat "$work/cond.port")
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 AWS_ENDPOINT_URL=http://127.0.0.1:$port

. "$here/check_lib.sh"
same() { node "$here/js/compare_outputs.mjs" "$1" "$2"; }
fetch() { rm -rf "$2" && /usr/bin/python3 "$here/s3_tool.py" get-tree "$1" "$2"; }

conformance() { LAKEFORGE_TEST_S3_ROOT=s3://out/conformance "$(dirname "$bin")/tests/file_system_conformance_test"; }
check "FileSystem conformance suite on S3 (and local)" conformance

# The lake: the real sample (with its stray checkpoint files) or a generated one, uploaded by botocore.
lake=$work/lake
if [ -n "$sample" ] && [ -d "$sample/song_data" ]; then
  cp -r "$sample" "$lake"
else
  "$bin" generate --output "$lake" --songs 300 --events 5000 --seed 4 >/dev/null
fi
/usr/bin/python3 "$here/s3_tool.py" put-tree "$lake" s3://lake/sample
"$bin" etl --input "$lake" --output "$work/local" --quiet

s3_to_s3() {
  "$bin" etl --input s3://lake/sample --output s3://out/wh --quiet || return 1
  fetch s3://out/wh "$work/got" && same "$work/local" "$work/got"
}
check "S3 -> S3 matches the local run" s3_to_s3
# A writer killed mid-upload leaves a multipart upload nobody finishes (invisible to listings and
# billed): the next run into that output aborts those below it, and only those.
unfinished_uploads() {
  local tool="/usr/bin/python3 $here/s3_tool.py"
  $tool start-upload s3://out/wh/songplays/year=2018/month=11/part-dead.parquet || return 1
  $tool start-upload s3://out/elsewhere/keep.parquet || return 1
  [ "$($tool list-uploads s3://out/wh)" = "wh/songplays/year=2018/month=11/part-dead.parquet" ] ||
    { echo "the proxy does not list the upload"; return 1; }
  "$bin" etl --input s3://lake/sample --output s3://out/wh --quiet || return 1
  [ -z "$($tool list-uploads s3://out/wh)" ] || { echo "left: $($tool list-uploads s3://out/wh)"; return 1; }
  [ "$($tool list-uploads s3://out/elsewhere)" = "elsewhere/keep.parquet" ] || { echo "aborted an upload elsewhere"; return 1; }
}
check "unfinished multipart uploads below the output are aborted by the next run, others kept" unfinished_uploads
# mpirun -n 3 reading and writing S3: each rank GETs its share of the objects and PUTs its share of
# the partitions; the objects are byte-identical to the one-process S3 run's.
mpi_s3_to_s3() {
  # Under the sanitizer build, leak checking is off for the ranks (Open MPI and its plugins keep
  # allocations until exit, and dlclose their code); address and UB checks stay on.
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_tcp_if_include=lo \
    OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_rmaps_base_oversubscribe=1 \
    mpirun -n 3 --bind-to none "$bin" etl --input s3://lake/sample --output s3://out/mpi --quiet || return 1
  fetch s3://out/mpi "$work/mpi-got" && fetch s3://out/wh "$work/wh-got" || return 1
  same "$work/local" "$work/mpi-got" && diff <(fingerprint "$work/wh-got") <(fingerprint "$work/mpi-got")
}
check "mpirun -n 3, S3 -> S3: the same objects as one process" mpi_s3_to_s3
check "S3 -> local matches the local run" bash -c "'$bin' etl --input s3://lake/sample --output '$work/s3local' --quiet && node '$here/js/compare_outputs.mjs' '$work/local' '$work/s3local'"
local_to_s3() {
  "$bin" etl --input "file://$lake" --output s3://out/fromlocal --quiet || return 1
  fetch s3://out/fromlocal "$work/got2" && same "$work/local" "$work/got2"
}
check "local -> S3 matches the local run" local_to_s3

rerun_cleans() {
  "$bin" etl --input s3://lake/sample --output s3://out/wh --quiet || return 1
  fetch s3://out/wh "$work/got3" || return 1
  local runs
  runs=$(find "$work/got3" -name 'part-*' | grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' | sort -u | wc -l)
  [ "$runs" -eq 1 ] || { echo "objects of $runs runs under the table prefixes"; return 1; }
  for t in songs artists users time songplays; do
    diff <(sort "$work/got3/$t/_SUCCESS") <(cd "$work/got3/$t" && find . -name 'part-*' | sed 's|^\./||' | sort) ||
      { echo "$t: manifest and objects differ"; return 1; }
  done
  same "$work/local" "$work/got3"
}
check "rerun on S3 leaves exactly the manifest's objects" rerun_cleans

faults() {
  "$bin" generate --output s3://lake/gen --songs 400 --events 20000 --seed 9 --dirty-rate 0.01 >/dev/null || return 1
  "$bin" generate --output "$work/gen" --songs 400 --events 20000 --seed 9 --dirty-rate 0.01 >/dev/null || return 1
  "$bin" etl --input "$work/gen" --output "$work/gen-local" --quiet || return 1
  node "$here/js/fault_proxy.mjs" --target "127.0.0.1:$port" --slowdown 0.08 --drop 0.04 --delay 0.08 --seed 3 \
    --max-seconds 300 >"$work/proxy.port" 2>"$work/proxy.log" &
  pids+=($!)
  local proxy=$!
  for _ in $(seq 50); do [ -s "$work/proxy.port" ] && break; sleep 0.1; done
  # (The run report goes to local files here: its own upload would come after the counts it holds.)
  AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$work/proxy.port") "$bin" etl --input s3://lake/gen --output s3://out/faulty \
    --report "$work/faulty.json" --report-html "$work/faulty.html" >"$work/faulty.txt" || return 1
  grep -E "^s3: .* [1-9][0-9]* retries" "$work/faulty.txt" || { cat "$work/faulty.txt"; return 1; }
  # The summary's request figures equal the proxy's own count of what it received and answered.
  kill "$proxy" && wait "$proxy" 2>/dev/null
  node -e '
    const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").pop());
    const m = /^s3: (\d+) requests, (\d+) retries, (\d+) bytes in, (\d+) bytes out$/m.exec(require("fs").readFileSync(process.argv[2], "utf8"));
    const want = [p.requests, p.slowdown + p.drop, p.bytes_in, p.bytes_out].join(" ");
    const got = m ? m.slice(1).join(" ") : "no s3 line";
    if (got !== want) { console.log(`summary says ${got}; the proxy counted ${want} (requests, retries, bytes in, bytes out)`); process.exit(1); }
    const s = JSON.parse(require("fs").readFileSync(process.argv[3], "utf8")).storage;
    const inReport = [s.requests, s.retries, s.bytes_in, s.bytes_out].join(" ");
    if (inReport !== want) { console.log(`run report says ${inReport}; the proxy counted ${want}`); process.exit(1); }
  ' "$work/proxy.log" "$work/faulty.txt" "$work/faulty.json" || return 1
  fetch s3://out/faulty "$work/got4" && same "$work/gen-local" "$work/got4" &&
    diff <(cut -d, -f1-3 "$work/gen-local/_rejected/"*.jsonl | sed 's|"source":"[^"]*/gen/|"source":"|') \
         <(cut -d, -f1-3 "$work/got4/_rejected/"*.jsonl | sed 's|"source":"s3://lake/gen/|"source":"|')
}
check "503 SlowDown, dropped connections and delays: same output, requests and retries counted right" faults

compact_on_s3() {
  "$bin" compact --src s3://lake/sample/log_data --dest s3://out/compacted --groupBy '.*/log_data/(\d+)/(\d+)/.*' \
    --outputManifest manifest.gz --quiet || return 1
  fetch s3://out/compacted "$work/compacted" || return 1
  local files
  files=$(cd "$work/compacted" && find . -type f ! -path './_runs/*' | LC_ALL=C sort | tr '\n' ' ')
  [ "$files" = "./2018/11/201811 ./_lakeforge.lock ./manifest.gz " ] || { echo "got: $files"; return 1; }
  # every event line once, none glued: the merged file has as many lines as the inputs hold records
  [ "$(wc -l <"$work/compacted/2018/11/201811")" -eq "$(($(cat "$lake"/log_data/2018/11/*.json | wc -l) + $(ls "$lake"/log_data/2018/11/*.json | wc -l) - 1))" ] ||
    { echo "line count differs"; return 1; }
  # second run with the manifest: nothing new to copy
  "$bin" compact --src s3://lake/sample/log_data --dest s3://out/compacted2 --groupBy '.*/log_data/(\d+)/(\d+)/.*' \
    --previousManifest s3://out/compacted/manifest.gz >"$work/c2.txt" || return 1
  grep -q "0 inputs .* 30 skipped" "$work/c2.txt" || { cat "$work/c2.txt"; return 1; }
}
check "compact on S3: groupBy, manifest, incremental rerun" compact_on_s3

run_on_s3() {
  "$bin" run --input s3://lake/sample --output s3://out/run --quiet || return 1
  fetch s3://out/run "$work/got5" && same "$work/local" "$work/got5"
}
check "run S3 -> S3 writes the same tables as etl" run_on_s3

wrong_bucket() {
  "$bin" etl --input s3://no-such-bucket/x --output "$work/nb" 2>"$work/err"
  local rc=$?
  [ "$rc" -eq 2 ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -q "NoSuchBucket" "$work/err" && [ ! -e "$work/nb" ] ||
    { echo "exit $rc"; cat "$work/err"; return 1; }
}
check "wrong bucket: one line naming NoSuchBucket, exit 2, nothing written" wrong_bucket

unreachable() {
  AWS_ENDPOINT_URL=http://127.0.0.1:$(free_port) "$bin" etl --input s3://lake/sample --output "$work/ur" 2>"$work/err"
  local rc=$?
  [ "$rc" -eq 2 ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -q "gave up after .* attempts" "$work/err" &&
    ! grep -q "S3RVER" "$work/err" && [ ! -e "$work/ur" ] || { echo "exit $rc"; cat "$work/err"; return 1; }
}
check "unreachable endpoint: one line, exit 2, no secret in the message" unreachable

# The writer lock on S3: a conditional create with a lease. A store that ignores conditional
# writes is refused; concurrent runs either succeed or name the holder; a killed holder's lease
# blocks new runs until it expires, then they take over.
s3_lock() {
  local lock_msg="is being written by run [0-9a-f-]+ on .* \(pid [0-9]+\) since "
  AWS_ENDPOINT_URL=http://127.0.0.1:$raw_port "$bin" etl --input s3://lake/sample --output s3://out/nolock --quiet 2>"$work/err"
  [ $? -eq 2 ] && grep -q "ignores conditional writes" "$work/err" || { cat "$work/err"; return 1; }
  for round in 1 2 3; do
    race "0.$round" "$lock_msg" "$bin" etl --input s3://lake/sample --output s3://out/conc --quiet || return 1
    fetch s3://out/conc "$work/got-conc" && same "$work/local" "$work/got-conc" || return 1
  done
  # run and compact race the same way.
  race 0.1 "$lock_msg" "$bin" run --input s3://lake/sample --output s3://out/conc-run --quiet || return 1
  race 0.1 "$lock_msg" "$bin" compact --src s3://lake/sample/log_data --dest s3://out/conc-compact \
    --groupBy '.*/log_data/(\d+)/(\d+)/.*' --quiet || return 1
  fetch s3://out/conc-run "$work/got-conc-run" && same "$work/local" "$work/got-conc-run" || return 1
  # kill -9 of the holder: its lease (3 s here) blocks the next run, which then takes over.
  LAKEFORGE_S3_LOCK_LEASE_SECONDS=3 "$bin" generate --output s3://lake/slowgen --songs 2000 --events 40000 --seed 2 >/dev/null || return 1
  LAKEFORGE_S3_LOCK_LEASE_SECONDS=3 "$bin" etl --input s3://lake/slowgen --output s3://out/killed --quiet &
  local holder=$!
  # A HEAD of the lock object (tens of ms): a probe that downloaded the whole output each time
  # took longer than the holder's run under ASan, which then ended before it could be killed.
  for _ in $(seq 300); do
    node -e 'fetch(process.argv[1], { method: "HEAD" }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
      "$AWS_ENDPOINT_URL/out/killed/_lakeforge.lock" && break
    sleep 0.05
  done
  kill -0 "$holder" 2>/dev/null || { echo "the holder ended before it was killed: nothing was tested"; return 1; }
  kill -9 "$holder"
  wait "$holder" 2>/dev/null
  "$bin" etl --input s3://lake/sample --output s3://out/killed --quiet 2>"$work/err"
  [ $? -eq 2 ] && grep -qE "$lock_msg" "$work/err" || { echo "a live lease was broken"; cat "$work/err"; return 1; }
  LAKEFORGE_S3_LOCK_LEASE_SECONDS=3 "$bin" etl --input s3://lake/sample --output s3://out/killed --quiet --wait-for-lock 20 || return 1
  fetch s3://out/killed "$work/got-killed" && same "$work/local" "$work/got-killed"
}
check "writer lock on S3: no conditional writes refused, concurrent etl/run/compact, lease after kill -9" s3_lock

# An endpoint that answers 200 and then trickles two bytes a second is given up on (a deadline per
# request, a minimum rate for object bodies), retried, and the run fails naming the request.
trickling() {
  local mode=$1
  node "$here/js/trickle_server.mjs" --trickle "$mode" --max-seconds 60 >"$work/trickle.port" &
  pids+=($!)
  local server=$!
  for _ in $(seq 50); do [ -s "$work/trickle.port" ] && break; sleep 0.1; done
  local start=$SECONDS
  AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$work/trickle.port") AWS_MAX_ATTEMPTS=2 LAKEFORGE_S3_REQUEST_TIMEOUT=2 \
    timeout 60 "$bin" etl --songs s3://lake/slow/song_data --logs "$lake/log_data" --output "$work/trickled" 2>"$work/err"
  local rc=$?
  kill "$server" 2>/dev/null
  [ "$rc" -eq 2 ] && grep -q "s3://lake/slow.*gave up after 2 attempts" "$work/err" && [ $((SECONDS - start)) -lt 30 ] &&
    [ ! -e "$work/trickled" ] || { echo "exit $rc after $((SECONDS - start)) s"; cat "$work/err"; return 1; }
}
check "a trickling endpoint (listing): deadline, retry, exit 2 naming the request" trickling list
check "a trickling endpoint (object body): minimum rate, retry, exit 2 naming the request" trickling get

check_summary
