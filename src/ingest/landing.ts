// Landing files: a batch's records as received, as JSON lines, under
//   <root>/source=<pipeline>/resource=<resource>/dt=YYYY-MM-DD/hour=HH/part-<batch>-NNNN.jsonl
// A big batch is split into parts so that bronze can load one part while the next is fetched. Parts
// are written as .partial and renamed only once the whole batch has been fetched: a landing file that
// exists is complete and can be replayed, and a crash leaves only .partial files, which nothing reads.
// A record rejected before bronze (not UTF-8, or nested too deep) stays in its landing file with its
// exact bytes; only a copy without it is appended (loadableCopy), so a replay rejects it again.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { UsageError } from '../errors.js';
import { readLineChunks } from '../sources/files.js';
import { countLineBreaks, JsonScanError, scanJsonLines, type RejectedRecord, type RejectReason, type ScannedLines } from '../sources/json-scan.js';
import { maxCursor } from '../sources/cursor.js';
import type { JsonLinesPage, SourcePage } from '../sources/page.js';
import { FieldProfile } from '../sources/profile.js';

export { maxCursor } from '../sources/cursor.js';
export type { JsonLinesPage, SourcePage } from '../sources/page.js';

/**
 * Big enough that an hourly batch is one part, small enough that loading overlaps fetching. Each append
 * has fixed costs (it scans bronze's hashes to skip copies), so 64 MB parts loaded 1M records faster
 * than 8-32 MB ones in bench/ingest.ts, and with less memory.
 */
export const PART_BYTES = 64 * 1024 * 1024;

/** How much of a rejected record's text meta.rejected keeps; the landing file keeps all of it. */
export const REJECTED_TEXT_CHARS = 64 * 1024;

/** A record kept in its landing file but not appended to bronze; meta.rejected gets it with its reason. */
export interface BronzeReject {
  /** 0-based among the records of its landing file (one per line). */
  index: number;
  reason: RejectReason;
  /** MD5 of the record's bytes as its landing line holds them (as _record_hash is of a loaded record). */
  hash: string;
  /** The record as text, bytes that are not UTF-8 shown as U+FFFD; cut after REJECTED_TEXT_CHARS. */
  text: string;
}

/** A landing file, or a part of one, to append to bronze: all its records, and those not to load. */
export interface LandedPart {
  file: string;
  records: number;
  maxRecordBytes: number;
  rejects: BronzeReject[];
}

/** What a batch's records amount to: the facts its commit needs. */
export interface LandedRecords {
  /** Every record, rejected ones included. */
  received: number;
  /** Records rejected before bronze (each in meta.rejected, unless an exact copy is there already). */
  rejected: number;
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
  rejected = 0;
  maxRecordBytes = 0;
  newestCursor?: string;
  readonly profile = new FieldProfile();
  /** True once the pages have ended: the batch is fetched in full. */
  complete = false;
  private readonly parts: string[] = [];
  private out?: WriteStream;
  private partBytes = 0;
  private partRecords = 0;
  private partRejects: BronzeReject[] = [];
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

  /** Closes the open part; returns its .partial path, how many records it holds and which not to load. */
  async closePart(): Promise<LandedPart | undefined> {
    const out = this.out;
    if (!out) return undefined;
    this.out = undefined;
    out.end();
    await finished(out);
    return { file: `${this.parts.at(-1)!}.partial`, records: this.partRecords, maxRecordBytes: this.maxRecordBytes, rejects: this.partRejects };
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
    this.partRejects = [];
  }

