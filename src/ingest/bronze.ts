// Source -> bronze. Records stream into a JSON-lines landing file (which also lets a batch be replayed
// without the source). Bronze rows, the batch record, the advanced cursor and the batch's schema
// profile are written in one transaction: a failed fetch or load leaves bronze and the cursor as they
// were, so the next run resumes. A big batch lands in parts, and each part is appended to bronze (in
// bulk, inside that transaction) while the next one is fetched, so loading overlaps fetching. A record
// that cannot be stored as it came (not UTF-8, or nested too deep) is kept in the landing file and in
// meta.rejected instead: per batch, received = appended + exact copies skipped + rejected.
import { rm, stat } from 'node:fs/promises';
import { bronzeTableName, type Pipeline } from '../config/types.js';
import { inResource, SourceError } from '../errors.js';
import type { ResourceReader } from '../sources/page.js';
import { readCursor, writeCursor } from '../state/meta.js';
import { isTimestampCursor, type TimeWindow } from '../sources/window.js';
import { sqlString, timestampLiteral, type BronzeAppend, type Warehouse } from '../warehouse/adapter.js';
import { Lock, type Turn } from './concurrency.js';
import { stageLandingFiles } from './landing-stage.js';
import { driftDdl, recordSchemaDrift, type SchemaChange } from './drift.js';
import {
  landingPath,
  LandingWriter,
  loadableCopy,
  maxCursor,
  scanLandingFiles,
  type BronzeReject,
  type LandedPart,
  type LandedRecords,
  type SourcePage,
} from './landing.js';

export { findLandingFiles, landingPath, type JsonLinesPage, type SourcePage } from './landing.js';
export type { ResourceReader } from '../sources/page.js';

export interface BronzeBatch {
  batchId: string;
  pipeline: string;
  resource: string;
  table: string;
  /** Every record the source returned. */
  received: number;
  bronzeRows: number;
  /** Records rejected before bronze and written to meta.rejected; the rest of received - bronzeRows were exact copies. */
  rejected: number;
  cursorBefore?: string;
  cursorAfter?: string;
  /** The window of the backfill this batch was fetched for (meta.batches backfill_from, backfill_to). */
  window?: TimeWindow;
  /** The batch's landing file, in one or more parts. */
  landingFiles: string[];
  /** How the batch's record fields differ from the previous batch's (meta.schema_drift). */
  schemaChanges: SchemaChange[];
}

export function bronzeDdl(table: string, warehouse: Warehouse): string {
  return `CREATE TABLE IF NOT EXISTS bronze.${table} (
    _batch_id VARCHAR, _source VARCHAR, _fetched_at ${warehouse.dialect.timestampType}, _record_hash VARCHAR, _record ${warehouse.dialect.jsonType})`;
}

