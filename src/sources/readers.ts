// One reader per source kind, keyed by kind: each turns a resource into pages of records for bronze.
import { isAbsolute, resolve } from 'node:path';
import type { HttpSource, Pipeline, SqlSource } from '../config/types.js';
import { SourceError } from '../errors.js';
import type { ResourceReader } from '../ingest/bronze.js';
import type { Warehouse } from '../warehouse/adapter.js';
import { fetchPages, type FetchOptions } from './http.js';

export interface ReaderContext {
  warehouse: Warehouse;
  projectDir: string;
  http?: FetchOptions;
}

type ReaderFactory<S> = (source: S, resource: string, context: ReaderContext) => ResourceReader;

const READERS: { http: ReaderFactory<HttpSource>; sql: ReaderFactory<SqlSource> } = {
  http: (source, name, context) => {
    const resource = source.resources.find((r) => r.name === name)!;
    const incremental = resource.incremental;
    return {
      resource: name,
      cursorField: incremental?.field,
      since: (stored) => {
        if (!incremental) return undefined;
        if (stored === undefined) return incremental.initial;
        return subtractLag(stored, incremental.lagSeconds);
      },
      pages: async function* (since) {
        for await (const page of fetchPages(source, resource, { ...context.http, since })) yield page.records;
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
        if (source.database.path) {
          if (!warehouse.capabilities.attachReadOnly) {
            throw new SourceError(`${source.database.name}: this warehouse reads shared databases by name; remove database.path`);
          }
          const path = isAbsolute(source.database.path) ? source.database.path : resolve(context.projectDir, source.database.path);
          await warehouse.attachReadOnly(source.database.name, path);
        }
        yield await warehouse.query(resource.query);
      },
    };
  },
};

export function createReader(pipeline: Pipeline, resource: string, context: ReaderContext): ResourceReader {
  const source = pipeline.source;
  return source.kind === 'http' ? READERS.http(source, resource, context) : READERS.sql(source, resource, context);
}

/** A timestamp cursor moves back by the lag; a numeric or other cursor is used as it is. */
function subtractLag(cursor: string, lagSeconds: number): string {
  if (lagSeconds === 0) return cursor;
  const time = Date.parse(cursor);
  if (Number.isNaN(time) || /^\d+(\.\d+)?$/.test(cursor)) return cursor;
  return new Date(time - lagSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}
