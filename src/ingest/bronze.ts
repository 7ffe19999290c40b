// Source -> bronze. Records are streamed to a JSON-lines landing file (which also lets a batch be
// replayed without the API), then appended to bronze in one bulk statement, together with the batch
// record and the advanced cursor, in one transaction: a failed fetch or load leaves bronze and the
// cursor as they were, so the next run resumes.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { bronzeTableName, type Pipeline } from '../config/types.js';
import { readCursor, writeCursor } from '../state/meta.js';
import { sqlString, type Warehouse } from '../warehouse/adapter.js';

export interface BronzeBatch {
  batchId: string;
  pipeline: string;
  resource: string;
  table: string;
  received: number;
  bronzeRows: number;
  cursorBefore?: string;
  cursorAfter?: string;
  landingFile: string;
}

export interface ResourceReader {
  resource: string;
  /** Field whose greatest value becomes the next cursor, if incremental. */
  cursorField?: string;
  /** Yields pages of records; `since` is the stored cursor (already lagged by the caller's source). */
  pages(since: string | undefined): AsyncIterable<unknown[]>;
  /** Turns the stored cursor into the value to ask the source for (cursor minus lag, or the initial value). */
  since(stored: string | undefined): string | undefined;
}

export function bronzeDdl(table: string, warehouse: Warehouse): string {
  return `CREATE TABLE IF NOT EXISTS bronze.${table} (
    _batch_id VARCHAR, _source VARCHAR, _fetched_at ${warehouse.dialect.timestampType}, _record_hash VARCHAR, _record JSON)`;
}

export async function loadBronze(
  warehouse: Warehouse,
  pipeline: Pipeline,
  reader: ResourceReader,
  context: { runId: string; landingDir: string; fetchedAt?: Date },
): Promise<BronzeBatch> {
  const fetchedAt = context.fetchedAt ?? new Date();
  const table = bronzeTableName(pipeline.name, reader.resource);
  const batchId = `${context.runId}.${pipeline.name}.${reader.resource}`;
  const cursorBefore = reader.cursorField ? await readCursor(warehouse, pipeline.name, reader.resource) : undefined;
  const landingFile = landingPath(context.landingDir, pipeline.name, reader.resource, fetchedAt, batchId);

  const { received, newestCursor } = await writeLandingFile(landingFile, reader.pages(reader.since(cursorBefore)), reader.cursorField);
  const cursorAfter = maxCursor(cursorBefore, newestCursor);

  const bronzeRows = await warehouse.transaction(async () => {
    await warehouse.execute(bronzeDdl(table, warehouse));
    // Exact copies of a record already in bronze (e.g. re-read in the cursor's lag window, or
    // repeated on two pages) are not appended again: reruns add nothing.
    const appended = received === 0 ? 0 : await warehouse.appendBronze(`bronze.${table}`, landingFile, {
      batchId,
      source: pipeline.source.kind,
      fetchedAt,
    });
    await warehouse.execute(
      `INSERT INTO meta.batches VALUES (${[batchId, context.runId, pipeline.name, reader.resource, pipeline.source.kind].map(sqlString).join(', ')},
        ${sqlString(fetchedAt.toISOString())}::${warehouse.dialect.timestampType}, ${received}, ${appended},
        ${cursorBefore === undefined ? 'NULL' : sqlString(cursorBefore)}, ${cursorAfter === undefined ? 'NULL' : sqlString(cursorAfter)})`,
    );
    if (cursorAfter !== undefined && cursorAfter !== cursorBefore) {
      await writeCursor(warehouse, pipeline.name, reader.resource, cursorAfter, batchId);
    }
    return appended;
  });
  return { batchId, pipeline: pipeline.name, resource: reader.resource, table, received, bronzeRows, cursorBefore, cursorAfter, landingFile };
}

/** source=<name>/dt=YYYY-MM-DD/hour=HH/part-<batch>.jsonl, the layout the files source reads too. */
export function landingPath(root: string, pipeline: string, resource: string, at: Date, batchId: string): string {
  const iso = at.toISOString();
  return join(root, `source=${pipeline}`, `resource=${resource}`, `dt=${iso.slice(0, 10)}`, `hour=${iso.slice(11, 13)}`, `part-${batchId}.jsonl`);
}

async function writeLandingFile(
  file: string,
  pages: AsyncIterable<unknown[]>,
  cursorField: string | undefined,
): Promise<{ received: number; newestCursor?: string }> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  let received = 0;
  let newestCursor: string | undefined;
  try {
    for await (const records of pages) {
      let chunk = '';
      for (const record of records) {
        chunk += `${JSON.stringify(record)}\n`;
        received++;
        if (cursorField && record && typeof record === 'object') {
          const value = (record as Record<string, unknown>)[cursorField];
          if (value !== undefined && value !== null) newestCursor = maxCursor(newestCursor, String(value));
        }
      }
      // Respect back-pressure: memory stays flat however many pages the source has.
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    out.end();
    await finished(out);
    await rename(partial, file);
  } catch (e) {
    out.destroy();
    await rm(partial, { force: true });
    throw e;
  }
  return { received, newestCursor };
}

/** Cursors are ISO timestamps or numbers; compare numbers as numbers, everything else as text. */
function maxCursor(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return nb > na ? b : a;
  return b > a ? b : a;
}
