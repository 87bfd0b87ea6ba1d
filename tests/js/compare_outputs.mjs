// Compares the five tables of two output folders (lakeforge's and another tool's) row by row with
// DuckDB, partition columns included. Prints one line per table and exits 1 on any difference.
// Usage: node compare_outputs.mjs <output A> <output B>
import { DuckDBInstance } from '@duckdb/node-api';

const [a, b] = process.argv.slice(2);
const c = await (await DuckDBInstance.create(':memory:')).connect();
const q = async (sql) => (await c.runAndReadAll(sql)).getRowObjectsJson();
const cols = {
  songs: 'song_id, title, duration, CAST(year AS INTEGER) AS year, artist_id',
  artists: 'artist_id, name, location, latitude, longitude',
  users: 'user_id, first_name, last_name, gender, level',
  time: 'epoch_ms(start_time) AS start_time, hour, day, week, weekday, CAST(year AS INTEGER) AS year, CAST(month AS INTEGER) AS month',
  songplays: `songplay_id, epoch_ms(start_time) AS start_time, user_id, level, song_id, artist_id, session_id, location, user_agent,
    CAST(year AS INTEGER) AS year, CAST(month AS INTEGER) AS month`,
};
let bad = 0;
for (const [t, sel] of Object.entries(cols)) {
  const src = (dir) => `(SELECT ${sel} FROM read_parquet('${dir}/${t}/**/*.parquet', hive_partitioning = true))`;
  const [{ n: na }] = await q(`SELECT count(*) AS n FROM ${src(a)}`);
  const [{ n: nb }] = await q(`SELECT count(*) AS n FROM ${src(b)}`);
  const [{ n: d1 }] = await q(`SELECT count(*) AS n FROM (${src(a)} EXCEPT ALL ${src(b)})`);
  const [{ n: d2 }] = await q(`SELECT count(*) AS n FROM (${src(b)} EXCEPT ALL ${src(a)})`);
  const same = na === nb && d1 === '0' && d2 === '0';
  if (!same) bad++;
  console.log(`${same ? 'same' : 'DIFF'} ${t}: ${na} vs ${nb} rows, ${d1}/${d2} differing`);
}
process.exit(bad ? 1 : 0);
