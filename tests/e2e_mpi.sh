#!/usr/bin/env bash
# End-to-end tests of lakeforge on MPI (Open MPI's mpirun, oversubscribed on this machine): for 1,
# 2, 3, 4 and 8 ranks every output file is byte-identical to the one-process run (file names aside:
# they carry the run id) on the real sample and on dirty generated lakes, including fewer log files
# (and fewer files) than ranks, ids past 32 bits in some files, and exchanges cut into tiny rounds;
# `run` and `compact` too; the per-rank figures of the run report against counts on disk; kill -9
# of one rank leaves the old tables and the rerun succeeds; a rank that cannot read its share, or
# does not see the output folder, fails the job with exit 2 before anything is written.
# Usage: e2e_mpi.sh <lakeforge binary> [sample lake]
set -uo pipefail
bin=$1
sample=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/check_lib.sh"
command -v mpirun >/dev/null || { echo "mpirun not found (scripts/install-deps.sh installs openmpi-bin)"; exit 1; }
# As root Open MPI wants to be told twice; keep its traffic on loopback.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_rmaps_base_oversubscribe=1
# ob1 over shared memory and TCP: probing for UCX (the default pml) costs ~0.2 s per job here.
export OMPI_MCA_pml=ob1
mpi() { local n=$1; shift; mpirun -n "$n" --bind-to none "$bin" "$@"; }
oracle() { node "$here/js/oracle.mjs" --songs "$1/song_data" --logs "$1/log_data" --output "$2" "${@:3}"; }

lakes=()
if [ -n "$sample" ] && [ -d "$sample/song_data" ]; then lakes+=("$sample"); fi
# 100 days of logs: four months, so that months are spread over ranks and songplay ids continue
# from rank to rank (the sample is one month).
"$bin" generate --output "$work/dirty" --songs 400 --events 30000 --days 100 --seed 5 --dirty-rate 0.05 >/dev/null
lakes+=("$work/dirty")
# Fewer log files than ranks: two days of logs.
mkdir -p "$work/few/log_data/2018/11"
cp -r "$work/dirty/song_data" "$work/few/"
for f in $(find "$work/dirty/log_data" -name '*.json' | sort | head -2); do cp "$f" "$work/few/log_data/2018/11/"; done
lakes+=("$work/few")
# Fewer files than ranks: two song files and two log files, so at -n 8 most ranks read nothing.
mkdir -p "$work/tiny/song_data" "$work/tiny/log_data"
for f in $(find "$work/dirty/song_data" -name '*.json' ! -path '*/.*' | sort | head -2); do cp "$f" "$work/tiny/song_data/"; done
for f in $(find "$work/dirty/log_data" -name '*.json' | sort | head -2); do cp "$f" "$work/tiny/log_data/"; done
lakes+=("$work/tiny")
# Ids past 32 bits, kept as wide events (NarrowEvent): sessions in every third log file and users
# in one more, so that every rank receives both kinds; and users in one file only, so that one rank
# holds all the wide events and the others must reduce as wide too (plays are exchanged by month).
cp -r "$work/dirty" "$work/wide"
cp -r "$work/dirty" "$work/wide_users"
n_wide=0
for f in $(find "$work/wide/log_data" -name '*.json' | sort | awk 'NR % 3 == 1'); do
  sed -i 's/"sessionId":\([0-9]\)/"sessionId":42949672960\1/g' "$f"
  n_wide=$((n_wide + 1))
done
for lake in wide wide_users; do
  f=$(find "$work/$lake/log_data" -name '*.json' | sort | sed -n 5p)
  sed -i 's/"userId":"\([0-9]\)/"userId":"9000000000\1/g' "$f"
  grep -q '"userId":"9000000000' "$f" || { echo "no wide user ids in $f"; exit 1; }
done
[ "$n_wide" -ge 10 ] || { echo "the wide lake has $n_wide files with wide sessions"; exit 1; }
lakes+=("$work/wide" "$work/wide_users")

same_for_ranks() {
  local lake=$1 cmd=$2
  rm -rf "$work/one"
  "$bin" "$cmd" --input "$lake" --output "$work/one" --quiet || return 1
  for n in 1 2 3 4 8; do
    rm -rf "$work/n$n"
    mpi "$n" "$cmd" --input "$lake" --output "$work/n$n" --threads 1 --quiet || { echo "mpirun -n $n failed"; return 1; }
    diff <(fingerprint "$work/one") <(fingerprint "$work/n$n") || { echo "-n $n differs"; return 1; }
  done
}
for lake in "${lakes[@]}"; do
  check "etl on $(basename "$lake"): byte-identical for -n 1, 2, 3, 4, 8" same_for_ranks "$lake" etl
done
check "run on the dirty lake: tables and staging byte-identical for -n 1..8" same_for_ranks "$work/dirty" run

