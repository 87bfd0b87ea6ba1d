#!/usr/bin/env bash
# bench/parse_floor is the yardstick of the README's "lakeforge / parse floor" column, so it is
# checked like any figure a user sees: each of its three ways must count every line of a lake's
# event logs (against a count by awk), including a line longer than its 1 MiB pieces and a last
# line without a newline, and must flag lines that are not exactly one valid JSON document.
set -euo pipefail
lakeforge=$1
floor=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$lakeforge" generate --output "$dir/lake" --songs 10 --events 30000 --seed 3 >/dev/null
logs="$dir/lake/log_data"
# A valid line of 1.5 MiB in the middle of one file, and a last line with no newline in another.
first=$(find "$logs" -type f -name '*.json' | sort | head -1)
last=$(find "$logs" -type f -name '*.json' | sort | tail -1)
{
  head -n 3 "$first"
  printf '{"page":"Home","blob":"%s"}\n' "$(head -c 1572864 /dev/zero | tr '\0' 'x')"
  tail -n +4 "$first"
} >"$dir/with-long-line"
mv "$dir/with-long-line" "$first"
printf '%s' "$(cat "$last")" >"$dir/no-newline" && mv "$dir/no-newline" "$last"
[ "$(tail -c 1 "$last" | od -An -c | tr -d ' ')" != '\n' ]

# expect_ways <folder> <lines> <invalid: zero|some>
expect_ways() {
  "$floor" "$1" 2 | node -e '
    const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const [lines, invalid] = [Number(process.argv[1]), process.argv[2]];
    for (const way of ["per_line", "parse_many", "pieces"]) {
      const w = j[way];
      if (!w) throw new Error(`no ${way} in ${JSON.stringify(j)}`);
      if (invalid === "zero" && (w.lines !== lines || w.invalid !== 0))
        throw new Error(`${way}: ${w.lines} lines, ${w.invalid} invalid; expected ${lines} lines, none invalid`);
      if (invalid === "some" && w.invalid === 0) throw new Error(`${way}: no invalid line found in ${JSON.stringify(w)}`);
    }
    console.log(`ok: ${JSON.stringify(j)}`);' "$2" "$3"
}
expected=$(find "$logs" -type f -name '*.json' -print0 | xargs -0 awk 'NF { n++ } END { print n }')
[ "$expected" -gt 30000 ]
expect_ways "$logs" "$expected" zero

# One file with a line holding two documents and a line cut short: every way must notice.
printf '{"page":"Home"}\n{"page":"Home"}{"page":"About"}\n{"page":"Ho\n{"page":"Home"}\n' >"$logs/damaged.json"
expect_ways "$logs" 0 some
