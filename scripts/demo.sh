#!/usr/bin/env bash
# The demo: install what is missing, build, generate a lake, run the ETL, print the summary and
# query the result with DuckDB. Output goes to demo/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
rm -rf demo
build/lakeforge generate --output demo/lake --songs 20000 --events 1000000 --seed 42 --dirty-rate 0.001
build/lakeforge etl --input demo/lake --output demo/warehouse
echo
echo "Run report: $(ls demo/warehouse/_runs/*.html) (open it in a browser; the JSON beside it is for machines)"
echo
echo "Top 5 songs by plays (DuckDB reading lakeforge's Parquet):"
node tests/js/query.mjs "SELECT s.title, a.name AS artist, count(*) AS plays
  FROM read_parquet('demo/warehouse/songplays/**/*.parquet', hive_partitioning = true) p
  JOIN read_parquet('demo/warehouse/songs/**/*.parquet', hive_partitioning = true) s USING (song_id)
  JOIN read_parquet('demo/warehouse/artists/*.parquet') a ON a.artist_id = p.artist_id
  GROUP BY ALL ORDER BY plays DESC, s.title LIMIT 5"
