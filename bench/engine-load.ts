// One engine load in a fresh process: a one-resource HTTP pipeline over /v1/bench/events into bronze
// on a new DuckDB file, through the engine's own ingest path (createReader + loadBronze, as
// `dataops run --step ingest` does). Prints the timing, a timeline of the load's phases, and the
// process's peak RSS.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadProject } from '../src/project.js';
import { loadBronze } from '../src/ingest/bronze.js';
import { LandingWriter } from '../src/ingest/landing.js';
import { createReader } from '../src/sources/readers.js';
import { ensureMetaSchema } from '../src/state/meta.js';
import type { Warehouse } from '../src/warehouse/adapter.js';
import { DuckDBWarehouse } from '../src/warehouse/duckdb.js';
import { flag, hasFlag } from './flags.js';

const dir = flag('dir', '');
const records = Number(flag('records', '1000000'));
const limit = Number(flag('limit', '10000'));
const memoryLimit = flag('memory-limit', '');
const partMB = flag('part-mb', '');
await mkdir(join(dir, 'pipelines'), { recursive: true });
await writeFile(
  join(dir, 'pipelines/bench.yml'),
  `name: bench
source:
  kind: http
  base_url: { env: BENCH_API_URL }
  auth: { kind: bearer, token: { env: BENCH_API_TOKEN } }
  resources:
    events:
      path: /v1/bench/events
      params: { total: ${records} }
      records: data
      paginate: { kind: cursor, cursor: next_cursor, param: cursor, limit: ${limit} }
silver:
  events: { from: events, key: [event_id], columns: { event_id: { path: id, type: integer } } }
`,
);
const [pipeline] = (await loadProject(dir, { BENCH_API_URL: flag('url', ''), BENCH_API_TOKEN: flag('token', 'bench-token') })).pipelines;

// --landing-only: the engine's own memory, without DuckDB. The same reader streams the same pages into
// landing parts, and nothing is loaded.
if (hasFlag('landing-only')) {
  const reader = createReader(pipeline, 'events', { warehouse: undefined as unknown as Warehouse, projectDir: dir });
  const started = performance.now();
  const landing = new LandingWriter((part) => join(dir, 'landing', `part-${part}.jsonl`), reader.cursorField);
  const pages = reader.pages(undefined)[Symbol.asyncIterator]();
  while (!(await landing.fill(pages))) await landing.closePart();
  await landing.publish();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ seconds, received: landing.received, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
  process.exit(0);
}

// Loaded before the clock starts, as the ceiling loads it: the engine imports DuckDB lazily (so the
// actions' bundles need not carry it), and that one-time import is not part of a load.
await import('@duckdb/node-api');
const started = performance.now();
const cpuStarted = process.cpuUsage();
const timeline: Array<[string, number]> = [];
const mark = (event: string) => timeline.push([event, Math.round(performance.now() - started)]);
const warehouse = await DuckDBWarehouse.open(join(dir, 'bench.duckdb'));
if (memoryLimit) await warehouse.execute(`SET memory_limit = '${memoryLimit}'`);
// --set 'preserve_insertion_order=false;threads=1': DuckDB settings to try, separated by semicolons.
for (const setting of flag('set', '').split(';').filter(Boolean)) await warehouse.execute(`SET ${setting}`);
await ensureMetaSchema(warehouse);
const reader = createReader(pipeline, 'events', { warehouse, projectDir: dir });
// The batch's COMMIT, on the timeline: DuckDB writes what the appends left in memory then.
const execute = warehouse.execute.bind(warehouse);
warehouse.execute = async (sql: string) => {
  if (sql === 'COMMIT') mark('commit starts');
  return execute(sql);
};
const traced: Warehouse = new Proxy(warehouse, {
  get(target, key, receiver) {
    if (key !== 'appendBronze') return Reflect.get(target, key, receiver);
    return async (...args: Parameters<Warehouse['appendBronze']>) => {
      mark('append starts');
      const rows = await target.appendBronze(...args);
      mark('append ends');
      return rows;
    };
  },
});
const batch = await loadBronze(
  traced,
  pipeline,
  { ...reader, pages: async function* (since) { yield* reader.pages(since); mark('fetch ends'); } },
  { runId: 'bench', landingDir: join(dir, 'landing'), partBytes: partMB ? Number(partMB) * 1024 * 1024 : undefined },
);
mark('committed');
// With --duckdb-memory: what DuckDB itself holds, by tag, at the end of the load.
if (process.argv.includes('--duckdb-memory')) {
  const rows = await warehouse.query<{ tag: string; mb: number }>(`SELECT tag, round(memory_usage_bytes / 1e6) AS mb FROM duckdb_memory() WHERE memory_usage_bytes > 1e6 ORDER BY 2 DESC`);
  process.stderr.write(`duckdb_memory(): ${rows.map((r) => `${r.tag} ${r.mb} MB`).join(', ')}; rss ${Math.round(process.memoryUsage().rss / 1e6)} MB, heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB\n`);
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
await warehouse.close();
mark('closed');
const closeSeconds = (performance.now() - started) / 1000 - seconds;
const bytes = (await Promise.all(batch.landingFiles.map((f) => stat(f)))).reduce((sum, s) => sum + s.size, 0);
process.stdout.write(
  `${JSON.stringify({ seconds, cpuSeconds, closeSeconds, received: batch.received, bronzeRows: batch.bronzeRows, bytes, parts: batch.landingFiles.length, timeline, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
);

