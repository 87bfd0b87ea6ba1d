# Shared by the end-to-end test scripts: `check <name> <command...>` runs one named check, prints
# "ok <name>" or "FAIL <name>" with the tail of its output, and counts; `check_summary` prints the
# "N passed, N failed" line and returns non-zero on any failure. Needs $work (a scratch folder).
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
