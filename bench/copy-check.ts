// The cost of bronze's copy check as bronze grows: one append of a new part to a bronze table that
// already holds a year of hourly loads, with the copy window (dataops.yml bronze.copy_window, 30 days
// by default) and without it (every row of bronze searched), against the same append to an empty table.
// DuckDB, through the engine's own appendBronze, in one process.
//
//   npm run bench:copy-check -- [--old-rows 20000000] [--part-records 200000] [--repeat 3]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bronzeDdl } from '../src/ingest/bronze.js';
import { DEFAULT_COPY_WINDOW } from '../src/engine.js';
import { parseDuration } from '../src/config/pipeline.js';
import { DuckDBWarehouse } from '../src/warehouse/duckdb.js';
import type { BronzeAppend } from '../src/warehouse/adapter.js';
import { flag } from './flags.js';

const oldRows = Number(flag('old-rows', '20000000'));
const partRecords = Number(flag('part-records', '200000'));
const repeat = Number(flag('repeat', '3'));
const windowSeconds = parseDuration(DEFAULT_COPY_WINDOW);
const now = new Date(Date.UTC(2026, 10, 23));
const dir = await mkdtemp(join(tmpdir(), 'dataops-copy-check-'));
try {
  // The new part: click events of about 185 bytes, none of them in bronze yet.
  const part = join(dir, 'part.jsonl');
  let lines = '';
  for (let i = 0; i < partRecords; i++) lines += `${JSON.stringify({ id: oldRows + i + 1, ts: new Date(now.getTime() + i).toISOString(), kind: 'page_view', path: `/products/${i % 5000}`, amount: (i % 10_000) / 100, tags: ['new', 'promo'] })}\n`;
  await writeFile(part, lines);

  const warehouse = await DuckDBWarehouse.open(join(dir, 'bench.duckdb'));
  for (const table of ['empty', 'year']) await warehouse.execute(bronzeDdl(table, warehouse).replace(`bronze.${table}`, table));
  // A year of hourly batches before `now`, in fetch order, as the hourly runs would have left them.
  const perHour = Math.ceil(oldRows / (365 * 24));
  let started = performance.now();
  await warehouse.execute(
    `INSERT INTO year SELECT 'old', 'http', TIMESTAMP '${now.toISOString().slice(0, 10)}' - INTERVAL 365 DAY + (i // ${perHour}) * INTERVAL 1 HOUR,
       md5(i::VARCHAR), ('{"id":' || i || '}')::JSON FROM range(${oldRows}) t(i)`,
  );
  await warehouse.execute('CHECKPOINT');
  const buildSeconds = (performance.now() - started) / 1000;

  const append = async (table: string, copiesSince?: Date) => {
    const batch: BronzeAppend = { batchId: 'new', source: 'http', fetchedAt: now, copiesSince };
    // Rolled back, so every round appends to the same table.
    await warehouse.execute('BEGIN TRANSACTION');
    started = performance.now();
    const rows = await warehouse.appendBronze(table, part, batch);
    const seconds = (performance.now() - started) / 1000;
    await warehouse.execute('ROLLBACK');
    if (rows !== partRecords) throw new Error(`appended ${rows} of ${partRecords}`);
    return seconds;
  };
  const since = new Date(now.getTime() - windowSeconds * 1000);
  const runs = { empty: [] as number[], window: [] as number[], all: [] as number[] };
  for (let r = 0; r < repeat; r++) {
    runs.empty.push(await append('empty', since));
    runs.window.push(await append('year', since));
    runs.all.push(await append('year'));
  }
  await warehouse.close();
  const best = (xs: number[]) => Math.min(...xs);
  const fmt = (n: number) => n.toFixed(2);
  console.log(`bronze with ${oldRows.toLocaleString('en-US')} rows over a year (built in ${fmt(buildSeconds)} s); a new part of ${partRecords.toLocaleString('en-US')} records; best of ${repeat}

| append to | seconds | vs the empty table |
|---|---:|---:|
| an empty bronze table | ${fmt(best(runs.empty))} | 1.00x |
| a year of bronze, copy window ${DEFAULT_COPY_WINDOW} (the default) | ${fmt(best(runs.window))} | ${fmt(best(runs.window) / best(runs.empty))}x |
| a year of bronze, no window (all of bronze searched) | ${fmt(best(runs.all))} | ${fmt(best(runs.all) / best(runs.empty))}x |

All runs (s): empty ${runs.empty.map(fmt).join(', ')}; window ${runs.window.map(fmt).join(', ')}; all ${runs.all.map(fmt).join(', ')}.`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
