# Shared by the benchmark scripts (source it): the statistics and the parse floor's reading, one
# copy each, so every table computes them the same way.

# median: the median of the numbers on standard input, one per line (the mean of the middle two
# for an even count).
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# parse_floor_best: reads bench/parse_floor's JSON on standard input and prints the seconds and
# CPU seconds of its fastest way; fails when any way found an invalid line (the floor must have
# validated every line for its time to mean anything).
parse_floor_best() {
  node -e '
    const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const ways = [j.per_line, j.parse_many, j.pieces];
    if (ways.some((w) => w.invalid)) { console.error("parse_floor: invalid lines"); process.exit(1); }
    const best = ways.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    console.log(`${best.seconds} ${best.cpu_seconds}`);'
}
