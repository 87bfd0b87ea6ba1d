# Shared by the end-to-end test scripts: `check <name> <command...>` runs one named check, prints
# "ok <name>" or "FAIL <name>" with the tail of its output, and counts; `check_summary` prints the
# "N passed, N failed" line and returns non-zero on any failure; `race` runs a command twice at
# once for the writer-lock tests; `fingerprint` and `tables_consistent` describe an output folder.
# Needs $work (a scratch folder).
passed=0
failed=0
check() {
  local name=$1
  shift
  if "$@" >"$work/log" 2>&1; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    sed 's/^/     /' "$work/log" | tail -25
    failed=$((failed + 1))
  fi
}
check_summary() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# race <delay> <regex> <command...>: runs the command twice, the second `delay` seconds after the
# first; each must exit 0, or 2 with a message matching the regex (the writer lock's holder).
race() {
  local delay=$1 msg=$2
  shift 2
  "$@" 2>"$work/race1.err" &
  local p1=$!
  sleep "$delay"
  "$@" 2>"$work/race2.err"
  local r2=$?
  wait "$p1"
  local r1=$?
  for r in "$r1:$work/race1.err" "$r2:$work/race2.err"; do
    [ "${r%%:*}" -eq 0 ] || { [ "${r%%:*}" -eq 2 ] && grep -qE "$msg" "${r#*:}"; } ||
      { echo "$* exited ${r%%:*}"; cat "${r#*:}"; return 1; }
  done
}

# Content fingerprint of an output folder: relative paths (run id removed) and file hashes.
fingerprint() {
  local uuid='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
  (cd "$1" && {
    find . -type f ! -name _SUCCESS ! -name _lakeforge.lock ! -path './_runs/*' ! -path './_trash/*' -print0 | xargs -0 -r sha256sum
    for m in $(find . -path ./_trash -prune -o -name _SUCCESS -print); do echo "$(sed -E "s/$uuid/RUN/g" "$m" | sha256sum | cut -d' ' -f1)  $m"; done
  } | sed -E "s/$uuid/RUN/; s/^([0-9a-f]{16})[0-9a-f]* +(.*)$/\\2 \\1/" | sort)
}

# Every table folder present must be complete: a _SUCCESS and a single run id across its files.
tables_consistent() {
  local out=$1
  for t in songs artists users time songplays _rejected; do
    [ -e "$out/$t" ] || continue
    [ -f "$out/$t/_SUCCESS" ] || { echo "$t has no _SUCCESS"; return 1; }
    local runs
    runs=$(find "$out/$t" -name 'part-*' | grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' | sort -u | wc -l)
    [ "$runs" -le 1 ] || { echo "$t mixes $runs runs"; return 1; }
  done
}
