#!/usr/bin/env bash
# End-to-end tests of the run report: the JSON validates against docs/run-report.schema.json and
# its figures equal what is on disk (files and bytes counted, rows read by DuckDB, rejects counted
# from _rejected/, input counted from the raw lake); the HTML page opens in headless Chromium
# without console errors and shows the same figures; failed runs write a report that says what
# failed; no report holds a secret; `report` redraws a page and diffs two runs.
# Usage: e2e_report.sh <lakeforge binary> [sample lake]
set -uo pipefail
bin=$1
sample=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/check_lib.sh"
check_report() { node "$here/js/report_check.mjs" "$@"; }
only() { ls "$1"/_runs/*.json | head -1; }
browser=$(command -v chromium || command -v chromium-browser)

"$bin" generate --output "$work/lake" --songs 2000 --events 40000 --seed 21 --dirty-rate 0.03 >/dev/null

etl_report() {
  local before after
  before=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S %e" -o "$work/etl.time" "$bin" etl --input "$work/lake" --output "$work/out" --quiet || return 1
  after=$(date +%s.%N)
  [ "$(ls "$work"/out/_runs/*.json | wc -l)" -eq 1 ] && [ "$(ls "$work"/out/_runs/*.html | wc -l)" -eq 1 ] || return 1
  # What the binary takes to start and exit at all, measured now (AddressSanitizer: ~0.25 s).
  /usr/bin/time -f "%e" -o "$work/version.time" "$bin" --version >/dev/null || return 1
  echo "$before $after $(awk '{ print $4 }' "$work/etl.time") $(cat "$work/version.time")" >"$work/etl.clock"
  check_report --report "$(only "$work/out")" --output "$work/out" --songs "$work/lake/song_data" --logs "$work/lake/log_data" \
    --clock "$(cat "$work/etl.clock")" || return 1
  # Peak memory and CPU time against GNU time's meter of the same process. The report is written
  # just before the process ends, so it may see a little less of both, never more.
  node -e 'const fs = require("fs"); const r = JSON.parse(fs.readFileSync(process.argv[1])).resources;
           const [kb, user, sys] = fs.readFileSync(process.argv[2], "utf8").trim().split(/\s+/).map(Number);
           const rss = r.peak_rss_bytes / 1024, cpu = r.cpu_user_s + r.cpu_system_s, cpuTime = user + sys;
           const bad = [];
           if (rss > kb || rss < 0.9 * kb) bad.push(`peak RSS: report ${rss} KiB, time ${kb} KiB`);
           if (cpu > cpuTime + 0.02 || cpu < cpuTime - Math.max(0.1, 0.2 * cpuTime)) bad.push(`CPU: report ${cpu} s, time ${cpuTime} s`);
           if (bad.length) { console.log(bad.join("; ")); process.exit(1); }' "$(only "$work/out")" "$work/etl.time"
}
check "etl: the JSON report validates, every figure equals a count on disk, memory and CPU equal GNU time's" etl_report

# The checks above can fail: a report with one figure changed is caught, by the figure's name.
tampered_reports() {
  local r bad=0
  r=$(only "$work/out")
  tamper() {  # <what the check must name> <JavaScript that changes the report r>
    node -e 'const fs = require("fs"); const r = JSON.parse(fs.readFileSync(process.argv[1])); eval(process.argv[2]);
             fs.writeFileSync(process.argv[3], JSON.stringify(r))' "$r" "$2" "$work/tampered.json" ||
      { echo "could not tamper: $2"; bad=1; return; }
    if check_report --report "$work/tampered.json" --output "$work/out" --songs "$work/lake/song_data" \
      --logs "$work/lake/log_data" --clock "$(cat "$work/etl.clock")" >"$work/tampered.out"; then
      echo "not caught: $2"; bad=1
    elif ! grep -qF "$1" "$work/tampered.out"; then
      echo "caught, but not as '$1': $2"; cat "$work/tampered.out"; bad=1
    fi
  }
  tamper "stage logs: ends at" 'r.stages.find((s) => s.name === "logs").seconds += 0.5'
  tamper "stage transform starts at" 'const s = r.stages.find((s) => s.name === "transform"); s.start_s += 0.01; s.end_s += 0.01'
  tamper "stage logs worker" 'r.stages.find((s) => s.name === "logs").workers[0].end_s += 5'
  tamper "per-rank stage seconds" 'r.distribution.per_rank[0].stage_seconds[2] += 0.001'
  tamper "logs stage tasks" 'r.stages.find((s) => s.name === "logs").workers[0].tasks += 1'
  tamper "songs stage tasks" 'r.stages.find((s) => s.name === "songs").workers[0].tasks -= 1'
  tamper "write stage tasks" 'r.stages.find((s) => s.name === "write").workers[0].tasks += 1'
  tamper "throughput input_bytes_per_s" 'r.throughput.input_bytes_per_s *= 1.001'
  tamper "throughput records_per_s" 'r.throughput.records_per_s += 100'
  tamper "seconds: report says" 'const k = 1.5; r.seconds *= k; r.throughput.input_bytes_per_s /= k; r.throughput.records_per_s /= k'
  tamper "outside the clock" 'r.started_at = "2001-01-01T00:00:00Z"'
  tamper "stages end at" 'const s = r.stages[r.stages.length - 1]; s.seconds += 1; s.end_s += 1'
  return $bad
}
check "a report with one timing, task or throughput figure changed fails the check, naming the figure" tampered_reports

run_report() {
  "$bin" run --input "$work/lake" --output "$work/run" --quiet || return 1
  local r
  r=$(only "$work/run")
  check_report --report "$r" --output "$work/run" --songs "$work/lake/song_data" --logs "$work/lake/log_data" || return 1
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1])); const c = r.compactions.map((x) => x.label).join();
           const s = r.stages.map((x) => x.name).join(); if (c !== "song_data,log_data" || !s.startsWith("compact song_data,compact log_data,list"))
           { console.log(c, s); process.exit(1); }' "$r"
}
check "run: the report has its compactions and their stages, and its figures hold" run_report

if [ -n "$sample" ] && [ -d "$sample/song_data" ]; then
  sample_report() {
    "$bin" etl --input "$sample" --output "$work/sample" --report "$work/sample.json" --report-html "$work/sample.html" --quiet || return 1
    [ ! -e "$work/sample/_runs" ] || { echo "--report should replace the default place"; return 1; }
    check_report --report "$work/sample.json" --output "$work/sample" --songs "$sample/song_data" --logs "$sample/log_data"
  }
  check "the sample lake's report, written where --report and --report-html say" sample_report
fi

# The page in a real browser: no console error, the same figures in its text, a screenshot taken.
browser_page() {
  [ -n "$browser" ] || { echo "no chromium"; return 1; }
  local r html
  r=$(only "$work/run")
  html=${r%.json}.html
  "$browser" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 --window-size=1400,1800 \
    --screenshot="$work/page.png" "file://$html" >/dev/null 2>"$work/browser.err" || { cat "$work/browser.err"; return 1; }
  [ -s "$work/page.png" ] || return 1
  if grep -E 'CONSOLE|Uncaught|net::ERR' "$work/browser.err"; then return 1; fi
  "$browser" --headless --no-sandbox --disable-gpu --dump-dom "file://$html" >"$work/dom.html" 2>/dev/null || return 1
  grep -qE '<script|https?://' "$html" && { echo "the page loads something: it must be self-contained"; return 1; }
  check_report --report "$r" --output "$work/run" --songs "$work/lake/song_data" --logs "$work/lake/log_data" \
    --dom "$work/dom.html"
}
check "the HTML page opens in Chromium without errors and shows the report's figures" browser_page

# Failed runs: --strict with rejects, and an output that cannot be written to mid-run.
failed_reports() {
  "$bin" etl --input "$work/lake" --output "$work/strict" --strict --quiet 2>/dev/null
  [ $? -eq 1 ] || return 1
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1])); if (r.status !== "failed" || r.error.stage !== "write"
           || !/--strict: \d+ record\(s\) rejected/.test(r.error.message)) { console.log(JSON.stringify(r.error)); process.exit(1); }' \
    "$(only "$work/strict")" || return 1
  # As a user who may write the output but not delete what another user left in its _temporary/.
  id nobody >/dev/null 2>&1 || { echo "no user nobody"; return 1; }
  local d
  d=$(mktemp -d) && chmod 755 "$d" && cp -r "$work/lake" "$d/lake" && cp "$bin" "$d/lakeforge"
  mkdir -p "$d/out/_temporary/stuck" && touch "$d/out/_temporary/stuck/x" && chmod 755 "$d/out/_temporary" "$d/out/_temporary/stuck"
  chmod 777 "$d/out" && chmod -R a+rX "$d"
  runuser -u nobody -- "$d/lakeforge" etl --input "$d/lake" --output "$d/out" --quiet 2>"$work/fail.err"
  local rc=$?
  local r
  r=$(ls "$d"/out/_runs/*.json 2>/dev/null | head -1)
  [ "$rc" -eq 2 ] && [ -n "$r" ] || { echo "exit $rc, report '$r'"; cat "$work/fail.err"; rm -rf "$d"; return 1; }
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1])); if (r.status !== "failed" || r.error.stage !== "write"
           || !r.error.message.includes("_temporary")) { console.log(JSON.stringify(r.error)); process.exit(1); }' "$r"
  local ok=$?
  check_report --report "$r" --output "$d/out" >/dev/null || ok=1
  rm -rf "$d"
  return $ok
}
check "a failed run (--strict with rejects; output not writable mid-run) writes a report saying what failed" failed_reports

# No secret in any report: credentials in the environment and in an endpoint URL on the command line.
no_secrets() {
  AWS_ACCESS_KEY_ID=AKIALAKEFORGETESTKEY AWS_SECRET_ACCESS_KEY=lakeforgeTestSecret0123456789 AWS_SESSION_TOKEN=lakeforgeTestToken \
    "$bin" etl --input "$work/lake" --output "$work/secret" --endpoint-url "http://AKIALAKEFORGETESTKEY:hunter2secret@127.0.0.1:1" \
    --json >"$work/secret.stdout" || return 1
  node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$work/secret.stdout" || { echo "--json did not print one JSON document"; return 1; }
  if grep -rlE 'AKIALAKEFORGETESTKEY|lakeforgeTestSecret|lakeforgeTestToken|hunter2secret' "$work/secret/_runs" "$work/secret.stdout"; then
    echo "a secret is in a report"; return 1
  fi
  grep -q '"http://\*\*\*@127.0.0.1:1"' "$work/secret.stdout"
}
check "no secret in any report (environment, URL user info); --json prints the report" no_secrets

report_command() {
  local a b
  a=$(only "$work/out")
  cp "$a" "$work/a.json"
  "$bin" report "$work/a.json" >/dev/null && cmp "$work/a.html" "${a%.json}.html" || { echo "redrawn page differs"; return 1; }
  "$bin" generate --output "$work/lake2" --songs 2500 --events 40000 --seed 21 --dirty-rate 0.03 >/dev/null
  "$bin" etl --input "$work/lake2" --output "$work/out2" --quiet || return 1
  b=$(only "$work/out2")
  "$bin" report --diff "$a" "$b" >"$work/diff.txt" || return 1
  local songs_a songs_b
  songs_a=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).tables.find((t) => t.name === "songs").rows)' "$a")
  songs_b=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).tables.find((t) => t.name === "songs").rows)' "$b")
  grep -qE "^  songs rows +$songs_a +$songs_b +\+$((songs_b - songs_a)) " "$work/diff.txt" && grep -q "^  total " "$work/diff.txt" &&
    grep -q "^  write " "$work/diff.txt" || { cat "$work/diff.txt"; return 1; }
  echo '{"not": "a report"}' >"$work/bad.json"
  "$bin" report "$work/bad.json" 2>"$work/bad.err"
  [ $? -eq 2 ] && grep -q "is not a lakeforge run report" "$work/bad.err" || { cat "$work/bad.err"; return 1; }
  # A report cut down to a few parts: the file and the missing part are named, nothing crashes.
  echo '{"schema_version":1,"input":{},"tables":[],"rejects":{},"stages":[],"hosts":[],"argv":[],"compactions":[]}' \
    >"$work/partial.json"
  "$bin" report "$work/partial.json" 2>"$work/partial.err"
  [ $? -eq 2 ] && grep -q "'$work/partial.json' is not a complete lakeforge run report: 'resources' is missing or not an object" \
    "$work/partial.err" || { cat "$work/partial.err"; return 1; }
  "$bin" report --diff "$a" "$work/partial.json" 2>"$work/partial.err"
  [ $? -eq 2 ] && grep -q "is not a complete lakeforge run report" "$work/partial.err" || { cat "$work/partial.err"; return 1; }
}
check "report redraws a page identically, diffs two runs, and names a file that is no report" report_command

check_summary
