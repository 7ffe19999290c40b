// Landing files: a batch's records as received, as JSON lines, under
//   <root>/source=<pipeline>/resource=<resource>/dt=YYYY-MM-DD/hour=HH/part-<batch>-NNNN.jsonl
// A big batch is split into parts so that bronze can load one part while the next is fetched. Parts
// are written as .partial and renamed only once the whole batch has been fetched: a landing file that
// exists is complete and can be replayed, and a crash leaves only .partial files, which nothing reads.
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { UsageError } from '../errors.js';
import { readLineChunks } from '../sources/files.js';
import { countLineBreaks, JsonScanError, scanJsonLines, type ScannedLines } from '../sources/json-scan.js';
import { maxCursor } from './cursor.js';
import { FieldProfile } from './drift.js';

export { maxCursor } from './cursor.js';

/**
 * Big enough that an hourly batch is one part, small enough that loading overlaps fetching. Each append
 * has fixed costs (it scans bronze's hashes to skip copies), so 64 MB parts loaded 1M records faster
 * than 8-32 MB ones in bench/ingest.ts, and with less memory.
 */
export const PART_BYTES = 64 * 1024 * 1024;

/** Records already as JSON lines (one per line, as received), with their field profile and newest cursor. */
export interface JsonLinesPage {
  lines: Buffer;
  count: number;
  /** Bytes of the longest record. */
  longestRecord: number;
  profile: FieldProfile;
  newestCursor?: string;
}

/** What a reader yields: records as values, or as JSON lines it has already profiled. */
export type SourcePage = unknown[] | JsonLinesPage;

/** What a batch's records amount to: the facts its commit needs. */
export interface LandedRecords {
  received: number;
  /** An upper bound on the bytes of the longest record. */
  maxRecordBytes: number;
  newestCursor?: string;
  profile: FieldProfile;
}

/** The path of one part of a batch's landing file. */
export function landingPath(root: string, pipeline: string, resource: string, at: Date, batchId: string, part = 1): string {
  const iso = at.toISOString();
  const name = `part-${batchId}-${String(part).padStart(4, '0')}.jsonl`;
  return join(root, `source=${pipeline}`, `resource=${resource}`, `dt=${iso.slice(0, 10)}`, `hour=${iso.slice(11, 13)}`, name);
}

/** Streams pages of records into parts of a landing file, profiling them and tracking the newest cursor. */
export class LandingWriter implements LandedRecords {
  received = 0;
  maxRecordBytes = 0;
  newestCursor?: string;
  readonly profile = new FieldProfile();
  /** True once the pages have ended: the batch is fetched in full. */
  complete = false;
  private readonly parts: string[] = [];
  private out?: WriteStream;
  private partBytes = 0;
  private partRecords = 0;
  private published = false;

  constructor(
    private readonly pathOf: (part: number) => string,
    private readonly cursorField: string | undefined,
    private readonly partLimit = PART_BYTES,
  ) {}

  /** Writes pages into the open part until it is full or the pages end; true when they ended. */
  async fill(pages: AsyncIterator<SourcePage>): Promise<boolean> {
    if (!this.out) await this.openPart();
    while (this.partBytes < this.partLimit) {
      const next = await pages.next();
      if (next.done) return (this.complete = true);
      await this.write(next.value);
    }
    return false;
  }

  /** Closes the open part; returns its .partial path and how many records it holds. */
  async closePart(): Promise<{ file: string; records: number; maxRecordBytes: number } | undefined> {
    const out = this.out;
    if (!out) return undefined;
    this.out = undefined;
    out.end();
    await finished(out);
    return { file: `${this.parts.at(-1)!}.partial`, records: this.partRecords, maxRecordBytes: this.maxRecordBytes };
  }

  /** Gives every part its final name, once the batch is fetched in full. */
  async publish(): Promise<string[]> {
    if (!this.published) {
      await this.closePart();
      for (const part of this.parts) await rename(`${part}.partial`, part);
      this.published = true;
    }
    return [...this.parts];
  }

  /** Removes the parts of a batch that was not fetched in full; published parts stay, for replay. */
  async discard(): Promise<void> {
    if (this.published) return;
    const out = this.out;
    this.out = undefined;
    if (out) {
      // Writes still pending fail with ERR_STREAM_DESTROYED: they are being thrown away, and unheard that
      // error would crash the process. Wait for the file to close, or it could be created after the rm.
      out.on('error', () => undefined).destroy();
      await finished(out).catch(() => undefined);
    }
    for (const part of this.parts) await rm(`${part}.partial`, { force: true });
  }

