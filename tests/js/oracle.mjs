// The independent oracle: computes the five star-schema tables (and the rejected records) from the
// raw lake with DuckDB SQL that implements the README's semantics, then compares them row by row
// with lakeforge's Parquet output read back by DuckDB. Exit 0 when every table matches.
//
// With --summary FILE (lakeforge's printed summary), also checks every figure in it; with --report
// FILE (the run's JSON report), its record counts (report_check.mjs checks the rest of it).
//
// Usage: node oracle.mjs --songs DIR --logs DIR --output LAKEFORGE_OUTPUT [--summary FILE] [--report FILE]
//        [--max-record-bytes N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { rawRecords, walk } from './raw_lines.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, v, i, a) => (i % 2 === 0 ? acc.concat([[v.replace(/^--/, ''), a[i + 1]]]) : acc), []));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lakeforge-oracle-'));
const rawPath = path.join(tmp, 'raw.jsonl');
const fd = fs.openSync(rawPath, 'w');
const sink = (r) => fs.writeSync(fd, JSON.stringify(r) + '\n');
rawRecords('song', args.songs, sink);
rawRecords('log', args.logs, sink);
fs.closeSync(fd);

const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const q = async (sql) => (await c.runAndReadAll(sql)).getRowObjectsJson();
const out = args.output;
const pq = (t) => `read_parquet('${out}/${t}/**/*.parquet', hive_partitioning = true)`;

await q(`CREATE TABLE raw AS SELECT row_number() OVER () AS ord, * FROM read_json('${rawPath}', format = 'newline_delimited',
  columns = {kind: 'VARCHAR', source: 'VARCHAR', line: 'INTEGER', text: 'VARCHAR', utf8: 'BOOLEAN', empty: 'BOOLEAN', bytes: 'BIGINT',
             scalars: 'VARCHAR'})`);
// --max-record-bytes, as lakeforge was run with it (its default otherwise).
const maxRecordBytes = Number(args['max-record-bytes'] ?? 16 * 1024 * 1024);
// JSON type helpers: t(f) is DuckDB's json_type of a field, NULL when absent.
const t = (f) => `json_type(text, '$.${f}')`;
// String fields: a string, or a number or boolean kept as the file's characters (as Spark's and
// DuckDB's string columns keep "artist_name": 112 as '112'); objects and arrays are wrong types.
const scalar = (f) => `${t(f)} IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN')`;
const str = (f) => `(${t(f)} IS NULL OR ${t(f)} IN ('VARCHAR', 'NULL') OR ${scalar(f)})`;
const num = (f) => `(${t(f)} IS NULL OR ${t(f)} IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'NULL'))`;
const int = (f) => `(${t(f)} IS NULL OR ${t(f)} = 'NULL' OR (${t(f)} IN ('BIGINT', 'UBIGINT') AND TRY_CAST(json_extract_string(text, '$.${f}') AS BIGINT) IS NOT NULL))`;
const present = (f) => `(${t(f)} IS NOT NULL AND ${t(f)} <> 'NULL')`;
const s = (f) => `CASE WHEN ${t(f)} = 'VARCHAR' THEN json_extract_string(text, '$.${f}')
  WHEN ${scalar(f)} THEN json_extract_string(scalars, '$.${f}') END`;
// Bytes of the Hive folder name "f=<value>" (Spark's escapePathName: these characters become %XX).
const hiveFolderBytes = (f) => `(strlen('${f}=') + strlen(${s(f)})
  + 2 * length(regexp_replace(${s(f)}, '[^\\x00-\\x1f\\x7f"#%''*/:=?\\\\{\\[\\]^]', '', 'g')))`;
const d = (f) => `CASE WHEN ${t(f)} IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CAST(json_extract_string(text, '$.${f}') AS DOUBLE) END`;
const i = (f) => `CASE WHEN ${t(f)} IN ('BIGINT', 'UBIGINT') THEN CAST(json_extract_string(text, '$.${f}') AS BIGINT) END`;

