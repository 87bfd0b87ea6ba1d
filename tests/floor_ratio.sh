#!/usr/bin/env bash
# bench/floor_ratio.sh gives the README's and results.md's ratios to the parse floor, so its figures
# are checked against what it ran: the binaries take turns at running first (an invocation log
# kept by wrappers, not the script's own lines), each floor is the least of the three ways the
# floor printed that round, each ratio is that round's wall over its floor, and the table's
# medians are the medians of those ratios, over all rounds and over the rounds a binary ran first.
# It must also clean up after itself and refuse what it cannot run.
set -euo pipefail
script=$1
lakeforge=$2
floor=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$lakeforge" generate --output "$dir/lake" --songs 10 --events 20000 --seed 5 >/dev/null

# Wrappers that log each invocation: the floor keeps its JSON; each lakeforge logs its letter.
cat >"$dir/floor" <<EOF
#!/usr/bin/env bash
"$floor" "\$@" | tee -a "$dir/floor.jsonl"
EOF
for side in A B; do
  cat >"$dir/lf$side" <<EOF
#!/usr/bin/env bash
echo $side >>"$dir/order"
exec "$lakeforge" "\$@"
EOF
done
chmod +x "$dir/floor" "$dir/lfA" "$dir/lfB"
mkdir "$dir/out"
rounds=3
PARSE_FLOOR="$dir/floor" OUTPUT_ROOT="$dir/out" THREADS=2 "$script" "$dir/lake" "$rounds" "$dir/lfA" "$dir/lfB" \
  >"$dir/printed"
cat "$dir/printed"

[ -z "$(ls -A "$dir/out")" ] || { echo "FAIL: floor_ratio.sh left $(ls "$dir/out") behind"; exit 1; }
# Turns: A first in odd rounds, B first in even ones.
[ "$(tr -d '\n' <"$dir/order")" = "ABBAAB" ] || { echo "FAIL: run order $(tr -d '\n' <"$dir/order"), expected ABBAAB"; exit 1; }

node - "$dir/printed" "$dir/floor.jsonl" "$rounds" "$dir/lfA" "$dir/lfB" <<'EOF'
const fs = require("fs");
const [printedPath, floorsPath, roundsArg, binA, binB] = process.argv.slice(2);
const rounds = Number(roundsArg);
const printed = fs.readFileSync(printedPath, "utf8").split("\n");
const floors = fs.readFileSync(floorsPath, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const fail = (msg) => { console.error(`FAIL: ${msg}`); process.exit(1); };
if (floors.length !== rounds) fail(`${floors.length} floor runs, expected ${rounds}`);
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ratios = { 1: [], 2: [] }, first = { 1: [], 2: [] };
const roundLines = printed.filter((l) => l.startsWith("round "));
if (roundLines.length !== rounds) fail(`${roundLines.length} round lines, expected ${rounds}`);
roundLines.forEach((line, r) => {
  const m = line.match(/^round (\d+) floor ([\d.]+) \| (.*)$/);
  if (!m || Number(m[1]) !== r + 1) fail(`round line ${r + 1} unreadable: ${line}`);
  const least = Math.min(...["per_line", "parse_many", "pieces"].map((w) => floors[r][w].seconds));
  if (Math.abs(Number(m[2]) - least) > 1e-9) fail(`round ${r + 1}: floor ${m[2]}, least of its ways ${least}`);
  const runs = m[3].split(" | ").map((p) => p.match(/^binary (\d): ([\d.]+) s, ratio ([\d.]+)$/));
  if (runs.length !== 2 || runs.some((x) => !x)) fail(`round ${r + 1}: runs unreadable: ${m[3]}`);
  if (Number(runs[0][1]) !== (r % 2) + 1) fail(`round ${r + 1}: binary ${runs[0][1]} printed first`);
  runs.forEach(([, b, wall, ratio], k) => {
    const expected = Number(wall) / least;
    if (Math.abs(Number(ratio) - expected) > 0.0006) fail(`round ${r + 1}, binary ${b}: ratio ${ratio}, wall/floor ${expected}`);
    ratios[b].push(Number(ratio));
    if (k === 0) first[b].push(Number(ratio));
  });
});
[binA, binB].forEach((bin, i) => {
  const b = i + 1;
  const row = printed.find((l) => l.startsWith(`| ${bin} |`));
  if (!row) fail(`no table row for ${bin}`);
  const cells = row.split("|").map((c) => c.trim());
  const [overall, firstOnly] = [parseFloat(cells[2]), parseFloat(cells[3])];
  if (Math.abs(overall - median(ratios[b])) > 1e-9) fail(`${bin}: median ${overall}, of its ratios ${median(ratios[b])}`);
  if (Math.abs(firstOnly - median(first[b])) > 1e-9) fail(`${bin}: first-run median ${firstOnly}, expected ${median(first[b])}`);
});
console.log("ok: order, floors, ratios and medians as run");
EOF

# What it cannot run, it refuses before running anything.
if PARSE_FLOOR="$floor" "$script" "$dir/lake" 1 "$dir/no-such-binary" 2>"$dir/err"; then echo "FAIL: ran without a binary"; exit 1; fi
grep -q "no-such-binary is not an executable" "$dir/err" || { echo "FAIL: message: $(cat "$dir/err")"; exit 1; }
if PARSE_FLOOR="$floor" "$script" "$dir" 1 "$lakeforge" 2>"$dir/err"; then echo "FAIL: ran on a folder without logs"; exit 1; fi
grep -q "has no log_data folder" "$dir/err" || { echo "FAIL: message: $(cat "$dir/err")"; exit 1; }
echo "ok: refusals"