export async function loadBronze(
  warehouse: Warehouse,
  pipeline: Pipeline,
  reader: ResourceReader,
  context: {
    runId: string;
    landingDir: string;
    fetchedAt?: Date;
    partBytes?: number;
    /** Held while this batch uses the warehouse, when other resources load at the same time. */
    warehouseLock?: Lock;
    /** How far back, from this batch's fetch time, bronze is searched for exact copies (all of it when unset). */
    copyWindowSeconds?: number;
    /** A backfill's window (the reader was made for it): recorded with the batch, and the cursor never moves back. */
    window?: TimeWindow;
    /** Told of each page as it arrives, with its record count (progress reports). */
    onPage?: (records: number) => void;
  },
): Promise<BronzeBatch> {
  const fetchedAt = context.fetchedAt ?? new Date();
  const lock = context.warehouseLock ?? new Lock();
  // Even these reads wait for a batch that holds the warehouse: one connection runs one statement at a time.
  const { batchId, cursorBefore } = await lock.with(async () => ({
    batchId: await newBatchId(warehouse, context.runId, pipeline.name, reader.resource),
    cursorBefore: reader.cursorField ? await readCursor(warehouse, pipeline.name, reader.resource) : undefined,
  }));
  const landing = new LandingWriter(
    (part) => landingPath(context.landingDir, pipeline.name, reader.resource, fetchedAt, batchId, part),
    reader.cursorField,
    context.partBytes,
  );
  const pages = countPages(reader.pages(reader.since(cursorBefore))[Symbol.asyncIterator](), context.onPage);
  let turn: Turn | undefined;
  try {
    // The first part is fetched before the transaction opens, so a reader's own setup (ATTACH, DDL)
    // runs outside it: on Snowflake, DDL commits the open transaction.
    let done = await landing.fill(pages);
    // While another resource's batch holds the warehouse, this one goes on fetching into landing parts.
    turn = lock.request();
    const fetched: LandedPart[] = [];
    while (!done && !turn.granted) {
      const part = await landing.closePart();
      if (part && part.records > 0) fetched.push(part);
      done = await landing.fill(pages);
    }
    await turn.ready;
    return await commitBatch(
      warehouse,
      pipeline,
      { batchId, runId: context.runId, resource: reader.resource, fetchedAt, cursorBefore, copyWindowSeconds: context.copyWindowSeconds, window: context.window },
      {
        async produce(append) {
          for (const part of fetched) append(part);
          for (;;) {
            const part = await landing.closePart();
            if (part && part.records > 0) append(part);
            if (done) return;
            done = await landing.fill(pages);
          }
        },
        async finish() {
          const files = await landing.publish();
          // In the transaction: a batch whose files could not be kept in the stage is not committed.
          await stageLandingFiles(warehouse, context.landingDir, files);
          return { files, landed: landing };
        },
      },
      () => reader.commit?.(batchId) ?? Promise.resolve(),
    );
  } catch (e) {
    // A batch fetched in full stays replayable whatever failed after; a partial one is removed.
    if (landing.complete) await landing.publish();
    else await landing.discard();
    await pages.return?.().catch(() => undefined);
    // Which resource failed: a source's message names a URL or a file, not the resource it was for.
    throw e instanceof SourceError ? new SourceError(inResource(reader.resource, e.message), { cause: e }) : e;
  } finally {
    // After the commit, or a failure: the next resource's batch may use the warehouse (or move up in line).
    turn?.release();
  }
}

/** The same pages, each told to `onPage` with its record count as it arrives. */
function countPages(pages: AsyncIterator<SourcePage>, onPage: ((records: number) => void) | undefined): AsyncIterator<SourcePage> {
  if (!onPage) return pages;
  return {
    async next() {
      const next = await pages.next();
      if (!next.done) onPage(Array.isArray(next.value) ? next.value.length : next.value.count);
      return next;
    },
    return: pages.return && ((value?: unknown) => pages.return!(value)),
  };
}

/**
 * Loads a batch again from its landing files, without the source: after a load that failed between
 * the fetch and the commit, or to rebuild bronze. It becomes a new batch of this run; records already
 * in bronze are skipped, so replaying a committed batch (or replaying twice) adds nothing. The cursor
 * moves to the files' newest value if that is past the stored one, as the original load would have.
 */
export async function replayBronze(
  warehouse: Warehouse,
  pipeline: Pipeline,
  reader: Pick<ResourceReader, 'resource' | 'cursorField'>,
  replay: { of: string; landingFiles: string[] },
  context: { runId: string; copyWindowSeconds?: number },
): Promise<BronzeBatch> {
  const batchId = await newBatchId(warehouse, context.runId, pipeline.name, reader.resource);
  const cursorBefore = reader.cursorField ? await readCursor(warehouse, pipeline.name, reader.resource) : undefined;
  const landed = await scanLandingFiles(replay.landingFiles, reader.cursorField);
  // When the records were fetched: the original batch's time if it committed, else the file's.
  const [original] = await warehouse.query<{ fetched_at: string }>(`SELECT fetched_at FROM meta.batches WHERE batch_id = ${sqlString(replay.of)}`);
  const fetchedAt = original ? new Date(original.fetched_at) : (await stat(replay.landingFiles[0])).mtime;
  // DDL outside the transaction: on Snowflake, DDL commits whatever transaction is open.
  await warehouse.execute(`CREATE TABLE IF NOT EXISTS meta.replays (
    batch_id VARCHAR, replay_of VARCHAR, landing_file VARCHAR, replayed_at ${warehouse.dialect.timestampType})`);
  return commitBatch(
    warehouse,
    pipeline,
    // The original fetch time, so the copy check reaches back from it to the batch's own rows.
    { batchId, runId: context.runId, resource: reader.resource, fetchedAt, cursorBefore, copyWindowSeconds: context.copyWindowSeconds },
    {
      async produce(append) {
        for (const part of landed.parts) append(part);
      },
      finish: async () => ({ files: replay.landingFiles, landed }),
    },
    async () => {
      const values = replay.landingFiles.map((f) => `(${[batchId, replay.of, f].map(sqlString).join(', ')}, ${warehouse.dialect.now})`);
      await warehouse.execute(`INSERT INTO meta.replays VALUES ${values.join(', ')}`);
    },
  );
}