oracle_under_mpi() {
  for lake in "${lakes[@]}"; do
    rm -rf "$work/o4"
    mpi 4 etl --input "$lake" --output "$work/o4" >"$work/o4.txt" || return 1
    oracle "$lake" "$work/o4" --summary "$work/o4.txt" || { echo "on $lake"; return 1; }
  done
  # The months really were spread: more than one rank wrote songplays.
  mpi 4 etl --input "$work/dirty" --output "$work/o4" --quiet --report "$work/o4.json" || return 1
  [ "$(find "$work/o4/songplays" -name 'part-*' | wc -l)" -ge 4 ] || { echo "fewer than 4 months"; return 1; }
}
check "mpirun -n 4: the DuckDB oracle passes on every lake, printed summary included" oracle_under_mpi

tiny_rounds() {
  rm -rf "$work/one" "$work/tiny"
  "$bin" etl --input "$work/dirty" --output "$work/one" --quiet || return 1
  LAKEFORGE_EXCHANGE_ROUND_BYTES=512 mpirun -x LAKEFORGE_EXCHANGE_ROUND_BYTES -n 3 --bind-to none "$bin" etl \
    --input "$work/dirty" --output "$work/tiny" --json >"$work/tiny.json" || return 1
  diff <(fingerprint "$work/one") <(fingerprint "$work/tiny") || return 1
  # 512-byte rounds over ~1 MB exchanged: thousands of rounds, as the per-rank bytes show.
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const sent = r.distribution.per_rank.reduce((s, k) => s + k.exchange_bytes_sent, 0);
    if (sent < 512 * 100) { console.log("only", sent, "bytes exchanged"); process.exit(1); }' "$work/tiny.json"
}
check "exchanges in 512-byte rounds give the same bytes" tiny_rounds

compact_same() {
  local re='.*/([0-9]{4})-([0-9]{2})-[0-9]{2}-events\.json'
  rm -rf "$work/c1" "$work/c4"
  "$bin" compact --src "$work/dirty/log_data" --dest "$work/c1" --groupBy "$re" --outputManifest m.gz --quiet || return 1
  mpi 4 compact --src "$work/dirty/log_data" --dest "$work/c4" --groupBy "$re" --outputManifest m.gz --quiet || return 1
  "$bin" compact --src "$work/dirty/song_data" --dest "$work/s1" --quiet || return 1
  mpi 3 compact --src "$work/dirty/song_data" --dest "$work/s3" --quiet || return 1
  diff -r -x _runs -x _lakeforge.lock -x m.gz "$work/c1" "$work/c4" || return 1
  diff -r -x _runs -x _lakeforge.lock "$work/s1" "$work/s3" || return 1
  diff <(zcat "$work/c1/m.gz" | sed "s#$work/c1#DEST#") <(zcat "$work/c4/m.gz" | sed "s#$work/c4#DEST#")
}
check "compact: outputs and manifest identical under mpirun -n 3 and 4" compact_same

