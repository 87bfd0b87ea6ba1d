// Reads every f*.parquet under the given folders with two independent readers, DuckDB and
// hyparquet, and compares values, nulls and types with the .expected.jsonl written beside each file
// (tests/parquet_roundtrip_writer.cc). Also checks DuckDB's parquet_metadata(): codec, null counts,
// integer and string min/max, dictionary encodings. Prints "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

const duck = await (await DuckDBInstance.create(':memory:')).connect();
const sqlRows = async (sql) => (await duck.runAndReadAll(sql)).getRowObjectsJS();
const duckTypes = { BOOLEAN: 'BOOLEAN', INT32: 'INTEGER', INT64: 'BIGINT', DOUBLE: 'DOUBLE', STRING: 'VARCHAR',
  TIMESTAMP_MILLIS: 'TIMESTAMP WITH TIME ZONE' };

function canon(v, type) {
  if (v === null || v === undefined) return null;
  if (type === 'DOUBLE') {
    if (Number.isNaN(v)) return 'NaN';
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v);
    return dv.getBigUint64(0).toString(16).padStart(16, '0');
  }
  if (type === 'TIMESTAMP_MILLIS' && v instanceof Date) return String(v.getTime());
  return String(v);
}
const expCanon = (v, type) => (v === null ? null : type === 'BOOLEAN' ? String(v) : v);

let passed = 0, failed = 0;
const fail = (file, msg) => { failed++; console.log(`FAIL ${file}: ${msg}`); };

for (const dir of process.argv.slice(2)) {
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.parquet')).sort()) {
    const file = path.join(dir, name);
    const lines = fs.readFileSync(file.replace(/\.parquet$/, '.expected.jsonl'), 'utf8').split('\n').filter(Boolean);
    const head = JSON.parse(lines[0]);
    const expected = lines.slice(1).map((l) => JSON.parse(l));
    const cols = head.columns;
    let ok = true;
    // DuckDB: types, then values.
    const desc = await sqlRows(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    cols.forEach((c, i) => {
      if (desc[i]?.column_name !== c.name || desc[i]?.column_type !== duckTypes[c.type]) {
        ok = false; fail(file, `DuckDB type of ${c.name}: ${desc[i]?.column_type}, expected ${duckTypes[c.type]}`);
      }
    });
    const select = cols.map((c) => (c.type === 'TIMESTAMP_MILLIS' ? `epoch_ms(${c.name}) AS ${c.name}` : c.name)).join(', ');
    const viaDuck = await sqlRows(`SELECT ${select} FROM read_parquet('${file}')`);
    const buf = fs.readFileSync(file);
    const viaHyp = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), compressors });
    for (const [reader, rows] of [['DuckDB', viaDuck], ['hyparquet', viaHyp]]) {
      if (rows.length !== expected.length) { ok = false; fail(file, `${reader} read ${rows.length} rows, expected ${expected.length}`); continue; }
      for (let r = 0; r < rows.length && ok; r++) {
        cols.forEach((c, i) => {
          const got = canon(rows[r][c.name], c.type), want = expCanon(expected[r][i], c.type);
          if (got !== want && ok) { ok = false; fail(file, `${reader} row ${r} ${c.name} (${c.type}): got ${JSON.stringify(got)?.slice(0, 80)}, expected ${JSON.stringify(want)?.slice(0, 80)}`); }
        });
      }
    }
    // Metadata as DuckDB sees it.
    const meta = await sqlRows(`SELECT row_group_id, column_id, compression, encodings, stats_null_count, stats_min_value, stats_max_value,
      row_group_num_rows FROM parquet_metadata('${file}') ORDER BY row_group_id, column_id`);
    const codec = { snappy: 'SNAPPY', zstd: 'ZSTD', gzip: 'GZIP', none: 'UNCOMPRESSED' }[head.codec];
    let start = 0;
    for (const m of meta) {
      const c = cols[Number(m.column_id)];
      const n = Number(m.row_group_num_rows);
      const vals = expected.slice(start, start + n).map((row) => row[Number(m.column_id)]);
      if (Number(m.column_id) === cols.length - 1) start += n;
      if (n === 0) { ok = false; fail(file, 'a row group with 0 rows'); }
      if (m.compression !== codec) { ok = false; fail(file, `codec ${m.compression}, expected ${codec}`); }
      const nulls = vals.filter((v) => v === null).length;
      if (Number(m.stats_null_count) !== nulls) { ok = false; fail(file, `${c.name} null_count ${m.stats_null_count}, expected ${nulls}`); }
      if (nulls === n && m.encodings.includes('DICTIONARY')) { ok = false; fail(file, `${c.name}: all-null chunk has a dictionary`); }
      const present = vals.filter((v) => v !== null);
      if (present.length && (c.type === 'INT32' || c.type === 'INT64')) {
        const big = present.map((v) => BigInt(v));
        const lo = big.reduce((a, b) => (b < a ? b : a)), hi = big.reduce((a, b) => (b > a ? b : a));
        if (String(lo) !== String(m.stats_min_value) || String(hi) !== String(m.stats_max_value)) {
          ok = false; fail(file, `${c.name} min/max ${m.stats_min_value}/${m.stats_max_value}, expected ${lo}/${hi}`);
        }
      }
      if (present.length && c.type === 'STRING' && present.every((v) => Buffer.byteLength(v) <= 4096)) {
        const sorted = present.map((v) => Buffer.from(v)).sort(Buffer.compare);
        const lo = sorted[0].toString(), hi = sorted[sorted.length - 1].toString();
        if (lo !== m.stats_min_value || hi !== m.stats_max_value) {
          ok = false; fail(file, `${c.name} string min/max ${JSON.stringify(m.stats_min_value)}/${JSON.stringify(m.stats_max_value)}, expected ${JSON.stringify(lo)}/${JSON.stringify(hi)}`);
        }
      }
    }
    if (expected.length === 0 && meta.length !== 0) { ok = false; fail(file, 'an empty table must have zero row groups'); }
    if (ok) passed++;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
