// Files dropped into a folder (JSON lines or CSV), found by a glob such as the partitioned layout
// source=<name>/dt=YYYY-MM-DD/hour=HH/part-*.jsonl, read a page of records at a time.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { SourceError } from '../errors.js';
import type { RecordPage } from '../ingest/landing.js';
import { CsvError, CsvParser, type CsvRow } from './csv.js';

export type FileFormat = 'jsonl' | 'csv';

const PAGE_RECORDS = 5_000;
const EXTENSIONS: Record<string, FileFormat> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv' };

/** `*` and `?` stay within one folder, `**` spans folders, `{a,b}` is either; everything else is literal. */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  let inBraces = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      // "**/" matches zero or more folders; a trailing "**" anything below.
      out += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{' && !inBraces) {
      inBraces = true;
      out += '(?:';
    } else if (c === '}' && inBraces) {
      inBraces = false;
      out += ')';
    } else if (c === ',' && inBraces) out += '|';
    else out += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  if (inBraces) throw new SourceError(`glob ${JSON.stringify(pattern)} has a "{" without its "}"`);
  return new RegExp(`^${out}$`);
}

/** Files under root whose path relative to it (with "/") matches the glob, sorted, so partitions load in time order. */
export async function listFiles(root: string, pattern: string): Promise<string[]> {
  const match = globToRegExp(pattern);
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (e) {
    throw new SourceError(`cannot read the folder ${root}: ${(e as Error).message}`);
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1).split(sep).join('/'))
    .filter((path) => match.test(path))
    .sort();
}

export async function fileChecksum(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function formatOf(path: string, forced: FileFormat | undefined): FileFormat {
  if (forced) return forced;
  const ext = /\.[^./]+$/.exec(path)?.[0].toLowerCase() ?? '';
  const format = EXTENSIONS[ext];
  if (!format) throw new SourceError(`${path}: cannot tell the format from "${ext || '(no extension)'}"; set format: jsonl or csv on the resource`);
  return format;
}

/** The file's records, a page at a time; a line that is not JSON, or a CSV row of the wrong width, names file:line. */
export async function* readRecords(file: string, label: string, format: FileFormat, delimiter = ','): AsyncGenerator<RecordPage> {
  if (format === 'jsonl') yield* readJsonLines(file, label);
  else for await (const records of readCsv(file, label, delimiter)) yield { records };
}

/** Each line's text goes to the landing file as it was in the file: it is already one JSON record. */
async function* readJsonLines(file: string, label: string): AsyncGenerator<RecordPage> {
  let page: RecordPage = { records: [], texts: [] };
  let line = 0;
  for await (const raw of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    line++;
    const text = raw.trim();
    if (text === '') continue;
    try {
      page.records.push(JSON.parse(text));
    } catch (e) {
      throw new SourceError(`${label}:${line}: not a JSON value (${(e as Error).message}): ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`);
    }
    page.texts!.push(text);
    if (page.records.length === PAGE_RECORDS) {
      yield page;
      page = { records: [], texts: [] };
    }
  }
  if (page.records.length) yield page;
}

/** One object per row, keyed by the header row's names; every value is text (silver types it) or null. */
async function* readCsv(file: string, label: string, delimiter: string): AsyncGenerator<unknown[]> {
  const parser = new CsvParser(delimiter);
  let header: string[] | undefined;
  const toRecords = (rows: CsvRow[]): unknown[] => {
    const out: unknown[] = [];
    for (const row of rows) {
      if (!header) {
        header = row.fields.map((f, i) => f ?? `column_${i + 1}`);
        continue;
      }
      if (row.fields.length !== header.length) {
        throw new SourceError(`${label}:${row.line}: expected ${header.length} fields (as in the header), got ${row.fields.length}`);
      }
      const record: Record<string, string | null> = {};
      header.forEach((name, i) => (record[name] = row.fields[i]));
      out.push(record);
    }
    return out;
  };
  try {
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      const records = toRecords(parser.push(chunk as string));
      if (records.length) yield records;
    }
    const last = toRecords(parser.end());
    if (last.length) yield last;
  } catch (e) {
    if (e instanceof CsvError) throw new SourceError(`${label}: ${e.message}`);
    throw e;
  }
}