await q(`CREATE TABLE checked AS SELECT *,
  CASE WHEN empty THEN 'empty file'
       WHEN bytes > ${maxRecordBytes} THEN 'record too large'
       WHEN NOT utf8 THEN 'invalid UTF-8'
       WHEN NOT json_valid(text) THEN 'malformed JSON'
       WHEN json_type(text) <> 'OBJECT' THEN 'not a JSON object'
       WHEN kind = 'song' AND NOT (${str('song_id')} AND ${str('artist_id')} AND ${str('title')} AND ${str('artist_name')}
            AND ${str('artist_location')} AND ${num('artist_latitude')} AND ${num('artist_longitude')} AND ${num('duration')}
            AND ${int('year')} AND (${t('year')} IS DISTINCT FROM 'BIGINT' AND ${t('year')} IS DISTINCT FROM 'UBIGINT'
                 OR TRY_CAST(json_extract_string(text, '$.year') AS INTEGER) IS NOT NULL)) THEN 'wrong type'
       WHEN kind = 'song' AND (coalesce(${s('song_id')}, '') = '' OR coalesce(${s('artist_id')}, '') = '') THEN 'missing key field'
       WHEN kind = 'song' AND ${hiveFolderBytes('artist_id')} > 255 THEN 'partition value too long'
       WHEN kind = 'log' AND ${s('page')} IS DISTINCT FROM 'NextSong' THEN 'filtered'
       WHEN kind = 'log' AND NOT (${int('ts')} AND ${str('page')} AND ${str('song')} AND ${str('artist')} AND ${num('length')}
            AND ${str('gender')} AND ${str('level')} AND ${str('lastName')} AND ${str('location')} AND ${str('firstName')}
            AND ${int('sessionId')} AND ${str('userAgent')} AND ${int('itemInSession')}) THEN 'wrong type'
       WHEN kind = 'log' AND NOT ${present('ts')} THEN 'missing key field'
       WHEN kind = 'log' AND NOT ${present('userId')} THEN 'missing key field'
       WHEN kind = 'log' AND ${t('userId')} IN ('OBJECT', 'ARRAY') THEN 'wrong type'
       WHEN kind = 'log' AND ${t('userId')} = 'BIGINT' AND TRY_CAST(json_extract_string(text, '$.userId') AS BIGINT) IS NOT NULL THEN 'ok'
       WHEN kind = 'log' AND NOT regexp_full_match(${s('userId')}, '[0-9]{0,18}') THEN 'non-numeric userId'
       ELSE 'ok' END AS verdict
  FROM raw`);

await q(`CREATE TABLE song_recs AS SELECT ord, source, line, ${s('song_id')} AS song_id, ${s('title')} AS title,
  ${s('artist_id')} AS artist_id, ${i('year')}::INTEGER AS year, ${d('duration')} AS duration, ${s('artist_name')} AS artist_name,
  ${s('artist_location')} AS location, ${d('artist_latitude')} AS latitude, ${d('artist_longitude')} AS longitude
  FROM checked WHERE kind = 'song' AND verdict = 'ok'`);
await q(`CREATE TABLE events AS SELECT * FROM (
  SELECT ord, ${i('ts')} AS ts, CASE WHEN ${s('userId')} = '' THEN NULL WHEN ${t('userId')} = 'VARCHAR' THEN CAST(${s('userId')} AS BIGINT)
         ELSE ${i('userId')} END AS user_id,
    ${i('sessionId')} AS session_id, ${i('itemInSession')} AS item, ${s('level')} AS level, ${s('firstName')} AS first_name,
    ${s('lastName')} AS last_name, ${s('gender')} AS gender, ${s('location')} AS location, ${s('userAgent')} AS user_agent,
    ${s('song')} AS song, ${s('artist')} AS artist, ${d('length')} AS length
  FROM checked WHERE kind = 'log' AND verdict = 'ok')
  QUALIFY row_number() OVER (PARTITION BY user_id, session_id, item ORDER BY ts, ord) = 1`);