# The per-rank figures against counts made here: files and bytes of the lake, rows sent = rows
# received, files written = files on disk.
rank_figures() {
  rm -rf "$work/rf"
  mpi 3 etl --input "$work/dirty" --output "$work/rf" --report "$work/rf.json" >"$work/rf.txt" || return 1
  local files bytes written
  # Inputs as Spark lists them: no file or folder whose name starts with '.' or '_'.
  local listed="find $work/dirty/song_data $work/dirty/log_data -name '[._]*' -prune -o -type f"
  files=$(eval "$listed -print" | wc -l)
  bytes=$(eval "$listed -printf '%s\n'" | awk '{s+=$1} END {print s}')
  written=$(find "$work/rf" -name 'part-*' | wc -l)
  node -e '
    const [file, files, bytes, written] = process.argv.slice(1);
    const r = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const k = r.distribution.per_rank, sum = (f) => k.reduce((s, x) => s + x[f], 0);
    const fail = (m) => { console.log(m); process.exit(1); };
    if (r.ranks !== 3 || k.length !== 3 || r.distribution.engine !== "mpi") fail("ranks: " + r.ranks + " " + k.length);
    if (k.map((x) => x.rank).join() !== "0,1,2") fail("rank order");
    if (sum("files") !== +files) fail("files " + sum("files") + " != " + files);
    if (sum("bytes_read") !== +bytes) fail("bytes_read " + sum("bytes_read") + " != " + bytes);
    if (r.input.bytes !== +bytes) fail("input.bytes " + r.input.bytes);
    if (sum("rows_out") !== sum("rows_in") || sum("rows_in") === 0) fail("rows out " + sum("rows_out") + " in " + sum("rows_in"));
    if (sum("exchange_bytes_sent") !== sum("exchange_bytes_received")) fail("exchange bytes");
    if (sum("files_written") !== +written) fail("files_written " + sum("files_written") + " != " + written);
    const tables = r.tables.reduce((s, t) => s + t.files, 0);
    if (tables !== +written) fail("tables list " + tables + " files, disk has " + written);
    if (sum("records") !== r.input.song_records + r.input.log_lines) fail("records " + sum("records"));
    for (const x of k) if (x.stage_seconds.length !== 6) fail("stage_seconds of rank " + x.rank);
    const max = Math.max(...k.map((x) => x.bytes_read)), mean = sum("bytes_read") / 3;
    if (Math.abs(r.distribution.balance.bytes_read - max / mean) > 1e-3) fail("balance " + r.distribution.balance.bytes_read);
  ' "$work/rf.json" "$files" "$bytes" "$written" || return 1
  # The printed table per rank says what the JSON says.
  node -e '
    const fs = require("fs");
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const rows = fs.readFileSync(process.argv[2], "utf8").split("\n")
      .map((l) => /^(\d+) +\S+ +(\d+) +[\d.]+ \S+ +(\d+) +(\d+) +(\d+) +[\d.]+ \S+ +(\d+) /.exec(l)).filter(Boolean);
    const k = r.distribution.per_rank;
    const got = rows.map((m) => m.slice(1, 7).join(" "));
    const want = k.map((x) => [x.rank, x.files, x.records, x.rows_out, x.rows_in, x.files_written].join(" "));
    if (got.join("|") !== want.join("|")) { console.log("printed", got, "json", want); process.exit(1); }' \
    "$work/rf.json" "$work/rf.txt" || return 1
  # The page shows each rank's bytes read as the JSON has them, in rank order.
  "$bin" report "$work/rf.json" --html "$work/rf.html" >/dev/null || return 1
  node -e '
    const fs = require("fs");
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const html = fs.readFileSync(process.argv[2], "utf8");
    const shown = [...html.matchAll(/class=.bytes-read.>(\d+)</g)].map((m) => +m[1]);
    const want = r.distribution.per_rank.map((k) => k.bytes_read);
    if (shown.join() !== want.join()) { console.log("page", shown, "json", want); process.exit(1); }' \
    "$work/rf.json" "$work/rf.html" || return 1
  # The schema, and the report's tables, rejects and input against the disk and DuckDB.
  node "$here/js/report_check.mjs" --report "$work/rf.json" --output "$work/rf" \
    --songs "$work/dirty/song_data" --logs "$work/dirty/log_data"
}
check "per-rank figures: files, bytes, rows exchanged and files written match the disk" rank_figures

# kill -9 of rank 1 at several moments: the job fails, the old tables stay whole, the rerun works.
rank_pid() {  # the pid of rank $1 of the job writing $work/k (other tests may run lakeforge meanwhile)
  for p in $(pgrep -f "$bin etl --input $work/big --output $work/k"); do
    [ -r "/proc/$p/environ" ] && tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1" &&
      { echo "$p"; return 0; }
  done
  return 1
}
live_ranks() {  # the pids of live ranks of the job writing $work/k (mpirun itself has no rank)
  for p in $(pgrep -f "$bin etl --input $work/big --output $work/k"); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -q "^OMPI_COMM_WORLD_RANK=" && echo "$p"
  done
}
# Waits for the background job $1 (an mpirun) and returns its status. Open MPI 4.1's mpirun can
# hang for good after one rank is killed: the other ranks exit and are never reaped (seen once in
# CI, mpirun blocked on a futex). When no rank is alive 30 s after the kill, mpirun is killed and
# the job counts as failed (137); ranks still alive then are a failure of lakeforge's.
wait_job() {
  local job=$1 tenths=0
  while kill -0 "$job" 2>/dev/null && [ "$tenths" -lt 300 ]; do sleep 0.1; tenths=$((tenths + 1)); done
  if kill -0 "$job" 2>/dev/null; then
    if [ -n "$(live_ranks)" ]; then
      echo "ranks still running 30 s after one was killed: $(live_ranks | tr '\n' ' ')"
      pkill -9 -P "$job"
      kill -9 "$job" 2>/dev/null
      wait "$job"
      return 255
    fi
    echo "note: mpirun hung after its ranks ended (an Open MPI 4.1 fault); killed it" >&2
    pkill -9 -P "$job"  # mpirun, when the job is a subshell running it
    sleep 0.2
    kill -9 "$job" 2>/dev/null  # or the job itself
  fi
  wait "$job"
}
kill_a_rank() {
  "$bin" generate --output "$work/big" --songs 8000 --events 300000 --seed 6 >/dev/null
  "$bin" etl --input "$work/big" --output "$work/k" --quiet || return 1
  local before kills=0
  before=$(fingerprint "$work/k")
  for delay in 0.3 0.6 0.9 1.2 1.6; do
    mpi 3 etl --input "$work/big" --output "$work/k" --quiet --threads 1 >/dev/null 2>&1 &
    local job=$! victim=""
    sleep "$delay"
    victim=$(rank_pid 1) && kill -9 "$victim" && kills=$((kills + 1))
    wait_job "$job"
    local rc=$?
    [ "$rc" -eq 255 ] && return 1
    if [ -n "$victim" ] && [ "$rc" -eq 0 ]; then echo "rank 1 killed at ${delay}s but the job exited 0"; return 1; fi
    tables_consistent "$work/k" || { echo "after kill at ${delay}s"; return 1; }
    # Killed before the commit: the old tables, byte for byte; after it: the new ones (same bytes).
    # What a killed run staged stays in _temporary/ until the next run clears it.
    [ "$(fingerprint "$work/k" | grep -v '^./_temporary/')" = "$before" ] ||
      { echo "tables changed after kill at ${delay}s (rc $rc)"; return 1; }
  done
  [ "$kills" -ge 3 ] || { echo "only $kills of 5 kills found a running rank 1: the job is too short"; return 1; }
  pgrep -f "$bin etl --input $work/big --output $work/k" >/dev/null && { echo "ranks left running"; return 1; }
  mpi 3 etl --input "$work/big" --output "$work/k" --quiet || return 1
  [ ! -e "$work/k/_temporary" ] || { echo "_temporary left behind"; return 1; }
  [ "$(fingerprint "$work/k")" = "$before" ] && oracle "$work/big" "$work/k"
}
check "kill -9 of one rank: non-zero exit, old tables intact, rerun succeeds" kill_a_rank

