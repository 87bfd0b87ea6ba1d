// The rival: the same ETL in DuckDB 1.5 (all cores), with explicit JSON column types and
// COPY ... (FORMAT parquet, PARTITION_BY ..., COMPRESSION snappy), implementing the semantics in the
// README for clean lakes (no rejected records): dedupe, winners, join and numbering as lakeforge.
// Usage: node bench/duckdb_etl.mjs <lake> <output>
import fs from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { DuckDBInstance } = require(require.resolve('@duckdb/node-api', { paths: [new URL('../tests/js/', import.meta.url).pathname] }));

const [lake, out] = process.argv.slice(2);
fs.rmSync(out, { recursive: true, force: true });
for (const t of ['artists', 'users']) fs.mkdirSync(`${out}/${t}`, { recursive: true });
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const verbose = process.env.LAKEFORGE_BENCH_VERBOSE;
const run = async (sql) => {
  const t0 = Date.now();
  await c.run(sql);
  if (verbose) console.error(`${((Date.now() - t0) / 1000).toFixed(2)}s  ${sql.slice(0, 70).replace(/\s+/g, ' ')}`);
};
// Row order is not needed (every ordering is explicit); let DuckDB spill rather than fail.
await run(`SET preserve_insertion_order = false`);
await run(`SET temp_directory = '${out}.duckdb-tmp'`);
// Spark/Hive skip names starting with '.' or '_' below the root.
const visible = (root) => `NOT regexp_matches(substr(filename, ${root.length + 2}), '(^|/)[._]')`;
const songs = `${lake}/song_data`, logs = `${lake}/log_data`;

await run(`CREATE TABLE song_recs AS SELECT * FROM read_json('${songs}/**/*.json', filename = true, format = 'newline_delimited',
  columns = {song_id: 'VARCHAR', title: 'VARCHAR', artist_id: 'VARCHAR', year: 'INTEGER', duration: 'DOUBLE', artist_name: 'VARCHAR',
             artist_location: 'VARCHAR', artist_latitude: 'DOUBLE', artist_longitude: 'DOUBLE'})
  WHERE ${visible(songs)} AND coalesce(song_id, '') <> '' AND coalesce(artist_id, '') <> ''`);
await run(`CREATE TABLE songs AS SELECT * FROM song_recs QUALIFY row_number() OVER (PARTITION BY song_id ORDER BY filename) = 1`);
await run(`CREATE TABLE events AS SELECT * FROM (
  SELECT ts, CASE WHEN userId = '' THEN NULL ELSE CAST(userId AS BIGINT) END AS user_id, sessionId AS session_id,
    itemInSession AS item, level, firstName AS first_name, lastName AS last_name, gender, location, userAgent AS user_agent,
    song, artist, length, filename
  FROM read_json('${logs}/**/*.json', filename = true, format = 'newline_delimited',
    columns = {ts: 'BIGINT', userId: 'VARCHAR', sessionId: 'BIGINT', itemInSession: 'BIGINT', level: 'VARCHAR', firstName: 'VARCHAR',
               lastName: 'VARCHAR', gender: 'VARCHAR', location: 'VARCHAR', userAgent: 'VARCHAR', song: 'VARCHAR', artist: 'VARCHAR',
               length: 'DOUBLE', page: 'VARCHAR'})
  WHERE page = 'NextSong' AND ${visible(logs)})
  QUALIFY row_number() OVER (PARTITION BY user_id, session_id, item ORDER BY ts, filename) = 1`);

// DuckDB 1.5 runs out of memory writing ~150k partitions at once on a 24 GiB machine (every open
// partition writer reserves buffers, with one thread too). Such a COPY is redone one value of the
// first partition column at a time, which is what a DuckDB user would do; it is reported.
const copy = async (sql, dir, partition) => {
  const stmt = (src, target, part) =>
    `COPY (${src}) TO '${target}' (FORMAT parquet, COMPRESSION snappy${part ? `, PARTITION_BY (${part})` : ''})`;
  try {
    await run(stmt(sql, `${out}/${dir}`, partition));
  } catch (e) {
    const cols = (partition || '').split(',').map((x) => x.trim());
    if (!String(e.message).includes('Out of Memory') || cols.length < 2) throw e;
    console.error(`duckdb: out of memory writing ${dir} in one COPY; writing one ${cols[0]} at a time`);
    fs.rmSync(`${out}/${dir}`, { recursive: true, force: true });
    fs.mkdirSync(`${out}/${dir}`, { recursive: true });
    const values = (await c.runAndReadAll(`SELECT DISTINCT ${cols[0]} AS v FROM (${sql}) ORDER BY 1`)).getRowObjectsJson();
    for (const { v } of values) {
      const where = v === null ? `${cols[0]} IS NULL` : `${cols[0]} = '${String(v).replace(/'/g, "''")}'`;
      const name = v === null ? '__HIVE_DEFAULT_PARTITION__' : v;
      await run(stmt(`SELECT * EXCLUDE (${cols[0]}) FROM (${sql}) WHERE ${where}`, `${out}/${dir}/${cols[0]}=${name}`,
        cols.slice(1).join(', ')));
    }
  }
};
await copy(`SELECT song_id, title, duration, year, artist_id FROM songs`, 'songs', 'year, artist_id');
await copy(`SELECT artist_id, artist_name AS name, artist_location AS location, artist_latitude AS latitude, artist_longitude AS longitude
  FROM song_recs QUALIFY row_number() OVER (PARTITION BY artist_id ORDER BY (artist_latitude IS NOT NULL)::INT
    + (artist_longitude IS NOT NULL)::INT + (coalesce(artist_location, '') <> '')::INT DESC, filename) = 1`, 'artists/part-0.parquet');
await copy(`SELECT user_id, first_name, last_name, gender, level FROM events WHERE user_id IS NOT NULL
  QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY ts DESC, session_id DESC NULLS LAST, item DESC NULLS LAST) = 1`,
  'users/part-0.parquet');
await copy(`SELECT DISTINCT make_timestamptz(ts * 1000) AS start_time, hour(make_timestamp(ts * 1000)) AS hour,
  day(make_timestamp(ts * 1000)) AS day, weekofyear(make_timestamp(ts * 1000)) AS week, dayofweek(make_timestamp(ts * 1000)) + 1 AS weekday,
  year(make_timestamp(ts * 1000)) AS year, month(make_timestamp(ts * 1000)) AS month FROM events`, 'time', 'year, month');
await copy(`WITH matched AS (SELECT e.*, s.song_id, s.artist_id FROM events e JOIN songs s
    ON e.song = s.title AND e.artist = s.artist_name AND e.length = s.duration
    QUALIFY row_number() OVER (PARTITION BY e.user_id, e.session_id, e.item ORDER BY s.song_id) = 1)
  SELECT row_number() OVER (ORDER BY ts, user_id NULLS FIRST, session_id NULLS FIRST, item NULLS FIRST) AS songplay_id,
    make_timestamptz(ts * 1000) AS start_time, user_id, level, song_id, artist_id, session_id, location, user_agent,
    year(make_timestamp(ts * 1000)) AS year, month(make_timestamp(ts * 1000)) AS month FROM matched`, 'songplays', 'year, month');
