// Erasure in the landing files: each file of a resource that holds a record of the subject is written again
// without it, into a .partial file beside it that is then renamed over it. A rename is atomic, so a crash
// leaves either the old file or the new one (and at worst a stray .partial, which nothing reads and the next
// ingest removes); erasing again finds what is left and finishes the job.
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { readLineChunks } from '../sources/files.js';

/** Where a record holds the key: dot paths from the record's root. */
export type RecordPaths = ReadonlyArray<readonly string[]>;

/** True when the record (a line of JSON) holds `value` at one of `paths`; a line that is not JSON holds nothing. */
export function recordHolds(line: string, paths: RecordPaths, value: string): boolean {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return false;
  }
  return paths.some((path) => valueText(path.reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), record)) === value);
}

/** A scalar as the warehouse's JSON text extraction gives it; undefined for objects, arrays and null. */
function valueText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A resource's landing files with records of the subject removed (or, dryRun, counted); the records per file. */
export async function eraseFromLanding(
  resourceDir: string,
  paths: RecordPaths,
  value: string,
  dryRun = false,
): Promise<Array<{ file: string; records: number }>> {
  if (!existsSync(resourceDir)) return [];
  const files = (await readdir(resourceDir, { recursive: true })).filter((f) => f.endsWith('.jsonl')).sort();
  const changed: Array<{ file: string; records: number }> = [];
  for (const name of files) {
    const file = join(resourceDir, name);
    const records = await rewriteWithout(file, paths, value, dryRun);
    if (records > 0) changed.push({ file, records });
  }
  return changed;
}

/** Writes the file again without the subject's records, when it has any; how many it had. */
async function rewriteWithout(file: string, paths: RecordPaths, value: string, dryRun: boolean): Promise<number> {
  // A cheap first pass: most files hold none of the subject's records and are left untouched.
  const holding = await matchingLines(file, paths, value);
  if (holding === 0 || dryRun) return holding;
  const partial = `${file}.erase.partial`;
  const out = createWriteStream(partial);
  let removed = 0;
  try {
    for await (const line of lines(file)) {
      if (recordHolds(line.toString('utf8'), paths, value)) {
        removed++;
        continue;
      }
      if (!out.write(line)) await once(out, 'drain');
    }
    out.end();
    await finished(out);
  } catch (e) {
    out.destroy();
    await rm(partial, { force: true });
    throw e;
  }
  await rename(partial, file);
  return removed;
}

async function matchingLines(file: string, paths: RecordPaths, value: string): Promise<number> {
  let n = 0;
  for await (const line of lines(file)) if (recordHolds(line.toString('utf8'), paths, value)) n++;
  return n;
}

/** Each line of the file with its line break, as bytes (a record not UTF-8 is copied as it is). */
async function* lines(file: string): AsyncGenerator<Buffer> {
  for await (const { bytes } of readLineChunks(file, 4 * 1024 * 1024)) {
    let start = 0;
    while (start < bytes.length) {
      const end = bytes.indexOf(0x0a, start);
      const stop = end < 0 ? bytes.length : end + 1;
      yield bytes.subarray(start, stop);
      start = stop;
    }
  }
}
