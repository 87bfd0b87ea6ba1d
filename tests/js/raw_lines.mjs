// Lists a raw lake's records independently of lakeforge: walks a folder (skipping names that start
// with '.' or '_'), decompresses nothing (tests use plain JSON), splits files into lines and writes
// one JSON object per record: {kind, source, line, text, utf8, empty, bytes, scalars}. Song files that
// hold one multi-line (pretty-printed) object are kept whole, as line 1. `scalars` is a JSON object
// holding, for each top-level member whose value is a number or a boolean, the exact characters
// of that value in the file (V8's JSON.parse source text access, not lakeforge's scanner).
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';

v8.setFlagsFromString('--harmony-json-parse-with-source');

// {"artist_name": 112, "x": {"y": true}} -> '{"artist_name":"112"}'; null when not a JSON object.
export function scalarSources(text) {
  const seen = [];
  let root;
  try {
    root = JSON.parse(text, function (key, value, context) {
      if (context === undefined) throw new Error('this Node.js has no JSON.parse source text access');
      if (typeof value === 'number' || typeof value === 'boolean') seen.push([this, key, context.source]);
      return value;
    });
  } catch (e) {
    if (e instanceof SyntaxError) return null;
    throw e;
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) return null;
  const out = {};
  for (const [holder, key, source] of seen) if (holder === root) out[key] = source;
  return JSON.stringify(out);
}

// File paths as Buffers: file names are bytes, not always UTF-8. A record's `source` is the path
// decoded the WHATWG way (U+FFFD for bad bytes), which is what lakeforge's quarantine shows.
export function walk(root) {
  const rootBuf = Buffer.isBuffer(root) ? root : Buffer.from(root);
  const st = fs.statSync(rootBuf);
  if (!st.isDirectory()) return [rootBuf];
  const out = [];
  for (const name of fs.readdirSync(rootBuf, { encoding: 'buffer' })) {
    if (name[0] === 0x2e || name[0] === 0x5f) continue;  // '.' or '_'
    const p = Buffer.concat([rootBuf, Buffer.from('/'), name]);
    const s = fs.statSync(p);
    if (s.isDirectory()) out.push(...walk(p));
    else if (s.isFile()) out.push(p);
  }
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function rawRecords(kind, root, sink) {
  for (const file of walk(root).sort(Buffer.compare)) {
    const source = file.toString('utf8');
    const bytes = fs.readFileSync(file);
    const text = bytes.toString('latin1');
    if (text.trim() === '') {
      sink({ kind, source, line: 0, text: '', utf8: true, empty: true });
      continue;
    }
    const lines = bytes.toString('binary').split('\n');
    const first = lines.findIndex((l) => l.trim() !== '');
    const pretty = kind === 'song' && lines.length > 1 && lines[first].trim() === '{';
    const records = pretty ? [[first + 1, Buffer.from(text.trim(), 'latin1')]]
                           : lines.map((l, i) => [i + 1, Buffer.from(l.replace(/\r$/, ''), 'latin1')]);
    for (const [line, buf] of records) {
      if (buf.toString('latin1').trim() === '') continue;
      let s = null, utf8 = true;
      try { s = decoder.decode(buf); } catch { utf8 = false; }
      sink({ kind, source, line, text: s, utf8, empty: false, bytes: buf.length, scalars: s === null ? null : scalarSources(s) });
    }
  }
}
