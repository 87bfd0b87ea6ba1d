// Runs SQL statements with DuckDB and prints the last result as JSON lines (one object per row).
// Usage: node query.mjs "<sql>" ["<sql>" ...]      (used by tests, benchmarks and the demo)
import { DuckDBInstance } from '@duckdb/node-api';

const statements = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
let rows = [];
for (const sql of statements) {
  const reader = await conn.runAndReadAll(sql);
  rows = reader.getRowObjectsJson();
}
for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
