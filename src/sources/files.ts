// Files dropped into a folder (JSON lines or CSV), found by a glob such as the partitioned layout
// source=<name>/dt=YYYY-MM-DD/hour=HH/part-*.jsonl, read a page of records at a time.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { SourceError } from '../errors.js';
import type { JsonLinesPage } from './page.js';
import { CsvError, CsvParser, type CsvRow } from './csv.js';
import { copyJsonLines, countLineBreaks, JsonScanError } from './json-scan.js';

export type FileFormat = 'jsonl' | 'csv';

/** How much of a JSON lines file makes a page (the last line of a page is completed from the next read). */
const PAGE_BYTES = 1024 * 1024;
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
export async function* readRecords(file: string, label: string, format: FileFormat, delimiter = ','): AsyncGenerator<unknown[] | JsonLinesPage> {
  if (format === 'jsonl') yield* readJsonLines(file, label);
  else yield* readCsv(file, label, delimiter);
}

/**
 * JSON lines through the byte scanner that reads API pages (json-scan.ts): each record lands as its bytes
 * in the file, profiled without being parsed into objects. Blank lines, carriage returns and
 * indentation are dropped. A line that is not UTF-8, or nests too deep, is a rejected record (it keeps
 * its bytes in the landing file and goes to meta.rejected), as in an API page.
 */
async function* readJsonLines(file: string, label: string): AsyncGenerator<JsonLinesPage> {
  for await (const { bytes: text, linesBefore } of readLineChunks(file, PAGE_BYTES)) {
    let scanned: JsonLinesPage;
    try {
      scanned = copyJsonLines(text);
    } catch (e) {
      if (!(e instanceof JsonScanError)) throw e;
      const lineStart = e.offset === 0 ? 0 : text.lastIndexOf('\n', e.offset - 1) + 1;
      const lineEnd = text.indexOf('\n', e.offset);
      const line = text.toString('utf8', lineStart, lineEnd < 0 ? text.length : lineEnd).trim();
      const number = linesBefore + countLineBreaks(text.subarray(0, lineStart)) + 1;
      throw new SourceError(`${label}:${number}: not a JSON value (${e.message.replace(/ at byte \d+$/, '')}): ${line.length > 80 ? `${line.slice(0, 80)}…` : line}`);
    }
    if (scanned.count > 0) yield scanned;
  }
}

/**
 * A file of lines in chunks of about `size` bytes, each cut after a line break (the last may end
 * without one), so a line never spans two; with how many lines came before each, for error messages.
 * A byte order mark at the start of the file is not part of its first line.
 */
export async function* readLineChunks(file: string, size: number): AsyncGenerator<{ bytes: Buffer; linesBefore: number }> {
  let rest: Buffer = Buffer.alloc(0);
  let linesBefore = 0;
  let first = true;
  for await (const chunk of createReadStream(file, { highWaterMark: size }) as AsyncIterable<Buffer>) {
    let data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    if (first && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
    first = false;
    const cut = data.lastIndexOf('\n') + 1;
    if (cut > 0) {
      const bytes = data.subarray(0, cut);
      yield { bytes, linesBefore };
      linesBefore += countLineBreaks(bytes);
    }
    rest = data.subarray(cut);
  }
  if (rest.length) yield { bytes: rest, linesBefore };
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