const expected = {
  songs: `SELECT song_id, title, duration, year, artist_id FROM song_recs QUALIFY row_number() OVER (PARTITION BY song_id ORDER BY ord) = 1`,
  artists: `SELECT artist_id, artist_name AS name, location, latitude, longitude FROM song_recs
    QUALIFY row_number() OVER (PARTITION BY artist_id ORDER BY (latitude IS NOT NULL)::INT + (longitude IS NOT NULL)::INT
      + (coalesce(location, '') <> '')::INT DESC, ord) = 1`,
  users: `SELECT user_id, first_name, last_name, gender, level FROM events WHERE user_id IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY ts DESC, session_id DESC NULLS LAST, item DESC NULLS LAST) = 1`,
  time: `SELECT DISTINCT ts AS start_time, hour(make_timestamp(ts * 1000)) AS hour, day(make_timestamp(ts * 1000)) AS day,
    weekofyear(make_timestamp(ts * 1000)) AS week, dayofweek(make_timestamp(ts * 1000)) + 1 AS weekday,
    year(make_timestamp(ts * 1000)) AS year, month(make_timestamp(ts * 1000)) AS month FROM events`,
  songplays: `WITH songs AS (${'SELECT song_id, title, duration, artist_id FROM song_recs QUALIFY row_number() OVER (PARTITION BY song_id ORDER BY ord) = 1'}),
    named AS (SELECT s.*, a.artist_name FROM songs s JOIN song_recs a USING (song_id) QUALIFY row_number() OVER (PARTITION BY s.song_id ORDER BY a.ord) = 1),
    matched AS (SELECT e.*, n.song_id, n.artist_id FROM events e JOIN named n ON e.song = n.title AND e.artist = n.artist_name AND e.length = n.duration
      QUALIFY row_number() OVER (PARTITION BY e.user_id, e.session_id, e.item ORDER BY n.song_id) = 1)
    SELECT row_number() OVER (ORDER BY ts, user_id NULLS FIRST, session_id NULLS FIRST, item NULLS FIRST) AS songplay_id, ts AS start_time,
      user_id, level, song_id, artist_id, session_id, location, user_agent,
      year(make_timestamp(ts * 1000)) AS year, month(make_timestamp(ts * 1000)) AS month FROM matched`,
};
const actual = {
  songs: `SELECT song_id, title, duration, TRY_CAST(year AS INTEGER) AS year, artist_id FROM ${pq('songs')}`,
  artists: `SELECT artist_id, name, location, latitude, longitude FROM ${pq('artists')}`,
  users: `SELECT user_id, first_name, last_name, gender, level FROM ${pq('users')}`,
  time: `SELECT epoch_ms(start_time) AS start_time, hour, day, week, weekday, year, month FROM ${pq('time')}`,
  songplays: `SELECT songplay_id, epoch_ms(start_time) AS start_time, user_id, level, song_id, artist_id, session_id, location,
    user_agent, year, month FROM ${pq('songplays')}`,
};