# A file of rank 2's share that cannot be decoded: the job fails naming the rank and the file.
unreadable_share() {
  rm -rf "$work/u" "$work/uo"
  cp -r "$work/dirty" "$work/u"
  local last
  last=$(find "$work/u/log_data" -name '*.json' | sort | tail -1)
  head -c 5000 /dev/urandom >"${last%.json}-z.json.gz"
  mpi 3 etl --input "$work/u" --output "$work/uo" --quiet 2>"$work/u.err"
  local rc=$?
  [ "$rc" -eq 2 ] || { echo "exit $rc"; cat "$work/u.err"; return 1; }
  grep -q "rank 2: .*-z.json.gz" "$work/u.err" || { cat "$work/u.err"; return 1; }
  [ "$(grep -c lakeforge: "$work/u.err")" -eq 1 ] || { echo "the error is printed more than once"; cat "$work/u.err"; return 1; }
  [ -z "$(find "$work/uo" -name 'part-*' 2>/dev/null)" ] || { echo "files were written"; return 1; }
}
check "a rank that cannot read its share: exit 2 naming the rank and the file, nothing written" unreadable_share

# Ranks on different machines with a local --output: rank 1 gets a private folder (its own mount
# namespace with a tmpfs over the output), as a node without the shared file system would.
unshared_output() {
  unshare -m true 2>/dev/null || { echo "skipped: no mount namespaces here"; return 0; }
  rm -rf "$work/sh"
  mkdir -p "$work/sh"
  mpirun --bind-to none -n 1 "$bin" etl --input "$work/dirty" --output "$work/sh" --quiet : \
    -n 1 unshare -m sh -c "mount -t tmpfs none '$work/sh' && exec '$bin' etl --input '$work/dirty' --output '$work/sh' --quiet" \
    2>"$work/sh.err"
  local rc=$?
  [ "$rc" -eq 2 ] || { echo "exit $rc"; cat "$work/sh.err"; return 1; }
  grep -q "rank 1: --output '$work/sh' is not the folder rank 0 writes to" "$work/sh.err" || { cat "$work/sh.err"; return 1; }
  [ -z "$(find "$work/sh" -name 'part-*' -o -name 'shared-check.*' -o -name _temporary)" ] || { echo "left files"; return 1; }
}
check "a local --output not shared by every rank: exit 2 before anything is written" unshared_output

strict_under_mpi() {
  rm -rf "$work/st"
  mpi 3 etl --input "$work/dirty" --output "$work/st" --strict --quiet 2>"$work/st.err"
  local rc=$?
  [ "$rc" -eq 1 ] || { echo "exit $rc"; cat "$work/st.err"; return 1; }
  [ "$(grep -c 'lakeforge: --strict: ' "$work/st.err")" -eq 1 ] || { echo "not said once:"; cat "$work/st.err"; return 1; }
  [ -z "$(find "$work/st" -name 'part-*' 2>/dev/null)" ]
}
check "--strict with rejects under mpirun: exit 1, said once, nothing written" strict_under_mpi

check_summary
