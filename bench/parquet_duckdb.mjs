// DuckDB side of bench/parquet_bench.sh: builds the songplays-shaped table in memory with the same
// formulas as bench/songplays_rows.h, then times only COPY ... (FORMAT parquet, COMPRESSION
// snappy). Prints {"threads", "seconds", "file_bytes"}. Also: --compare A B checks two files hold
// the same rows.
import fs from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { DuckDBInstance } = require(require.resolve('@duckdb/node-api', { paths: [new URL('../tests/js/', import.meta.url).pathname] }));

const c = await (await DuckDBInstance.create(':memory:')).connect();
if (process.argv[2] === '--compare') {
  const [a, b] = process.argv.slice(3);
  const q = async (sql) => (await c.runAndReadAll(sql)).getRowObjectsJson()[0].n;
  const d1 = await q(`SELECT count(*) AS n FROM (SELECT * FROM '${a}' EXCEPT ALL SELECT * FROM '${b}')`);
  const d2 = await q(`SELECT count(*) AS n FROM (SELECT * FROM '${b}' EXCEPT ALL SELECT * FROM '${a}')`);
  const n = await q(`SELECT count(*) AS n FROM '${a}'`);
  console.log(`${n} rows, ${d1}/${d2} differing`);
  process.exit(d1 === '0' && d2 === '0' ? 0 : 1);
}
const [rows, out, threads] = process.argv.slice(2);
await c.run(`SET threads = ${threads}`);
await c.run(`CREATE TABLE t AS SELECT i + 1 AS songplay_id, make_timestamptz((1541105830796 + i * 1000) * 1000) AS start_time,
  i % 5000 AS user_id, CASE WHEN i % 3 = 0 THEN 'free' ELSE 'paid' END AS level,
  'SO' || (100000000 + (i * 7919) % 200000) AS song_id, 'AR' || (100000000 + (i * 104729) % 60000) AS artist_id,
  i // 40 AS session_id,
  CASE WHEN i % 2 = 1 THEN 'San Francisco-Oakland-Hayward, CA' ELSE 'Dallas-Fort Worth-Arlington, TX' END AS location,
  'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/35 #' || (i % 40) AS user_agent
  FROM range(${rows}) r(i)`);
const t0 = process.hrtime.bigint();
await c.run(`COPY t TO '${out}' (FORMAT parquet, COMPRESSION snappy)`);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ threads: +threads, seconds: +secs.toFixed(3), file_bytes: fs.statSync(out).size }));