let failed = 0, passed = 0;
for (const table of Object.keys(expected)) {
  const files = fs.existsSync(`${out}/${table}`) ? fs.readdirSync(`${out}/${table}`, { recursive: true }).filter((f) => f.endsWith('.parquet')) : [];
  const exp = `(${expected[table]})`;
  const act = files.length ? `(${actual[table]})` : `(SELECT * FROM ${exp} WHERE false)`;
  const [{ n: expRows }] = await q(`SELECT count(*) AS n FROM ${exp}`);
  const [{ n: actRows }] = await q(`SELECT count(*) AS n FROM ${act}`);
  const missing = await q(`SELECT * FROM (${exp} EXCEPT ALL ${act}) LIMIT 3`);
  const extra = await q(`SELECT * FROM (${act} EXCEPT ALL ${exp}) LIMIT 3`);
  const ok = expRows === actRows && missing.length === 0 && extra.length === 0;
  ok ? passed++ : failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${table}: expected ${expRows} rows, lakeforge ${actRows}`);
  for (const r of missing) console.log('  missing from lakeforge:', JSON.stringify(r));
  for (const r of extra) console.log('  unexpected in lakeforge:', JSON.stringify(r));
}

// Rejected records: same (source, line, reason) set.
const rejFiles = fs.existsSync(`${out}/_rejected`) ? fs.readdirSync(`${out}/_rejected`).filter((f) => f.endsWith('.jsonl')) : [];
const expRej = `(SELECT source, line, verdict AS reason FROM checked WHERE verdict NOT IN ('ok', 'filtered'))`;
const actRej = rejFiles.length
  ? `(SELECT source, line, reason FROM read_json('${out}/_rejected/*.jsonl', format = 'newline_delimited', columns = {source: 'VARCHAR', line: 'INTEGER', reason: 'VARCHAR'}))`
  : `(SELECT * FROM ${expRej} WHERE false)`;
const [{ n: e1 }] = await q(`SELECT count(*) AS n FROM ${expRej}`);
const rejMissing = await q(`SELECT * FROM (${expRej} EXCEPT ALL ${actRej}) LIMIT 3`);
const rejExtra = await q(`SELECT * FROM (${actRej} EXCEPT ALL ${expRej}) LIMIT 3`);
const rejOk = rejMissing.length === 0 && rejExtra.length === 0;
rejOk ? passed++ : failed++;
console.log(`${rejOk ? 'ok  ' : 'FAIL'} _rejected: expected ${e1} records`);
for (const r of rejMissing) console.log('  missing from lakeforge:', JSON.stringify(r));
for (const r of rejExtra) console.log('  unexpected in lakeforge:', JSON.stringify(r));

// The printed summary (--summary FILE, lakeforge's stdout): every figure against the oracle's own
// count, and the tables' files and bytes counted on disk.
if (args.summary) {
  const text = fs.readFileSync(args.summary, 'utf8');
  const problems = [];
  const expect = (what, shown, actual) => { if (String(shown) !== String(actual)) problems.push(`${what}: summary says ${shown}, counted ${actual}`); };
  // A human-readable size ("34.8 KiB") is right when it is the exact size rounded to its unit.
  const expectBytes = (what, shown, actual) => {
    const m = /^([0-9.]+) (B|KiB|MiB|GiB|TiB)$/.exec(shown);
    let unit = 0, v = Number(actual);
    while (v >= 1024 && unit < 4) { v /= 1024; unit++; }
    if (!m || m[2] !== ['B', 'KiB', 'MiB', 'GiB', 'TiB'][unit] || Math.abs(Number(m[1]) - v) > (unit ? 0.0500001 : 0)) {
      problems.push(`${what}: summary says ${shown}, counted ${actual} bytes`);
    }
  };
  const input = /^input +(\d+) song files, (\d+) log files, ([^;]+); (\d+) song records, (\d+) log lines \((\d+) not NextSong\), (\d+) events \((\d+) duplicates dropped\)$/m.exec(text);
  if (!input) problems.push('no input line in the summary');
  else {
    const files = (root) => walk(root);
    const size = (list) => list.reduce((n, f) => n + fs.statSync(f).size, 0);
    const songFiles = files(args.songs), logFiles = files(args.logs);
    const count = async (where) => Number((await q(`SELECT count(*) AS n FROM checked WHERE ${where}`))[0].n);
    const valid = await count(`kind = 'log' AND verdict = 'ok'`);
    const events = Number((await q('SELECT count(*) AS n FROM events'))[0].n);
    expect('song files', input[1], songFiles.length);
    expect('log files', input[2], logFiles.length);
    expectBytes('input bytes', input[3], size(songFiles) + size(logFiles));
    expect('song records', input[4], await count(`kind = 'song' AND verdict = 'ok'`));
    expect('log lines', input[5], await count(`kind = 'log' AND NOT empty`));
    expect('not NextSong', input[6], await count(`kind = 'log' AND verdict = 'filtered'`));
    expect('events', input[7], events);
    expect('duplicates dropped', input[8], valid - events);
  }
  // `run` prints one line per compaction first: inputs are the raw lake's files, outputs the staged ones.
  for (const [part, root] of [['song_data', args.songs], ['log_data', args.logs]]) {
    const m = new RegExp(`^compact ${part} *: (\\d+) inputs \\(([^)]+)\\) -> (\\d+) outputs \\(([^)]+)\\) in `, 'm').exec(text);
    if (!m) continue;
    const raw = walk(root), staged = walk(args.staging ?? `${out}/_staging/${part}`);
    const size = (list) => list.reduce((n, f) => n + fs.statSync(f).size, 0);
    expect(`compact ${part} inputs`, m[1], raw.length);
    expectBytes(`compact ${part} input bytes`, m[2], size(raw));
    expect(`compact ${part} outputs`, m[3], staged.length);
    expectBytes(`compact ${part} output bytes`, m[4], size(staged));
  }
  const tableFiles = (t) => fs.existsSync(`${out}/${t}`)
    ? fs.readdirSync(`${out}/${t}`, { recursive: true }).filter((f) => /\.(parquet|jsonl)$/.test(f)).map((f) => `${out}/${t}/${f}`) : [];
  for (const table of [...Object.keys(expected), '_rejected']) {
    const row = new RegExp(`^${table} +(\\d+) +(\\d+) +(\\d+(?:\\.\\d)? \\S+)$`, 'm').exec(text);
    if (!row) { problems.push(`no row for ${table} in the summary`); continue; }
    const list = tableFiles(table);
    const rows = table === '_rejected'
      ? list.reduce((n, f) => n + fs.readFileSync(f, 'utf8').split('\n').filter((l) => l !== '').length, 0)
      : list.length ? Number((await q(`SELECT count(*) AS n FROM read_parquet('${out}/${table}/**/*.parquet')`))[0].n) : 0;
    expect(`${table} rows`, row[1], rows);
    expect(`${table} files`, row[2], list.length);
    expectBytes(`${table} bytes`, row[3], list.reduce((n, f) => n + fs.statSync(f).size, 0));
  }
  const rejects = await q(`SELECT verdict, count(*) AS n FROM checked WHERE verdict NOT IN ('ok', 'filtered') GROUP BY verdict`);
  const total = /^rejected +(\d+)$/m.exec(text);
  expect('rejected', total ? total[1] : 'nothing', rejects.reduce((n, r) => n + Number(r.n), 0));
  for (const r of rejects) {
    const m = new RegExp(`^  ${r.verdict} +(\\d+)$`, 'm').exec(text);
    expect(`rejected ${r.verdict}`, m ? m[1] : 'nothing', r.n);
  }
  const reasons = [...text.matchAll(/^  ([a-zA-Z][a-zA-Z0-9 -]*?) +(\d+)$/gm)].map((m) => m[1]);
  for (const reason of reasons) if (!rejects.some((r) => r.verdict === reason)) problems.push(`summary counts rejects '${reason}' the oracle has none of`);
  const first = await q(`SELECT source, line FROM checked WHERE verdict NOT IN ('ok', 'filtered') ORDER BY ord LIMIT 1`);
  const shownFirst = /^  first: (.*)$/m.exec(text);
  if (first.length) expect('first reject', shownFirst && shownFirst[1].startsWith(`${first[0].source}:${first[0].line}: `), true);
  else expect('first reject', shownFirst ? shownFirst[1] : 'none', 'none');
  const ok = problems.length === 0;
  ok ? passed++ : failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} summary: every figure equals an independent count`);
  for (const p of problems) console.log('  ' + p);
}