  private async write(page: SourcePage): Promise<void> {
    if ('lines' in page) {
      for (const r of page.rejected ?? []) this.partRejects.push(bronzeReject(r, this.partRecords + r.index));
      this.rejected += page.rejected?.length ?? 0;
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
  if (found.length === 0) throw new UsageError(`no landing file ${prefix}-*.jsonl under ${dir}: a batch can be replayed only from the files it was fetched into, which are kept for bronze.copy_window`);
  return found.map((entry) => join(dir, entry));
}

/**
 * Reads landing files back: their record count, newest cursor and field profile, through the scanner
 * that read the pages, so a replay counts, profiles and rejects the records as their first load did
 * (and an id past 2^53 as its digits).
 */
export async function scanLandingFiles(files: string[], cursorField: string | undefined): Promise<LandedRecords & { parts: LandedPart[] }> {
  const landed = { received: 0, rejected: 0, maxRecordBytes: 0, profile: new FieldProfile(), newestCursor: undefined as string | undefined, parts: [] as LandedPart[] };
  for (const file of files) {
    const part: LandedPart = { file, records: 0, maxRecordBytes: 0, rejects: [] };
    for await (const { bytes, linesBefore } of readLineChunks(file, 4 * 1024 * 1024)) {
      let scanned: ScannedLines;
      try {
        scanned = scanJsonLines(bytes, cursorField);
      } catch (e) {
        if (!(e instanceof JsonScanError)) throw e;
        const line = linesBefore + countLineBreaks(bytes.subarray(0, e.offset)) + 1;
        throw new UsageError(`${file}:${line}: not a JSON record (${e.message.replace(/ at byte \d+$/, '')}); a landing file holds one record per line`);
      }
      for (const r of scanned.rejected ?? []) part.rejects.push(bronzeReject(r, part.records + r.index));
      part.records += scanned.count;
      part.maxRecordBytes = Math.max(part.maxRecordBytes, scanned.longestRecord);
      landed.profile.merge(scanned.profile);
      landed.newestCursor = maxCursor(landed.newestCursor, scanned.newestCursor);
    }
    landed.received += part.records;
    landed.rejected += part.rejects.length;
    landed.maxRecordBytes = Math.max(landed.maxRecordBytes, part.maxRecordBytes);
    landed.parts.push(part);
  }
  return landed;
}

/**
 * A copy of a landing file (or part) without its rejected records, for the warehouse to append: the
 * landing file itself keeps every record as received. The caller removes the copy.
 */
export async function loadableCopy(part: LandedPart): Promise<string> {
  const skip = new Set(part.rejects.map((r) => r.index));
  const copy = `${part.file}.loadable`;
  const out = createWriteStream(copy);
  let index = 0;
  try {
    for await (const { bytes } of readLineChunks(part.file, 4 * 1024 * 1024)) {
      let start = 0;
      while (start < bytes.length) {
        const end = bytes.indexOf(NEWLINE, start);
        const stop = end < 0 ? bytes.length : end + 1;
        // Blank lines hold no record (the scanner skips them too).
        if (!isBlank(bytes, start, stop) && !skip.has(index++)) {
          const line = bytes.subarray(start, stop);
          if (!out.write(end < 0 ? Buffer.concat([line, LINE_BREAK]) : line)) await once(out, 'drain');
        }
        start = stop;
      }
    }
  } finally {
    out.end();
    await finished(out);
  }
  return copy;
}

const NEWLINE = 0x0a;
const LINE_BREAK = Buffer.from('\n');

function isBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0x20 && bytes[i] !== 0x09 && bytes[i] !== 0x0d && bytes[i] !== NEWLINE) return false;
  return true;
}

/** A rejected record of a landing file: its place, reason, hash and text (cut at a whole character). */
function bronzeReject(record: RejectedRecord, index: number): BronzeReject {
  let text = record.bytes.toString('utf8');
  if (text.length > REJECTED_TEXT_CHARS) {
    const cut = /[\uD800-\uDBFF]/.test(text[REJECTED_TEXT_CHARS - 1]) ? REJECTED_TEXT_CHARS - 1 : REJECTED_TEXT_CHARS;
    text = `${text.slice(0, cut)}…`;
  }
  return { index, reason: record.reason, hash: createHash('md5').update(record.bytes).digest('hex'), text };
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

/**
 * Removes a pipeline's landing partitions (dt=YYYY-MM-DD folders, by fetch day) that ended before
 * `before`: the runs keep bronze.copy_window of raw pages, enough to replay any batch bronze's copy
 * check still covers, and the Actions cache that carries them stays bounded. Returns the folders removed.
 */
export async function pruneLanding(root: string, pipeline: string, before: Date): Promise<string[]> {
  const removed = await landingDaysBefore(root, pipeline, before);
  for (const folder of removed) await rm(folder, { recursive: true, force: true });
  return removed;
}

/** A pipeline's landing day folders (dt=YYYY-MM-DD) that ended before `before`. */
export async function landingDaysBefore(root: string, pipeline: string, before: Date): Promise<string[]> {
  const dir = join(root, `source=${pipeline}`);
  if (!existsSync(dir)) return [];
  const firstKept = `dt=${before.toISOString().slice(0, 10)}`;
  const days: string[] = [];
  for (const resource of await readdir(dir, { withFileTypes: true })) {
    if (!resource.isDirectory() || !resource.name.startsWith('resource=')) continue;
    for (const day of await readdir(join(dir, resource.name), { withFileTypes: true })) {
      if (!day.isDirectory() || !/^dt=\d{4}-\d{2}-\d{2}$/.test(day.name) || day.name >= firstKept) continue;
      days.push(join(dir, resource.name, day.name));
    }
  }
  return days;
}
