#!/usr/bin/env bash
# End-to-end tests of `lakeforge etl`, each a block that prints "ok <name>" or "FAIL <name>":
# the oracle on the real sample and on a generated dirty lake, identical output for any --threads
# and for any order of the lines in a log file, --strict, unusable input (exit 2, output
# untouched), kill -9 at random moments followed by a rerun (every table complete-old or
# complete-new at all times, then correct), concurrent writers, and a clean stderr when pinned.
# Usage: e2e_etl.sh <lakeforge binary> [sample lake]
set -uo pipefail
bin=$1
sample=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/check_lib.sh"
oracle() { node "$here/js/oracle.mjs" --songs "$1/song_data" --logs "$1/log_data" --output "$2" "${@:3}"; }
# The one run report in an output (fails when there is not exactly one).
only_report() {
  local r=("$1"/_runs/*.json)
  [ ${#r[@]} -eq 1 ] && [ -f "${r[0]}" ] && echo "${r[0]}"
}
# A printed summary with what varies between runs masked: the run id and the times.
mask_summary() {
  sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/RUN-ID/g; s/[0-9]+\.[0-9]+ ?s\b/T s/g' "$1"
}
# Compares a masked summary with its golden file; LAKEFORGE_UPDATE_GOLDEN=1 rewrites the golden file.
golden() {
  if [ "${LAKEFORGE_UPDATE_GOLDEN:-}" = 1 ]; then mask_summary "$1" >"$here/golden/$2"; fi
  diff -u "$here/golden/$2" <(mask_summary "$1")
}

if [ -n "$sample" ] && [ -d "$sample/song_data" ]; then
  sample_lake() {
    "$bin" etl --input "$sample" --output "$work/sample-out" >"$work/sample.txt" &&
      oracle "$sample" "$work/sample-out" --summary "$work/sample.txt" --report "$(only_report "$work/sample-out")"
  }
  check "sample lake matches the DuckDB oracle, and so do the summary's figures and the report's counts" sample_lake
  check "the sample lake's printed summary equals the golden one" golden "$work/sample.txt" etl_sample_summary.txt
  sample_run() {
    "$bin" run --input "$sample" --output "$work/sample-run" >"$work/sample-run.txt" &&
      oracle "$sample" "$work/sample-run" --summary "$work/sample-run.txt" &&
      golden "$work/sample-run.txt" run_sample_summary.txt
  }
  check "run on the sample lake: oracle, summary figures and golden summary" sample_run
else
  echo "skip sample lake (not found)"
fi

"$bin" generate --output "$work/lake" --songs 3000 --events 60000 --seed 11 --dirty-rate 0.02 >/dev/null
dirty_lake() {
  "$bin" etl --input "$work/lake" --output "$work/out" >"$work/dirty.txt" &&
    oracle "$work/lake" "$work/out" --summary "$work/dirty.txt" --report "$(only_report "$work/out")"
}
check "generated dirty lake matches the DuckDB oracle, and so do the summary's figures and the report's counts" dirty_lake

# Each table's _SUCCESS manifest lists exactly the files in its folder.
manifests_match() {
  for t in songs artists users time songplays _rejected; do
    diff <(sort "$1/$t/_SUCCESS") <(cd "$1/$t" && find . -type f ! -name _SUCCESS | sed 's|^\./||' | sort) ||
      { echo "$t: _SUCCESS and files differ"; return 1; }
  done
}
check "every _SUCCESS manifest lists exactly its table's files" manifests_match "$work/out"

# generate's report against counts made here: files and events in the lake, its size, and the
# damaged records as the lines (and song files) that differ from the same seed generated clean.
generate_report() {
  "$bin" generate --output "$work/g-clean" --songs 400 --events 20000 --seed 11 >/dev/null || return 1
  "$bin" generate --output "$work/g-dirty" --songs 400 --events 20000 --seed 11 --dirty-rate 0.05 >"$work/g.txt" || return 1
  local re='^generated ([0-9]+) song files and ([0-9]+) log files \(([0-9]+) events, ([0-9]+) damaged records, ([0-9.]+) MiB\) in '
  [[ "$(cat "$work/g.txt")" =~ $re ]] || { cat "$work/g.txt"; return 1; }
  local shown=("${BASH_REMATCH[@]:1}")
  local songs logs events damaged=0 bytes
  songs=$(cd "$work/g-dirty" && find song_data -type f ! -path '*/.*' | LC_ALL=C sort)
  logs=$(cd "$work/g-dirty" && find log_data -type f ! -path '*/.*' | LC_ALL=C sort)
  events=$(cd "$work/g-dirty" && awk 'END { print NR }' $logs)
  for f in $songs; do cmp -s "$work/g-clean/$f" "$work/g-dirty/$f" || damaged=$((damaged + 1)); done
  for f in $logs; do
    damaged=$((damaged + $(awk 'NR == FNR { a[FNR] = $0; next } a[FNR] != $0 { n++ } END { print n + 0 }' "$work/g-clean/$f" "$work/g-dirty/$f")))
  done
  bytes=$(cd "$work/g-dirty" && cat $songs $logs | wc -c)
  local counted=("$(echo "$songs" | wc -l)" "$(echo "$logs" | wc -l)" "$events" "$damaged")
  [ "${shown[*]:0:4}" = "${counted[*]}" ] || { echo "report: ${shown[*]:0:4}; counted: ${counted[*]}"; return 1; }
  awk -v s="${shown[4]}" -v b="$bytes" 'BEGIN { d = s - b / 1048576; exit !(d < 0.0500001 && d > -0.0500001) }' ||
    { echo "report says ${shown[4]} MiB, counted $bytes bytes"; return 1; }
}
check "generate's report: files, events, damaged records and size equal counts of the lake" generate_report

run_equals_etl() {
  "$bin" run --input "$work/lake" --output "$work/run" >"$work/run.txt" || return 1
  node "$here/js/compare_outputs.mjs" "$work/out" "$work/run" && [ -d "$work/run/_staging/song_data" ] || return 1
  # Its rejects name the raw files and lines (not the staging files), so the oracle and every
  # figure of its summary hold against the raw lake, and the quarantine equals etl's byte for byte.
  oracle "$work/lake" "$work/run" --summary "$work/run.txt" || return 1
  cmp -s "$work"/out/_rejected/*.jsonl "$work"/run/_rejected/*.jsonl ||
    { diff <(cat "$work"/out/_rejected/*.jsonl) <(cat "$work"/run/_rejected/*.jsonl) | head -5; return 1; }
}
check "run (compact + etl) writes the same tables and quarantine as etl on the raw lake" run_equals_etl

# A truncated song file that sorts first in its folder: `run` concatenates the folder's files, and
# the bad first line must cost one record there too, as in `etl`.
truncated_first_song() {
  cp -r "$work/lake" "$work/tlake"
  for d in "$work/tlake"/song_data/*/; do
    local f
    f=$(find "$d" -name '*.json' ! -path '*/.*' | LC_ALL=C sort | head -1)
    head -c 40 "$f" >"$f.cut" && mv "$f.cut" "$f"
  done
  "$bin" etl --input "$work/tlake" --output "$work/t-etl" --quiet && oracle "$work/tlake" "$work/t-etl" || return 1
  "$bin" run --input "$work/tlake" --output "$work/t-run" --quiet || return 1
  node "$here/js/compare_outputs.mjs" "$work/t-etl" "$work/t-run" || return 1
  # The same quarantine, record for record: run names the raw files and lines, not its staging files.
  diff <(sed "s|$work/tlake/||" "$work"/t-etl/_rejected/*.jsonl) <(sed "s|$work/tlake/||" "$work"/t-run/_rejected/*.jsonl) |
    head -5 | grep . && { echo "run and etl quarantine different records"; return 1; }
  return 0
}
check "a truncated song file first in its folder costs one record, in run as in etl" truncated_first_song

same_for_threads() {
  "$bin" etl --input "$work/lake" --output "$work/t1" --threads 1 --quiet || return 1
  "$bin" etl --input "$work/lake" --output "$work/t8" --threads 8 --quiet || return 1
  diff <(fingerprint "$work/t1") <(fingerprint "$work/t8")
}
check "--threads 1 and --threads 8 write identical tables" same_for_threads

# The tables do not depend on where a line stands in its log file: songplay ids, each user's latest
# row and the time table follow from the data (the run's sorts and merges use total orders), so
# every log file with its lines shuffled gives the same bytes. On a clean generated lake and on the
# real sample (whose repeated events, if any, are whole-line copies).
shuffle_logs() {  # <lake> <copy>: the copy with every log file's lines in another (fixed) order
  cp -r "$1" "$2" || return 1
  local f moved=0
  while IFS= read -r -d '' f; do
    shuf --random-source=<(yes) "$1/$f" >"$2/$f" || return 1
    cmp -s <(sort "$1/$f") <(sort "$2/$f") || { echo "shuf changed the lines of $f"; return 1; }
    cmp -s "$1/$f" "$2/$f" || moved=$((moved + 1))
  done < <(cd "$1" && find log_data -type f -name '*.json' -print0)
  [ "$moved" -gt 0 ] || { echo "no log file of $1 changed order"; return 1; }
}
same_for_line_order() {
  "$bin" generate --output "$work/lo" --songs 1000 --events 40000 --seed 13 >/dev/null || return 1
  local lakes=("$work/lo")
  [ -n "$sample" ] && [ -d "$sample/log_data" ] && lakes+=("$sample")
  local i=0 lake
  for lake in "${lakes[@]}"; do
    i=$((i + 1))
    shuffle_logs "$lake" "$work/lo-shuf$i" || return 1
    "$bin" etl --input "$lake" --output "$work/lo-a$i" --quiet || return 1
    "$bin" etl --input "$work/lo-shuf$i" --output "$work/lo-b$i" --quiet || return 1
    [ -n "$(find "$work/lo-a$i/songplays" -name '*.parquet')" ] || { echo "no songplays from $lake"; return 1; }
    # The quarantine names lines, which moved: the tables only.
    diff <(fingerprint "$work/lo-a$i" | grep -v '^./_rejected') <(fingerprint "$work/lo-b$i" | grep -v '^./_rejected') ||
      { echo "tables from $lake change with the order of its lines"; return 1; }
  done
}
check "shuffling the lines of every log file changes no table byte (generated lake and real sample)" same_for_line_order

# The read-ahead reader: the output does not depend on how many files are in flight, on the
# backend (io_uring, or the portable threads forced by LAKEFORGE_IO_URING=off), or on a buffer
# budget so small that most files are the parsers' to read; neither does `run`'s compaction.
same_for_io_depth() {
  "$bin" etl --input "$work/lake" --output "$work/d-ref" --quiet || return 1
  local want
  want=$(fingerprint "$work/d-ref")
  for args in "--io-depth 1" "--io-depth 7" "--io-depth 256" "--io-depth 7 --read-buffer-mib 1"; do
    # shellcheck disable=SC2086
    "$bin" etl --input "$work/lake" --output "$work/d" $args --quiet || return 1
    [ "$(fingerprint "$work/d")" = "$want" ] || { echo "differs with $args"; return 1; }
    # shellcheck disable=SC2086
    LAKEFORGE_IO_URING=off "$bin" etl --input "$work/lake" --output "$work/d" $args --quiet || return 1
    [ "$(fingerprint "$work/d")" = "$want" ] || { echo "differs with $args and the threads reader"; return 1; }
  done
  "$bin" run --input "$work/lake" --output "$work/r0" --quiet || return 1
  "$bin" run --input "$work/lake" --output "$work/r1" --io-depth 1 --quiet || return 1
  LAKEFORGE_IO_URING=off "$bin" run --input "$work/lake" --output "$work/r2" --io-depth 256 --read-buffer-mib 1 --quiet ||
    return 1
  # (run's output holds its _staging/ too: the compacted files must not differ either)
  [ "$(fingerprint "$work/r1")" = "$(fingerprint "$work/r0")" ] && [ "$(fingerprint "$work/r2")" = "$(fingerprint "$work/r0")" ] ||
    { echo "run differs"; return 1; }
  # The report says which reader ran, and every input file was handed over once: read ahead, or
  # (too large for a 1 MiB budget's quarter) read by the parsers.
  LAKEFORGE_IO_URING=off "$bin" etl --input "$work/lake" --output "$work/d" --io-depth 3 --json >"$work/d.json" || return 1
  local files
  files=$(find "$work/lake/song_data" "$work/lake/log_data" \( -name '.*' -o -name '_*' \) -prune -o -type f -print | wc -l)
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
    const rd = r.reader, files = +process.argv[2];
    if (rd.backend !== "threads" || rd.depth !== 3 || rd.files_read_ahead + rd.files_read_by_parsers !== files ||
        rd.files_read_ahead !== files || rd.peak_buffer_bytes <= 0 || rd.peak_buffer_bytes > 32 * 1048576) {
      console.log(JSON.stringify(rd), files); process.exit(1);
    }' "$work/d.json" "$files"
}
check "--io-depth 1, 7, 256, a tiny read buffer and the threads reader write identical tables; the report counts every file" same_for_io_depth

# Reruns replace the tables, moving the previous version to _trash/ in the commit's rename; the
# next run deletes it while it reads. Nothing else of the output is touched.
rerun_trash() {
  local o=$work/rerun
  "$bin" etl --input "$work/lake" --output "$o" --quiet || return 1
  local want first second
  want=$(fingerprint "$o")
  first=$(ls "$o/_trash")
  [ "$(find "$o/_trash" -type f | wc -l)" -eq 0 ] || { echo "a first run trashed files"; return 1; }
  "$bin" etl --input "$work/lake" --output "$o" --quiet || return 1
  [ "$(fingerprint "$o")" = "$want" ] || { echo "rerun differs"; return 1; }
  second=$(ls "$o/_trash" | grep -v "^$first\$")
  [ -n "$second" ] && [ "$(find "$o/_trash/$second" -name '*.parquet' | wc -l)" -eq "$(find "$o" -path "$o/_trash" -prune -o -name '*.parquet' -print | wc -l)" ] ||
    { echo "the previous version is not (all) in _trash/$second"; ls -R "$o/_trash" | head; return 1; }
  "$bin" etl --input "$work/lake" --output "$o" --quiet || return 1
  [ "$(fingerprint "$o")" = "$want" ] && [ ! -e "$o/_trash/$first" ] && [ ! -e "$o/_trash/$second" ] &&
    [ "$(ls "$o/_trash" | wc -l)" -eq 1 ] && [ ! -e "$o/_temporary" ] || { echo "trash not emptied"; ls "$o/_trash"; return 1; }
}
check "a rerun moves the replaced tables to _trash/, and the next run deletes them" rerun_trash

same_for_codecs() {
  for c in zstd gzip none; do
    "$bin" etl --input "$work/lake" --output "$work/c-$c" --compression "$c" --quiet || return 1
    oracle "$work/lake" "$work/c-$c" || return 1
  done
  ls "$work/c-zstd/artists" | grep -q '\.zstd\.parquet$'
}
check "zstd, gzip and uncompressed outputs match the oracle" same_for_codecs

# Timestamps and row ids are DELTA_BINARY_PACKED by default; --integer-encoding plain writes PLAIN
# for readers without delta support. Both hold the oracle's rows; the encodings are read by DuckDB.
encodings_of() {
  node "$here/js/query.mjs" "SELECT DISTINCT encodings AS e FROM parquet_metadata('$1/**/*.parquet')
    WHERE path_in_schema IN ('start_time', 'songplay_id') ORDER BY e"
}
integer_encodings() {
  "$bin" etl --input "$work/lake" --output "$work/delta-ints" --quiet || return 1
  encodings_of "$work/delta-ints" >"$work/enc-delta.txt" || return 1
  grep -q DELTA_BINARY_PACKED "$work/enc-delta.txt" || { echo "default: no DELTA_BINARY_PACKED chunk"; cat "$work/enc-delta.txt"; return 1; }
  "$bin" etl --input "$work/lake" --output "$work/plain-ints" --integer-encoding plain --quiet || return 1
  oracle "$work/lake" "$work/plain-ints" || return 1
  encodings_of "$work/plain-ints" >"$work/enc-plain.txt" || return 1
  if grep -q DELTA "$work/enc-plain.txt"; then echo "--integer-encoding plain wrote delta chunks"; cat "$work/enc-plain.txt"; return 1; fi
  "$bin" etl --input "$work/lake" --output "$work/bad-enc" --integer-encoding zigzag --quiet 2>"$work/bad-enc.err"
  local rc=$?
  [ "$rc" -eq 2 ] && grep -q "integer-encoding" "$work/bad-enc.err" || { echo "exit $rc"; cat "$work/bad-enc.err"; return 1; }
}
check "start_time and songplay_id are DELTA_BINARY_PACKED; --integer-encoding plain writes PLAIN, same rows" integer_encodings

strict_mode() {
  "$bin" etl --input "$work/lake" --output "$work/strict" --strict --quiet 2>"$work/strict.err"
  local rc=$?
  [ "$rc" -eq 1 ] || { echo "exit $rc, expected 1"; return 1; }
  grep -q "rejected, nothing written; first: .*:[0-9]*: " "$work/strict.err" || { cat "$work/strict.err"; return 1; }
  [ ! -e "$work/strict/songs" ]
}
check "--strict exits 1 with the first error and writes nothing" strict_mode

missing_input() {
  mkdir -p "$work/keep/songs" && echo old >"$work/keep/songs/marker"
  "$bin" etl --songs "$work/nope" --logs "$work/lake/log_data" --output "$work/keep" 2>"$work/missing.err"
  local rc=$?
  [ "$rc" -eq 2 ] || { echo "exit $rc, expected 2"; return 1; }
  grep -q "cannot read input '$work/nope': No such file or directory" "$work/missing.err" || { cat "$work/missing.err"; return 1; }
  [ "$(wc -l <"$work/missing.err")" -eq 1 ] && [ -f "$work/keep/songs/marker" ] && [ ! -e "$work/keep/_temporary" ]
}
check "missing input: one-line error, exit 2, output untouched" missing_input

# Safety: paths that alias each other are refused before anything is written or deleted.
count_files() { find "$1" -type f | wc -l; }
aliases_refused() {
  local lake=$work/alias/lake
  mkdir -p "$work/alias" && cp -r "$work/lake" "$lake" && ln -s lake "$work/alias/link" || return 1
  local before
  before=$(count_files "$lake")
  refuse() {
    "$bin" "$@" >/dev/null 2>"$work/alias.err"
    local rc=$?
    [ "$rc" -eq 2 ] && grep -qE -e "$expect" "$work/alias.err" || { echo "exit $rc for: $*"; cat "$work/alias.err"; return 1; }
  }
  expect="--dest '.*' is the same place as --src" refuse compact --src "$lake/song_data" --dest "$lake/song_data/" --deleteOnSuccess || return 1
  expect="--dest .* is the same place as --src" refuse compact --src "$work/alias/link/log_data" --dest "$lake/./log_data/../log_data" --deleteOnSuccess || return 1
  expect="--staging .* contains --input" refuse run --input "$lake" --output "$work/alias/out" --staging "$lake" || return 1
  expect="--output .* lies inside --input" refuse etl --input "$lake" --output "$lake/song_data/A/out" || return 1
  expect="--output .* contains --input" refuse etl --input "$work/alias/link" --output "$lake" || return 1
  expect="--output '/' is a root" refuse etl --input "$lake" --output / || return 1
  expect="--output is empty" refuse etl --input "$lake" --output "" || return 1
  expect="--staging .* is --output" refuse run --input "$lake" --output "$work/alias/out2" --staging "$work/alias/out2" || return 1
  mkdir -p "$work/alias/theirs" && echo keep >"$work/alias/theirs/notes.txt"
  expect="--staging .* already holds files lakeforge did not stage" refuse run --input "$lake" --output "$work/alias/out3" --staging "$work/alias/theirs" || return 1
  [ "$(count_files "$lake")" -eq "$before" ] && [ -f "$work/alias/theirs/notes.txt" ] && [ ! -e "$work/alias/out" ] ||
    { echo "files were deleted or written"; return 1; }
  "$bin" run --input "$lake" --output "$work/alias/out4" --staging "$work/alias/mine" --quiet &&
    "$bin" run --input "$lake" --output "$work/alias/out4" --staging "$work/alias/mine" --quiet  # its own staging, reused
}
check "aliased input/output/staging paths are refused (exit 2, naming both) and nothing is deleted" aliases_refused

# Symlink loops and aliases: every folder entered once, the skipped links reported, nothing read twice.
symlink_loops() {
  local lake=$work/loops
  cp -r "$work/lake" "$lake"
  ln -s . "$lake/song_data/A/again"
  ln -s . "$lake/song_data/B/C/again"
  ln -s .. "$lake/song_data/up"
  ln -s ../song_data/A "$lake/log_data/alias"
  timeout 120 "$bin" etl --input "$lake" --output "$work/loops-out" >"$work/loops.txt" || return 1
  grep -q "^skipped   4 symlinked folder(s)" "$work/loops.txt" || { cat "$work/loops.txt"; return 1; }
  node "$here/js/compare_outputs.mjs" "$work/out" "$work/loops-out" && timeout 120 "$bin" run --input "$lake" --output "$work/loops-run" --quiet &&
    node "$here/js/compare_outputs.mjs" "$work/out" "$work/loops-run"
}
check "symlink loops end, are reported, and read no file twice (etl and run)" symlink_loops

# A file the user cannot read: exit 2 naming it, output untouched (as a non-root user: root reads
# everything); with --quarantine-unreadable-files it becomes one reject and the run lands.
unreadable_file() {
  id nobody >/dev/null 2>&1 && command -v runuser >/dev/null || { echo "no 'nobody' user or runuser: cannot drop root"; return 1; }
  local d
  d=$(mktemp -d) && chmod 755 "$d"
  cp -r "$work/lake" "$d/lake" && cp "$bin" "$d/lakeforge" && mkdir "$d/out" && echo old >"$d/out/marker" && chmod -R a+rwX "$d"
  local victim
  victim=$(find "$d/lake/song_data" -name '*.json' ! -path '*/.*' | LC_ALL=C sort | sed -n 100p)
  chmod 000 "$victim"
  runuser -u nobody -- "$d/lakeforge" etl --input "$d/lake" --output "$d/out" --quiet 2>"$work/perm.err"
  local rc=$?
  [ "$rc" -eq 2 ] && grep -q "cannot open '$victim': Permission denied" "$work/perm.err" &&
    [ "$(ls "$d/out" | grep -vE '^(_lakeforge.lock|_runs)$')" = marker ] || { echo "exit $rc"; cat "$work/perm.err"; ls "$d/out"; rm -rf "$d"; return 1; }
  runuser -u nobody -- "$d/lakeforge" etl --input "$d/lake" --output "$d/out" --quiet --quarantine-unreadable-files || { rm -rf "$d"; return 1; }
  grep -q "\"source\":\"$victim\",\"line\":0,\"reason\":\"unreadable file\"" "$d"/out/_rejected/*.jsonl
  local found=$?
  rm -rf "$d"
  return $found
}
check "an unreadable input file: exit 2 naming it, output untouched; or quarantined when asked" unreadable_file

# Records whose partition folder could not exist, and file names that are not UTF-8: quarantined
# with the reason and a readable source, and the run lands.
odd_records() {
  local lake=$work/odd
  cp -r "$work/lake" "$lake"
  local long
  long=$(printf 'AR%0300d' 0)
  printf '{"song_id": "SOLONG", "artist_id": "%s", "title": "t", "duration": 1.5}' "$long" >"$lake/song_data/A/long.json"
  printf '{"song_id": "SOSLASH", "artist_id": "%s", "title": "t"}' "$(printf '/%.0s' $(seq 90))" >"$lake/song_data/A/slash.json"
  printf '{"song_id": "SOOK", "artist_id": "%s", "title": "t"}' "$(printf 'A%.0s' $(seq 240))" >"$lake/song_data/A/fits.json"
  printf '{"song_id": 1' >"$lake/song_data/A/bad-name-$(printf '\xff\xfe').json"
  "$bin" etl --input "$lake" --output "$work/odd-out" >"$work/odd.txt" || return 1
  oracle "$lake" "$work/odd-out" --summary "$work/odd.txt" || return 1
  [ "$(grep -c '"reason":"partition value too long"' "$work"/odd-out/_rejected/*.jsonl)" -eq 2 ] || return 1
  grep -q '"source":"[^"]*bad-name-\\ufffd\\ufffd.json\|"source":"[^"]*bad-name-��.json","source_base64":"' "$work"/odd-out/_rejected/*.jsonl
}
check "partition values too long for a folder and non-UTF-8 file names: quarantined, readable, run lands" odd_records

# Records over --max-record-bytes: rejected as "record too large" with their first bytes, in etl and
# run alike (a long song file, long log lines), and the oracle agrees line for line.
large_records() {
  local lake=$work/large
  cp -r "$work/lake" "$lake"
  printf '{"song_id": "SOBIG", "artist_id": "ARBIG", "title": "%s"}' "$(head -c 3000 /dev/zero | tr '\0' t)" >"$lake/song_data/A/big.json"
  local f
  f=$(find "$lake/log_data" -name '*.json' | LC_ALL=C sort | head -1)
  { printf '{"page":"NextSong","ts":1,"userId":"1","song":"%s"}\n' "$(head -c 5000 /dev/zero | tr '\0' s)"; cat "$f"; } >"$f.new" && mv "$f.new" "$f"
  "$bin" etl --input "$lake" --output "$work/large-out" --max-record-bytes 2048 >"$work/large.txt" || return 1
  oracle "$lake" "$work/large-out" --summary "$work/large.txt" --max-record-bytes 2048 || return 1
  [ "$(grep -c '"reason":"record too large"' "$work"/large-out/_rejected/*.jsonl)" -ge 2 ] || return 1
  "$bin" run --input "$lake" --output "$work/large-run" --max-record-bytes 2048 --quiet || return 1
  cmp "$work"/large-out/_rejected/*.jsonl "$work"/large-run/_rejected/*.jsonl
}
check "records over --max-record-bytes: quarantined with their size and first bytes, etl and run alike" large_records

# A decompression bomb: 13 MB of gzip that is one 3 GB line with no newline. It used to take 10.8 GB
# of memory and copy the line into the quarantine; now it is one "record too large" reject and the
# run stays small. A bomb of many short lines goes through compact and etl in bounded memory too.
bombs() {
  local lake=$work/bomb
  mkdir -p "$lake/song_data/A" "$lake/log_data/2018/11"
  cp "$(find "$work/lake/song_data" -name '*.json' ! -path '*/.*' | LC_ALL=C sort | head -1)" "$lake/song_data/A/"
  head -c 3000000000 /dev/zero | tr '\0' a | gzip -1 >"$lake/log_data/2018/11/bomb.json.gz"
  /usr/bin/time -f '%M' -o "$work/bomb.rss" "$bin" etl --input "$lake" --output "$work/bomb-out" --quiet || return 1
  local rss
  rss=$(tail -1 "$work/bomb.rss")
  [ "$rss" -lt 150000 ] || { echo "peak RSS ${rss} KiB for a 3 GB line"; return 1; }
  grep -q '"line":1,"reason":"record too large","error":"record too large: 3000000000 bytes' "$work"/bomb-out/_rejected/*.jsonl || return 1
  [ "$(wc -c <"$work"/bomb-out/_rejected/*.jsonl)" -lt 5000 ] || { echo "the quarantine holds more than the line's head"; return 1; }
  # Many short lines (page Home: valid, filtered): 1 GB from a few MB of gzip.
  rm "$lake/log_data/2018/11/bomb.json.gz"
  yes '{"page":"Home","ts":1541035057411,"userId":"7","level":"free"}' | head -n 15873016 | gzip -1 >"$lake/log_data/2018/11/lines.json.gz"
  /usr/bin/time -f '%M' -o "$work/bomb.rss" "$bin" compact --src "$lake/log_data" --dest "$work/bomb-compacted" \
    --groupBy '.*/log_data/(\d+)/(\d+)/.*' --outputCodec gzip --quiet || return 1
  rss=$(tail -1 "$work/bomb.rss")
  [ "$rss" -lt 150000 ] || { echo "compact: peak RSS ${rss} KiB for a 1 GB bomb"; return 1; }
  /usr/bin/time -f '%M' -o "$work/bomb.rss" "$bin" etl --input "$lake" --output "$work/bomb-out2" >"$work/bomb2.txt" || return 1
  rss=$(tail -1 "$work/bomb.rss")
  [ "$rss" -lt 150000 ] || { echo "etl: peak RSS ${rss} KiB for a 1 GB bomb of short lines"; return 1; }
  grep -q "15873016 log lines (15873016 not NextSong)" "$work/bomb2.txt" || { cat "$work/bomb2.txt"; return 1; }
  rm -rf "$lake" "$work/bomb-compacted"
}
check "decompression bombs (one 3 GB line; 1 GB of short lines): bounded memory in etl and compact" bombs

options_ranged() {
  for args in "etl --input x --output y --threads -1" "etl --input x --output y --threads 99999" \
              "generate --output $work/gg --dirty-rate 1.5" "compact --src a --dest b --targetSize -2"; do
    # shellcheck disable=SC2086
    "$bin" $args >/dev/null 2>"$work/opt.err"
    local rc=$?
    [ "$rc" -eq 2 ] && grep -qE "^--[a-zA-Z-]+: Value .* not in range" "$work/opt.err" || { echo "$args: exit $rc"; cat "$work/opt.err"; return 1; }
  done
}
check "numeric options out of range: exit 2 naming the option and its range" options_ranged

kill_and_rerun() {
  "$bin" generate --output "$work/big" --songs 20000 --events 400000 --seed 5 >/dev/null
  "$bin" etl --input "$work/big" --output "$work/k" --quiet || return 1
  local before
  before=$(fingerprint "$work/k" | sed 's/ .*//' | sort | md5sum)
  for delay in 0.05 0.2 0.4 0.6 0.8 1.0 1.3; do
    "$bin" etl --input "$work/big" --output "$work/k" --quiet &
    local pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    tables_consistent "$work/k" || { echo "after kill at ${delay}s"; return 1; }
    for t in songs artists users time songplays; do
      [ -f "$work/k/$t/_SUCCESS" ] || { echo "$t vanished after kill at ${delay}s"; return 1; }
    done
  done
  "$bin" etl --input "$work/big" --output "$work/k" --quiet || return 1
  [ ! -e "$work/k/_temporary" ] || { echo "_temporary left behind"; return 1; }
  [ "$(fingerprint "$work/k" | sed 's/ .*//' | sort | md5sum)" = "$before" ] || { echo "layout changed"; return 1; }
  tables_consistent "$work/k" && oracle "$work/big" "$work/k"
}
check "kill -9 at any moment leaves complete tables; rerun cleans up" kill_and_rerun

# Two or three writers into one output at once (an orchestrator's retry overlapping a slow run):
# each run either succeeds or fails at once naming the lock's holder, and the output always
# equals a clean run's. The lock dies with its holder: after kill -9 a new run starts at once.
concurrent_writers() {
  local before lock_msg="is being written by run [0-9a-f-]+ on .* \(pid [0-9]+\) since "
  before=$(fingerprint "$work/k" | sed 's/ .*//' | sort | md5sum)
  RANDOM=7
  for round in 1 2 3 4 5 6; do
    local n=$((2 + round % 2)) pids=() cmds=()
    for i in $(seq "$n"); do
      local cmd=etl
      [ $(((round + i) % 3)) -eq 0 ] && cmd=run
      cmds+=("$cmd")
      if [ "$cmd" = run ]; then
        "$bin" run --input "$work/big" --output "$work/k" --quiet 2>"$work/cw$i.err" &
      else
        "$bin" etl --input "$work/big" --output "$work/k" --quiet 2>"$work/cw$i.err" &
      fi
      pids+=($!)
      sleep "0.0$((RANDOM % 10))"
    done
    local ok=0
    for i in $(seq "$n"); do
      wait "${pids[$((i - 1))]}"
      local rc=$?
      if [ "$rc" -eq 0 ]; then
        ok=$((ok + 1))
      elif [ "$rc" -ne 2 ] || ! grep -qE "$lock_msg" "$work/cw$i.err"; then
        echo "round $round: ${cmds[$((i - 1))]} exited $rc"; cat "$work/cw$i.err"; return 1
      fi
    done
    [ "$ok" -ge 1 ] || { echo "round $round: no run succeeded"; return 1; }
    tables_consistent "$work/k" || return 1
    [ "$(fingerprint "$work/k" | grep -v '^./_staging' | sed 's/ .*//' | sort | md5sum)" = "$before" ] ||
      { echo "round $round: output differs from a clean run's"; return 1; }
  done
  # kill -9 of the holder: the kernel drops the lock, the next run does not wait for anything.
  "$bin" etl --input "$work/big" --output "$work/k" --quiet &
  local holder=$!
  sleep 0.3
  kill -9 "$holder"
  wait "$holder" 2>/dev/null
  "$bin" etl --input "$work/big" --output "$work/k" --quiet || { echo "run after kill -9 of the holder failed"; return 1; }
  # Compaction into one --dest: the same rule, and the same outputs as one clean compaction.
  "$bin" compact --src "$work/big/log_data" --dest "$work/cd-clean" --groupBy '.*/log_data/(\d+)/(\d+)/.*' --quiet || return 1
  for round in 1 2 3; do
    race "0.0$round" "$lock_msg" "$bin" compact --src "$work/big/log_data" --dest "$work/cd" \
      --groupBy '.*/log_data/(\d+)/(\d+)/.*' --quiet || return 1
    diff -r -x _lakeforge.lock -x _runs "$work/cd-clean" "$work/cd" >/dev/null || { echo "compaction output differs"; return 1; }
  done
}
check "concurrent etl/run/compact into one output: each succeeds or names the lock holder; output always clean" concurrent_writers

# Pinned to one core (taskset; Slurm's CPU binding and Kubernetes cpusets do the same), a quiet run
# writes nothing to stderr: jemalloc's notice that it turned its per-core arenas off is ours to
# keep quiet. Its other messages still reach stderr (an invalid MALLOC_CONF, where jemalloc is linked).
quiet_when_pinned() {
  "$bin" generate --output "$work/pin" --songs 20 --events 300 --seed 4 >/dev/null || return 1
  taskset -c 0 "$bin" etl --input "$work/pin" --output "$work/pin-out" --quiet 2>"$work/pin.err" || return 1
  [ ! -s "$work/pin.err" ] || { echo "stderr of a pinned quiet run:"; cat "$work/pin.err"; return 1; }
  if ldd "$bin" | grep -q libjemalloc; then
    MALLOC_CONF=no_such_option:1 "$bin" --version 2>"$work/conf.err" >/dev/null || return 1
    grep -q "<jemalloc>: Invalid conf pair: no_such_option:1" "$work/conf.err" ||
      { echo "jemalloc's own message was lost:"; cat "$work/conf.err"; return 1; }
  fi
}
check "a run pinned to one core writes nothing to stderr; jemalloc's other messages still do" quiet_when_pinned

check_summary
