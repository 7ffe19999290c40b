// The ceiling, in a fresh process: the same pages fetched into memory (no parsing beyond finding the
// next cursor), plus DuckDB's read_ndjson of the same record bytes into a table of a new database file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { flag } from './flags.js';

const url = flag('url', '');
const records = Number(flag('records', '1000000'));
const limit = Number(flag('limit', '10000'));
const dir = flag('dir', '');
const headers = { authorization: `Bearer ${flag('token', 'bench-token')}`, accept: 'application/json' };

const pages: Buffer[] = [];
let cursor: string | null = null;
const fetchStarted = performance.now();
let cpu = process.cpuUsage();
do {
  const page = new URL('/v1/bench/events', url);
  page.searchParams.set('total', String(records));
  page.searchParams.set('limit', String(limit));
  if (cursor) page.searchParams.set('cursor', cursor);
  const body = Buffer.from(await (await fetch(page, { headers })).arrayBuffer());
  pages.push(body);
  // The cursor sits at the end of the body: read it from the tail rather than parse the page.
  const tail = body.subarray(Math.max(0, body.length - 64)).toString();
  cursor = /"next_cursor":"([^"]+)"\}$/.exec(tail)?.[1] ?? null;
} while (cursor);
const fetchSeconds = (performance.now() - fetchStarted) / 1000;
let cpuSeconds = seconds(process.cpuUsage(cpu));
const pageBytes = pages.reduce((sum, p) => sum + p.length, 0);

// Not timed: the records as JSON lines, the bytes read_ndjson gets.
const file = join(dir, 'records.jsonl');
let ndjson = '';
for (const page of pages) for (const record of (JSON.parse(page.toString()) as { data: unknown[] }).data) ndjson += `${JSON.stringify(record)}\n`;
pages.length = 0;
await writeFile(file, ndjson);

const instance = await DuckDBInstance.create(join(dir, 'ceiling.duckdb'));
const connection = await instance.connect();
const readStarted = performance.now();
cpu = process.cpuUsage();
await connection.run(`CREATE TABLE events AS SELECT * FROM read_ndjson('${file}')`);
const readSeconds = (performance.now() - readStarted) / 1000;
cpuSeconds += seconds(process.cpuUsage(cpu));
const rows = Number((await connection.runAndReadAll('SELECT COUNT(*) FROM events')).getRows()[0][0]);
connection.closeSync();
instance.closeSync();
process.stdout.write(`${JSON.stringify({ fetchSeconds, readSeconds, seconds: fetchSeconds + readSeconds, cpuSeconds, rows, pageBytes, recordBytes: Buffer.byteLength(ndjson), maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);

function seconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}
