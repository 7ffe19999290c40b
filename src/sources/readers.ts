// One reader per source kind, keyed by kind: each turns a resource into pages of records for bronze.
import { isAbsolute, join, resolve } from 'node:path';
import type { Pipeline, Source } from '../config/types.js';
import { SourceError } from '../errors.js';
import type { ResourceReader } from './page.js';
import { sqlString, type Warehouse } from '../warehouse/adapter.js';
import { fileChecksum, formatOf, listFiles, readRecords } from './files.js';
import { fetchPages, type FetchOptions } from './http.js';
import { formatBound, isTimestampCursor, windowDays, type TimeWindow } from './window.js';
import type { LogFields } from '../log.js';

export interface ReaderContext {
  warehouse: Warehouse;
  projectDir: string;
  http?: FetchOptions;
  /**
   * A backfill's window: an incremental HTTP resource is asked for it instead of for what follows its
   * cursor, and a files resource reads the window's dt= partitions again; the others read everything.
   */
  window?: TimeWindow;
}

type ReaderFactory<S extends Source> = (source: S, resource: string, context: ReaderContext & { pipeline: string }) => ResourceReader;

const READERS: { [K in Source['kind']]: ReaderFactory<Extract<Source, { kind: K }>> } = {
  http: (source, name, context) => {
    const resource = source.resources.find((r) => r.name === name)!;
    const incremental = resource.incremental;
    return {
      resource: name,
      cursorField: incremental?.field,
      since: (stored) => {
        if (!incremental) return undefined;
        if (context.window) {
          if (stored !== undefined && !isTimestampCursor(stored)) {
            throw new SourceError(`cannot backfill by date: the stored cursor of ${incremental.field} is ${JSON.stringify(stored)}, not a time`);
          }
          return formatBound(context.window.from);
        }
        if (stored === undefined) return incremental.initial;
        return subtractLag(stored, incremental.lagSeconds);
      },
      pages: async function* (since) {
        const log = context.http?.log;
        const until = context.window && incremental?.until_param ? formatBound(context.window.to) : undefined;
        const http = { ...context.http, since, until, log: log && ((line: string, fields?: LogFields) => log(`${context.pipeline}.${name}: ${line}`, fields)) };
        for await (const page of fetchPages(source, resource, http)) yield page.records;
      },
    };
  },
  sql: (source, name, context) => {
    const resource = source.resources.find((r) => r.name === name)!;
    return {
      resource: name,
      since: () => undefined,
      pages: async function* () {
        const { warehouse } = context;
        // On Snowflake the share is a database read by its name; `path` is the local stand-in only.
        if (source.database.path && warehouse.capabilities.attachReadOnly) {
          const path = isAbsolute(source.database.path) ? source.database.path : resolve(context.projectDir, source.database.path);
          await warehouse.attachReadOnly(source.database.name, path);
        }
        yield await warehouse.query(resource.query);
      },
    };
  },
  // Each file is loaded once: meta.loaded_files keeps (path, checksum), written in the batch's
  // transaction. A file rewritten with new content is read again; its records already in bronze are skipped.
  // A backfill reads the files of its window's dt= partitions again, loaded or not.
  files: (source, name, context) => {
    const resource = source.resources.find((r) => r.name === name)!;
    const root = isAbsolute(source.path) ? source.path : resolve(context.projectDir, source.path);
    const { warehouse } = context;
    const days = context.window && new Set(windowDays(context.window));
    const scope = `pipeline = ${sqlString(context.pipeline)} AND resource = ${sqlString(name)}`;
    const read: Array<{ path: string; checksum: string; records: number }> = [];
    return {
      resource: name,
      since: () => undefined,
      pages: async function* () {
        // Before the batch's transaction: on Snowflake, DDL would commit it.
        await warehouse.execute(`CREATE TABLE IF NOT EXISTS meta.loaded_files (
          pipeline VARCHAR, resource VARCHAR, path VARCHAR, checksum VARCHAR, records BIGINT, batch_id VARCHAR, loaded_at ${warehouse.dialect.timestampType})`);
        const rows = await warehouse.query<{ path: string; checksum: string }>(`SELECT path, checksum FROM meta.loaded_files WHERE ${scope}`);
        const loaded = new Set(rows.map((r) => `${r.path}\n${r.checksum}`));
        for (const path of await listFiles(root, resource.files)) {
          if (days && !days.has(partitionDay(path) ?? '')) continue;
          const file = join(root, path);
          const checksum = await fileChecksum(file);
          if (!days && loaded.has(`${path}\n${checksum}`)) continue;
          let records = 0;
          for await (const page of readRecords(file, path, formatOf(path, resource.format), resource.delimiter)) {
            records += Array.isArray(page) ? page.length : page.count;
            yield page;
          }
          read.push({ path, checksum, records });
        }
      },
      commit: async (batchId) => {
        if (read.length === 0) return;
        const values = read.map((f) =>
          `(${[context.pipeline, name, f.path, f.checksum].map(sqlString).join(', ')}, ${f.records}, ${sqlString(batchId)}, ${warehouse.dialect.now})`);
        await warehouse.execute(`INSERT INTO meta.loaded_files VALUES ${values.join(', ')}`);
      },
    };
  },
};

export function createReader(pipeline: Pipeline, resource: string, context: ReaderContext): ResourceReader {
  const factory = READERS[pipeline.source.kind] as ReaderFactory<Source> | undefined;
  if (!factory) throw new SourceError(`unknown source kind "${pipeline.source.kind}" (expected one of: ${Object.keys(READERS).join(', ')})`);
  return factory(pipeline.source, resource, { ...context, pipeline: pipeline.name });
}

/** The day of a file's dt=YYYY-MM-DD partition, if its path has one. */
export function partitionDay(path: string): string | undefined {
  return /(?:^|\/)dt=(\d{4}-\d{2}-\d{2})(?:\/|$)/.exec(path)?.[1];
}

/** A timestamp cursor moves back by the lag; a numeric or other cursor is used as it is. */
function subtractLag(cursor: string, lagSeconds: number): string {
  if (lagSeconds === 0) return cursor;
  const time = Date.parse(cursor);
  if (Number.isNaN(time) || /^\d+(\.\d+)?$/.test(cursor)) return cursor;
  return new Date(time - lagSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}
