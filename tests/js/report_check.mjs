// Checks a run report against the JSON Schema and against independent counts: files and bytes per
// table counted in the output, rows read back by DuckDB, rejects per reason counted from the
// _rejected/ lines, input files, bytes and log lines counted from the raw lake. With --dom FILE
// (Chromium's --dump-dom of the HTML page) also checks that the page shows the same figures.
// Usage: node report_check.mjs --report RUN.json --output OUT [--songs DIR --logs DIR] [--dom FILE]
import fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { walk } from './raw_lines.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, v, i, a) => (i % 2 === 0 ? acc.concat([[v.replace(/^--/, ''), a[i + 1]]]) : acc), []));
const here = new URL('.', import.meta.url).pathname;
const schema = JSON.parse(fs.readFileSync(`${here}/../../docs/run-report.schema.json`, 'utf8'));
const report = JSON.parse(fs.readFileSync(args.report, 'utf8'));
const problems = [];
const expect = (what, got, want) => { if (String(got) !== String(want)) problems.push(`${what}: report says ${got}, counted ${want}`); };

const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
if (!validate(report)) problems.push('schema: ' + JSON.stringify(validate.errors.slice(0, 3)));

const out = args.output;
const db = await (await DuckDBInstance.create(':memory:')).connect();
const written = { files: 0, bytes: 0 };  // the tables' files, _rejected aside, as counted on disk
for (const t of report.tables) {
  const dir = `${out}/${t.name}`;
  const files = fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter((f) => /\.(parquet|jsonl)$/.test(f)).map((f) => `${dir}/${f}`) : [];
  if (t.name !== '_rejected') {
    written.files += files.length;
    written.bytes += files.reduce((n, f) => n + fs.statSync(f).size, 0);
  }
  expect(`${t.name} files`, t.files, files.length);
  expect(`${t.name} bytes`, t.bytes, files.reduce((n, f) => n + fs.statSync(f).size, 0));
  expect(`${t.name} partitions`, t.partitions, files.length);
  let rows = 0;
  if (t.name === '_rejected') rows = files.reduce((n, f) => n + fs.readFileSync(f, 'utf8').split('\n').filter((l) => l).length, 0);
  else if (files.length) rows = Number((await (await db.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${dir}/**/*.parquet')`)).getRowObjectsJson())[0].n);
  expect(`${t.name} rows`, t.rows, rows);
  const sizes = files.map((f) => fs.statSync(f).size).sort((a, b) => a - b);
  if (sizes.length) {
    expect(`${t.name} partition_bytes.min`, t.partition_bytes.min, sizes[0]);
    expect(`${t.name} partition_bytes.max`, t.partition_bytes.max, sizes[sizes.length - 1]);
    expect(`${t.name} histogram total`, t.partition_bytes_histogram.reduce((n, b) => n + b.count, 0), sizes.length);
  }
}
// Rejects per reason, from the quarantine itself.
const rejFiles = fs.existsSync(`${out}/_rejected`) ? fs.readdirSync(`${out}/_rejected`).filter((f) => f.endsWith('.jsonl')) : [];
const counted = {};
for (const f of rejFiles)
  for (const l of fs.readFileSync(`${out}/_rejected/${f}`, 'utf8').split('\n').filter((x) => x)) {
    const r = JSON.parse(l);
    counted[r.reason] = (counted[r.reason] ?? 0) + 1;
  }
if (report.status === 'succeeded') {
  expect('rejects total', report.rejects.total, Object.values(counted).reduce((a, b) => a + b, 0));
  for (const r of report.rejects.by_reason) expect(`rejects ${r.reason}`, r.count, counted[r.reason] ?? 0);
  for (const reason of Object.keys(counted))
    if (!report.rejects.by_reason.some((r) => r.reason === reason)) problems.push(`report lacks reason ${reason}`);
}
// Input, from the raw lake.
const input = {};
if (args.songs) {
  const songs = walk(args.songs), logs = walk(args.logs);
  const size = (l) => l.reduce((n, f) => n + fs.statSync(f).size, 0);
  input.files = songs.length + logs.length;
  input.bytes = size(songs) + size(logs);
  expect('input song_files', report.input.song_files, songs.length);
  expect('input log_files', report.input.log_files, logs.length);
  expect('input bytes', report.input.bytes, size(songs) + size(logs));
  expect('input prefixes files', report.input.prefixes.reduce((n, p) => n + p.files, 0), songs.length + logs.length);
  const lines = logs.reduce((n, f) => n + fs.readFileSync(f, 'latin1').split('\n').filter((l) => l.replace(/\r$/, '').trim() !== '').length, 0);
  expect('input log_lines', report.input.log_lines, lines);
}
// The timeline. Figures are printed with 6 significant digits, hence the tolerance.
const near = (a, b) => Math.abs(a - b) <= 2e-5 * Math.max(1, Math.abs(a), Math.abs(b));
// How far apart two printed figures can be when the true ones are in order: one unit of the sixth
// significant digit of the larger (1e-5 below 10 s, 1e-4 below 100 s).
const slack = (a, b) => { const m = Math.max(Math.abs(a), Math.abs(b)); return m === 0 ? 0 : Number(`1e${Math.floor(Math.log10(m)) - 5}`) * (1 + 1e-9); };
const stageNamed = (name) => report.stages.find((s) => s.name === name);
report.stages.forEach((s, i) => {
  if (!near(s.end_s, s.start_s + s.seconds)) problems.push(`stage ${s.name}: ends at ${s.end_s} s, starts at ${s.start_s} s and lasts ${s.seconds} s`);
  if (s.start_s < 0 || s.seconds < 0) problems.push(`stage ${s.name}: negative time`);
  // One stage after the other, no gap and no overlap.
  if (i > 0 && !near(s.start_s, report.stages[i - 1].end_s)) problems.push(`stage ${s.name} starts at ${s.start_s} s, the stage before it ends at ${report.stages[i - 1].end_s} s`);
  for (const w of s.workers)
    if (w.start_s > w.end_s || w.start_s < s.start_s - slack(w.start_s, s.start_s) || w.end_s > s.end_s + slack(w.end_s, s.end_s))
      problems.push(`stage ${s.name} worker ${w.worker}: ${w.start_s}–${w.end_s} s, outside the stage's ${s.start_s}–${s.end_s} s`);
});
const last = report.stages[report.stages.length - 1];
if (last && last.end_s > report.seconds + slack(last.end_s, report.seconds)) problems.push(`stages end at ${last.end_s} s, after the run's ${report.seconds} s`);
if (report.ranks === 1 && report.distribution.per_rank.length === 1)
  expect('per-rank stage seconds', report.distribution.per_rank[0].stage_seconds.join(), report.stages.filter((s) => !s.name.startsWith('compact ')).map((s) => s.seconds).join());
// Tasks: one per input file read and one per table file written, counted by the workers.
const tasks = (name) => (stageNamed(name)?.workers ?? []).reduce((n, w) => n + w.tasks, 0);
if (report.ranks === 1 && report.status === 'succeeded' && report.input.song_files !== undefined) {
  const staged = (label) => report.compactions.find((c) => c.label === label)?.outputs;
  const songFiles = report.command === 'run' ? staged('song_data') : report.input.song_files;
  const logFiles = report.command === 'run' ? staged('log_data') : report.input.log_files;
  expect('songs stage tasks (files parsed)', tasks('songs'), songFiles);
  expect('logs stage tasks (files parsed)', tasks('logs'), logFiles);
  expect('write stage tasks (table files written)', tasks('write'), written.files);
}
// Throughput: the run's input bytes and records over its seconds.
const quotient = (what, got, num) => { if (!near(got, num / report.seconds)) problems.push(`${what}: report says ${got}, ${num} / ${report.seconds} s is ${num / report.seconds}`); };
if (report.input.bytes !== undefined) {
  quotient('throughput input_bytes_per_s', report.throughput.input_bytes_per_s, report.input.bytes);
  quotient('throughput records_per_s', report.throughput.records_per_s, report.input.song_records + report.input.log_lines);
}
// Against a clock outside the process (--clock "EPOCH_BEFORE EPOCH_AFTER WALL_SECONDS
// [START_EXIT_SECONDS]"): the run fits inside the process's life, and its seconds are most of it,
// once what the binary takes to start and exit at all (`lakeforge --version`, measured beside it:
// a quarter of a second under AddressSanitizer, more on a loaded machine) is left out.
if (args.clock) {
  const [before, after, wall, startExit = 0] = args.clock.trim().split(/\s+/).map(Number);
  const started = Date.parse(report.started_at) / 1000, ended = Date.parse(report.ended_at) / 1000;
  if (started < Math.floor(before) || ended > after) problems.push(`run ${report.started_at}–${report.ended_at}, outside the clock's ${before}–${after}`);
  if (ended - started > Math.ceil(report.seconds) + 1 || ended - started < Math.floor(report.seconds) - 1) problems.push(`run ${report.started_at}–${report.ended_at}, for ${report.seconds} s`);
  if (report.seconds > wall + 0.01 || report.seconds < wall - startExit - Math.max(0.25, 0.25 * wall))
    problems.push(`seconds: report says ${report.seconds}, the process took ${wall} (${startExit} s of it to start and exit)`);
}
// The page, as a browser built it.
if (args.dom) {
  const dom = fs.readFileSync(args.dom, 'utf8');
  const cell = (table, cls) => {
    const m = new RegExp(`<tr data-table="${table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}">.*?<td class="${cls}">(\\d+)</td>`).exec(dom);
    return m ? m[1] : 'missing';
  };
  for (const t of report.tables) for (const k of ['rows', 'files', 'bytes']) expect(`page ${t.name} ${k}`, cell(t.name, k), t[k]);
  const id = (name) => { const m = new RegExp(`id="${name}">([^<]*)<`).exec(dom); return m ? m[1] : 'missing'; };
  expect('page run id', id('run-id'), report.run_id);
  expect('page rejects', id('rejects-total'), report.rejects.total);
  expect('page rows written', id('rows'), report.tables.filter((t) => t.name !== '_rejected').reduce((n, t) => n + t.rows, 0));
  const exact = (name) => { const m = new RegExp(`data-bytes="(\\d+)" id="${name}"`).exec(dom); return m ? m[1] : 'missing'; };
  // Records and events: the report's own figures, which the oracle checks (oracle.mjs --report).
  expect('page records', id('records'), report.input.song_records + report.input.log_lines);
  expect('page events', id('events'), report.input.events);
  expect('page files written', id('files'), written.files);
  expect('page bytes written', exact('bytes'), written.bytes);
  if (args.songs) {
    expect('page input files', id('input-files'), input.files);
    expect('page input bytes', exact('input-bytes'), input.bytes);
  }
  for (const r of report.rejects.by_reason) if (!dom.includes(`data-reason="${r.reason}"`)) problems.push(`page lacks reason ${r.reason}`);
}
for (const p of problems) console.log('  ' + p);
console.log(problems.length ? 'FAIL report' : 'ok   report');
process.exit(problems.length ? 1 : 0);