  private async openPart(): Promise<void> {
    const path = this.pathOf(this.parts.length + 1);
    await mkdir(dirname(path), { recursive: true });
    this.parts.push(path);
    this.out = createWriteStream(`${path}.partial`);
    this.partBytes = 0;
    this.partRecords = 0;
  }

  private async write(page: SourcePage): Promise<void> {
    if ('lines' in page) {
      this.profile.merge(page.profile);
      this.newestCursor = maxCursor(this.newestCursor, page.newestCursor);
      this.maxRecordBytes = Math.max(this.maxRecordBytes, page.longestRecord);
      return this.append(page.lines, page.count);
    }
    // Records as values (the sql and CSV readers, and pages the scanner left to JSON.parse).
    const records = page;
    const field = this.cursorField;
    let chunk = '';
    let longest = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const text = JSON.stringify(record);
      if (text.length > longest) longest = text.length;
      chunk += `${text}\n`;
      this.profile.add(record);
      this.newestCursor = maxCursor(this.newestCursor, cursorOf(record, field));
    }
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    this.maxRecordBytes = Math.max(this.maxRecordBytes, 3 * longest);
    return this.append(chunk, records.length);
  }

  private async append(lines: string | Buffer, records: number): Promise<void> {
    this.received += records;
    this.partRecords += records;
    this.partBytes += lines.length;
    // Back-pressure: memory stays flat however many pages the source has.
    if (!this.out!.write(lines)) await once(this.out!, 'drain');
  }
}

/** A batch's landing files, in order; a usage error when there are none. */
export async function findLandingFiles(root: string, batchId: string, where: { pipeline: string; resource: string }): Promise<string[]> {
  const dir = join(root, `source=${where.pipeline}`, `resource=${where.resource}`);
  const prefix = `part-${batchId}`;
  // part-<batch>.jsonl is how single-file batches were named before batches had parts.
  const isPart = (name: string) => name === `${prefix}.jsonl` || (name.startsWith(`${prefix}-`) && /^-\d{4}\.jsonl$/.test(name.slice(prefix.length)));
  const entries = existsSync(dir) ? await readdir(dir, { recursive: true }) : [];
  const found = entries.filter((entry) => isPart(basename(entry))).sort();
  if (found.length === 0) throw new UsageError(`no landing file ${prefix}-*.jsonl under ${dir}: a batch can be replayed only from the files it was fetched into`);
  return found.map((entry) => join(dir, entry));
}

/**
 * Reads landing files back: their record count, newest cursor and field profile, through the scanner
 * that read the pages, so a replay counts and profiles the records as their first load did (and an id
 * past 2^53 as its digits).
 */
export async function scanLandingFiles(files: string[], cursorField: string | undefined): Promise<LandedRecords> {
  const landed: LandedRecords = { received: 0, maxRecordBytes: 0, profile: new FieldProfile() };
  for (const file of files) {
    for await (const { bytes, linesBefore } of readLineChunks(file, 4 * 1024 * 1024)) {
      let scanned: ScannedLines;
      try {
        scanned = scanJsonLines(bytes, cursorField);
      } catch (e) {
        if (!(e instanceof JsonScanError)) throw e;
        const line = linesBefore + countLineBreaks(bytes.subarray(0, e.offset)) + 1;
        throw new UsageError(`${file}:${line}: not a JSON record (${e.message.replace(/ at byte \d+$/, '')}); a landing file holds one record per line`);
      }
      landed.received += scanned.count;
      landed.maxRecordBytes = Math.max(landed.maxRecordBytes, scanned.longestRecord);
      landed.profile.merge(scanned.profile);
      landed.newestCursor = maxCursor(landed.newestCursor, scanned.newestCursor);
    }
  }
  return landed;
}

/** A parsed record's cursor value as text; undefined when it has none (or null). */
function cursorOf(record: unknown, field: string | undefined): string | undefined {
  if (field === undefined || record === null || typeof record !== 'object') return undefined;
  const value = (record as Record<string, unknown>)[field];
  return value === undefined || value === null ? undefined : String(value);
}


/**
 * Removes the .partial parts that killed or crashed runs of a pipeline left behind. Called at the start
 * of its ingest, when no other run of the pipeline writes (one writer per database), so every .partial
 * part that is not this run's own is dead.
 */
export async function removeStalePartials(root: string, pipeline: string, runId: string): Promise<void> {
  const dir = join(root, `source=${pipeline}`);
  if (!existsSync(dir)) return;
  const own = (name: string) => name.startsWith(`part-${runId}.`) || name.startsWith(`part-${runId}~`);
  for (const entry of await readdir(dir, { recursive: true })) {
    const name = basename(entry);
    if (name.endsWith('.partial') && !own(name)) await rm(join(dir, entry), { force: true });
  }
}
