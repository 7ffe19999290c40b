// Reads the project's own files (pipelines, dataops.yml, SQL models) with a size limit checked before
// anything is read. `validate` runs on every pull request, forks included: a huge file, a link to a device
// or a link out of the checkout must be a clear error, not a runner tied up or a runner's file echoed back.
import { closeSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { Diagnostic } from '../errors.js';

export interface FileLimit {
  /** What the files are called in the message, e.g. "pipeline files". */
  noun: string;
  bytes: number;
}

// Sizes are decimal (1 MB = 1,000,000 bytes). The largest real files are far below: a pipeline with 100
// resources of 50 columns is about 300 KB, and dataops.yml has a dozen keys.
export const PIPELINE_FILE_LIMIT: FileLimit = { noun: 'pipeline files', bytes: 1_000_000 };
export const MODEL_FILE_LIMIT: FileLimit = { noun: 'SQL model files', bytes: 1_000_000 };
export const PROJECT_FILE_LIMIT: FileLimit = { noun: 'dataops.yml', bytes: 100_000 };

export type ConfigText = { text: string; diagnostic?: undefined } | { text?: undefined; diagnostic: Diagnostic };

/**
 * The text of `file` (relative to `projectDir`), or one diagnostic saying why it is not read: it is too big,
 * not a regular file, or a link that leaves the project. Synchronous, because dataops.yml is read while
 * settings are resolved; each file is read once, in one pass.
 */
export function readConfigFile(projectDir: string, file: string, limit: FileLimit): ConfigText {
  const refuse = (message: string): ConfigText => ({ diagnostic: { file, line: 1, col: 1, severity: 'error', message } });
  const cannot = (e: unknown) => refuse(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  let real: string;
  let stats: Stats;
  try {
    real = realpathSync(join(projectDir, file));
    // A link to /proc/self/environ or to a runner's credentials would be parsed and quoted in messages.
    const inside = relative(realpathSync(projectDir), real);
    if (inside.startsWith('..') || isAbsolute(inside)) return refuse(`${file} links to a file outside the project; configuration files must be inside it`);
    // Checked before opening: opening a named pipe for reading would wait for a writer.
    stats = statSync(real);
  } catch (e) {
    return cannot(e);
  }
  if (!stats.isFile()) return refuse(`${file} is ${nonFileKind(stats)}, not a regular file`);
  if (stats.size > limit.bytes) return refuse(tooBig(file, stats.size, limit));
  let fd: number;
  try {
    fd = openSync(real, 'r');
  } catch (e) {
    return cannot(e);
  }
  try {
    // At most one byte past the limit: a file that grows, or that reports size 0 as /proc files do, still
    // cannot make us read more.
    const buffer = Buffer.alloc(limit.bytes + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > limit.bytes) return refuse(tooBig(file, length, limit, true));
    return { text: buffer.toString('utf8', 0, length) };
  } catch (e) {
    return cannot(e);
  } finally {
    closeSync(fd);
  }
}

function nonFileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

function tooBig(file: string, bytes: number, limit: FileLimit, grew = false): string {
  const are = limit.noun === file ? 'is' : 'are';
  const max = formatSize(limit.bytes).replace('.0 ', ' ');
  const exactly = (n: number) => `${n.toLocaleString('en-US')} bytes`;
  if (grew) return `${file} has more than ${exactly(limit.bytes)}; ${limit.noun} ${are} limited to ${max}`;
  // 1,000,001 bytes would read as "1.0 MB; limited to 1 MB".
  const size = formatSize(bytes).replace('.0 ', ' ') === max ? exactly(bytes) : formatSize(bytes);
  return `${file} is ${size}; ${limit.noun} ${are} limited to ${max}${size === exactly(bytes) ? ` (${exactly(limit.bytes)})` : ''}`;
}

/** 12.3 MB or 640.0 KB. */
export function formatSize(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${(bytes / 1_000).toFixed(1)} KB`;
}