// The run report (--report FILE): the record counts only the oracle can make — song records, log
// lines, filtered lines, events, duplicates and rejects per reason — against its own counts.
if (args.report !== undefined) {
  const report = JSON.parse(fs.readFileSync(args.report, 'utf8'));
  const problems = [];
  const expect = (what, shown, actual) => { if (String(shown) !== String(actual)) problems.push(`${what}: report says ${shown}, counted ${actual}`); };
  const count = async (where) => Number((await q(`SELECT count(*) AS n FROM checked WHERE ${where}`))[0].n);
  const events = Number((await q('SELECT count(*) AS n FROM events'))[0].n);
  const valid = await count(`kind = 'log' AND verdict = 'ok'`);
  expect('song_records', report.input.song_records, await count(`kind = 'song' AND verdict = 'ok'`));
  expect('log_lines', report.input.log_lines, await count(`kind = 'log' AND NOT empty`));
  expect('filtered_lines', report.input.filtered_lines, await count(`kind = 'log' AND verdict = 'filtered'`));
  expect('events', report.input.events, events);
  expect('duplicate_events', report.input.duplicate_events, valid - events);
  const rejects = await q(`SELECT verdict, count(*) AS n FROM checked WHERE verdict NOT IN ('ok', 'filtered') GROUP BY verdict`);
  expect('rejects total', report.rejects.total, rejects.reduce((n, r) => n + Number(r.n), 0));
  for (const r of rejects) expect(`rejects ${r.verdict}`, report.rejects.by_reason.find((b) => b.reason === r.verdict)?.count ?? 0, r.n);
  for (const b of report.rejects.by_reason)
    if (!rejects.some((r) => r.verdict === b.reason)) problems.push(`report counts rejects '${b.reason}' the oracle has none of`);
  const ok = problems.length === 0;
  ok ? passed++ : failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} report: song records, log lines, filtered, events, duplicates and rejects equal independent counts`);
  for (const p of problems) console.log('  ' + p);
}

fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