interface BatchFacts {
  batchId: string;
  runId: string;
  resource: string;
  fetchedAt: Date;
  cursorBefore?: string;
  copyWindowSeconds?: number;
  window?: TimeWindow;
}

interface BatchRecords {
  /** Hands each landing file (or part) to `append` as soon as it is complete. */
  produce(append: (part: LandedPart) => void): Promise<void>;
  /** After produce: the batch's landing files and what they hold. */
  finish(): Promise<{ files: string[]; landed: LandedRecords }>;
}

/**
 * Bronze rows, the batch record, the cursor and the schema profile in one transaction: all or none.
 * Appends run one after another while `produce` goes on producing the next file.
 */
async function commitBatch(
  warehouse: Warehouse,
  pipeline: Pipeline,
  facts: BatchFacts,
  records: BatchRecords,
  alsoInTransaction: () => Promise<void>,
): Promise<BronzeBatch> {
  const { batchId, fetchedAt, cursorBefore } = facts;
  const table = bronzeTableName(pipeline.name, facts.resource);
  // DDL outside the transaction: on Snowflake, DDL commits whatever transaction is open.
  for (const ddl of driftDdl(warehouse.dialect.timestampType)) await warehouse.execute(ddl);
  return warehouse.transaction(async () => {
    await warehouse.execute(bronzeDdl(table, warehouse));
    // Exact copies of a record already in bronze (e.g. re-read in the cursor's lag window, or
    // repeated on two pages) are not appended again: reruns add nothing. Only the copy window is
    // searched, so the check costs about the recent rows, however big bronze grows.
    let copiesSince = facts.copyWindowSeconds === undefined ? undefined : new Date(fetchedAt.getTime() - facts.copyWindowSeconds * 1000);
    // A record of a backfill's window was first fetched after the window began (nothing is fetched before
    // it exists), so the check reaches back there: a window older than the copy window adds no copies either.
    if (copiesSince && facts.window && facts.window.from < copiesSince) copiesSince = facts.window.from;
    let appended = Promise.resolve(0);
    let rejected = 0;
    let failure: { error: unknown } | undefined;
    const append = (part: LandedPart) => {
      if (failure) throw failure.error;
      const load = { batchId, source: pipeline.source.kind, fetchedAt, maxRecordBytes: part.maxRecordBytes, copiesSince };
      appended = appended.then(async (n) => {
        const rows = await appendPart(warehouse, `bronze.${table}`, part, load);
        rejected += await recordRejects(warehouse, { ...facts, pipeline: pipeline.name, table }, part.rejects);
        return n + rows;
      });
      // Seen now, so a failed append stops the fetch at the next part instead of going unhandled.
      appended.catch((error: unknown) => (failure = { error }));
    };
    try {
      await records.produce(append);
    } finally {
      // Never roll back under a statement that is still running.
      await appended.catch(() => undefined);
    }
    const bronzeRows = await appended;
    const { files, landed } = await records.finish();
    const cursorAfter = facts.window ? cursorAfterBackfill(cursorBefore, landed.newestCursor, facts.window) : maxCursor(cursorBefore, landed.newestCursor);
    const time = (at: Date | undefined) => (at ? timestampLiteral(warehouse.dialect, at) : 'NULL');
    await warehouse.execute(
      `INSERT INTO meta.batches (batch_id, run_id, pipeline, resource, source_kind, fetched_at, received, bronze_rows, cursor_before, cursor_after, rejected, backfill_from, backfill_to)
       VALUES (${[batchId, facts.runId, pipeline.name, facts.resource, pipeline.source.kind].map(sqlString).join(', ')},
        ${time(fetchedAt)}, ${landed.received}, ${bronzeRows},
        ${cursorBefore === undefined ? 'NULL' : sqlString(cursorBefore)}, ${cursorAfter === undefined ? 'NULL' : sqlString(cursorAfter)}, ${rejected},
        ${time(facts.window?.from)}, ${time(facts.window?.to)})`,
    );
    if (cursorAfter !== undefined && cursorAfter !== cursorBefore) {
      await writeCursor(warehouse, pipeline.name, facts.resource, cursorAfter, batchId);
    }
    const schemaChanges = await recordSchemaDrift(warehouse, { batchId, pipeline: pipeline.name, resource: facts.resource }, landed.profile);
    await alsoInTransaction();
    return {
      batchId,
      pipeline: pipeline.name,
      resource: facts.resource,
      table,
      received: landed.received,
      bronzeRows,
      rejected,
      cursorBefore,
      cursorAfter,
      window: facts.window,
      landingFiles: files,
      schemaChanges,
    };
  });
}

/**
 * Where a backfill leaves the cursor: never behind the stored one, and past it only when the window
 * starts at or before it, so that everything from the cursor on was fetched. A window that starts later
 * leaves a gap that the next normal run must still fetch, and with no stored cursor that run starts from
 * `initial`, so in both cases the cursor stays where it is.
 */
export function cursorAfterBackfill(stored: string | undefined, newest: string | undefined, window: TimeWindow): string | undefined {
  if (stored === undefined || !isTimestampCursor(stored) || window.from.getTime() > Date.parse(stored)) return stored;
  return maxCursor(stored, newest);
}

/** Appends a landing part's records to bronze, leaving out its rejected ones; the rows appended. */
async function appendPart(warehouse: Warehouse, table: string, part: LandedPart, load: BronzeAppend): Promise<number> {
  if (part.rejects.length === 0) return warehouse.appendBronze(table, part.file, load);
  if (part.rejects.length >= part.records) return 0;
  const copy = await loadableCopy(part);
  try {
    return await warehouse.appendBronze(table, copy, load);
  } finally {
    await rm(copy, { force: true });
  }
}

/**
 * Writes records rejected before bronze to meta.rejected, under the bronze table's name. A record
 * whose exact copy is there already (the same API page read again in the cursor's lag window, or a
 * replay) is not written twice, as bronze skips exact copies. Returns how many were written.
 */
async function recordRejects(
  warehouse: Warehouse,
  batch: { runId: string; batchId: string; pipeline: string; table: string },
  rejects: BronzeReject[],
): Promise<number> {
  if (rejects.length === 0) return 0;
  const tableName = sqlString(`bronze.${batch.table}`);
  const fresh = new Map(rejects.map((r) => [r.hash, r]));
  const hashes = [...fresh.keys()];
  for (let i = 0; i < hashes.length; i += 500) {
    const seen = await warehouse.query<{ record_hash: string }>(
      `SELECT record_hash FROM meta.rejected WHERE table_name = ${tableName} AND record_hash IN (${hashes.slice(i, i + 500).map(sqlString).join(', ')})`,
    );
    for (const row of seen) fresh.delete(row.record_hash);
  }
  const head = `${[batch.runId, batch.batchId, batch.pipeline].map(sqlString).join(', ')}, ${tableName}`;
  let rows: string[] = [];
  let size = 0;
  const flush = async () => {
    if (rows.length) await warehouse.execute(`INSERT INTO meta.rejected VALUES ${rows.join(', ')}`);
    rows = [];
    size = 0;
  };
  for (const r of fresh.values()) {
    const row = `(${head}, ${sqlString(r.hash)}, NULL, ${sqlString(r.reason)}, ${warehouse.dialect.quote(r.text)}, ${warehouse.dialect.now})`;
    // Statements of a few hundred KB at most, however long the records.
    if (size + row.length > 256 * 1024) await flush();
    rows.push(row);
    size += row.length;
  }
  await flush();
  return fresh.size;
}

/**
 * `<run>.<pipeline>.<resource>`. Silver never builds a batch id twice, so a second load under the same
 * run id (a re-run job that reuses its run id) gets `<run>~2.<pipeline>.<resource>` instead of being skipped.
 */
async function newBatchId(warehouse: Warehouse, runId: string, pipeline: string, resource: string): Promise<string> {
  const taken = new Set(
    (await warehouse.query<{ batch_id: string }>(
      `SELECT batch_id FROM meta.batches WHERE pipeline = ${sqlString(pipeline)} AND resource = ${sqlString(resource)} AND run_id = ${sqlString(runId)}`,
    )).map((r) => r.batch_id),
  );
  for (let n = 1; ; n++) {
    const id = `${n === 1 ? runId : `${runId}~${n}`}.${pipeline}.${resource}`;
    if (!taken.has(id)) return id;
  }
}

/** Pipeline and resource names have no dots, so a batch id splits from the right. */
export function parseBatchId(batchId: string): { run: string; pipeline: string; resource: string } | undefined {
  const match = /^(.+)\.([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)$/.exec(batchId);
  return match ? { run: match[1], pipeline: match[2], resource: match[3] } : undefined;
}
