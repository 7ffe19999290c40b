// One process per DuckDB file. DuckDB's own file lock is the mutex (the OS drops it when its holder
// dies, even by kill -9), and it refuses a second process outright, read-only or not. This waits for
// it, bounded, and says who holds it: the holder notes who it is (run id, pid, start) in a small file
// beside the database, and a waiter believes that note only when DuckDB names the same pid.
import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { BusyError } from '../errors.js';
import { formatDuration } from '../report/format.js';
import { DuckDBFileLockedError, DuckDBWarehouse } from './duckdb.js';
import type { Log } from '../log.js';

/** Who has the file open, as its holder notes it. */
export interface DatabaseHolder {
  pid: number;
  /** When it opened the file (ISO). */
  started_at: string;
  /** The dataops command, e.g. run or status. */
  command: string;
  run_id?: string;
  /** Tells this process's own opens apart, so closing one never removes another's note. */
  token: string;
}

export interface OpenWhenFreeOptions {
  memoryLimit?: string;
  /** What opens the file (e.g. run, status), for the message a waiting process prints. */
  command: string;
  runId?: string;
  /** How long to wait for another process to let go of the file before failing. */
  waitSeconds: number;
  /** Where the "waiting for ..." line goes. */
  log?: Log;
  /** Between attempts; default 250 ms. */
  pollMs?: number;
  /** Where the error tells the user to wait longer (default: the CLI's --wait). */
  waitHint?: string;
}

export function holderFile(database: string): string {
  return `${database}.holder.json`;
}

/** Opens the file once no other process has it, waiting at most `waitSeconds`; then notes who holds it. */
export async function openDuckDBWhenFree(path: string, options: OpenWhenFreeOptions): Promise<DuckDBWarehouse> {
  if (path === ':memory:') return DuckDBWarehouse.open(path, { memoryLimit: options.memoryLimit });
  const deadline = Date.now() + options.waitSeconds * 1000;
  let announced: string | undefined;
  for (;;) {
    let locked: DuckDBFileLockedError;
    try {
      const warehouse = await DuckDBWarehouse.open(path, { memoryLimit: options.memoryLimit });
      await noteHolder(warehouse, path, options);
      return warehouse;
    } catch (e) {
      if (!(e instanceof DuckDBFileLockedError)) throw e;
      locked = e;
    }
    const who = describeHolder(await readHolder(path), locked);
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new BusyError(
        `${path} is busy: ${who} still has it open after ${formatDuration(options.waitSeconds)} of waiting (DuckDB lets one process at a time open a file). ` +
          `Try again when it has finished, or wait longer with ${options.waitHint ?? '--wait <duration>'}.`,
      );
    }
    if (who !== announced) options.log?.(`waiting for ${who} to finish with ${path} (at most ${formatDuration(options.waitSeconds)})`, { event: 'wait' });
    announced = who;
    await sleep(Math.min(options.pollMs ?? 250, left));
  }
}

async function noteHolder(warehouse: DuckDBWarehouse, path: string, options: OpenWhenFreeOptions): Promise<void> {
  const me: DatabaseHolder = {
    pid: process.pid,
    started_at: new Date().toISOString(),
    command: options.command,
    ...(options.runId ? { run_id: options.runId } : {}),
    token: randomUUID(),
  };
  const file = holderFile(path);
  // The note only serves the message; a directory we cannot write to must not stop the run.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(me))
    .then(() => rename(temporary, file))
    .catch(() => undefined);
  warehouse.beforeClose(async () => {
    if ((await readHolder(path))?.token === me.token) await rm(file, { force: true });
  });
}

/** The note beside the database, or undefined when it is missing or unreadable (a holder died mid-write). */
export async function readHolder(path: string): Promise<DatabaseHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(holderFile(path), 'utf8')) as Partial<DatabaseHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.started_at !== 'string' || typeof parsed.command !== 'string') return undefined;
    return parsed as DatabaseHolder;
  } catch {
    return undefined;
  }
}

/**
 * "run <id> (pid N, started T)" when the note is the holder's own; otherwise what DuckDB says. A note
 * left by a process that died (kill -9 cannot clean up) names another pid, or a pid that is gone.
 */
export function describeHolder(note: DatabaseHolder | undefined, locked: DuckDBFileLockedError): string {
  const current = note && (locked.holderPid === undefined ? isAlive(note.pid) : note.pid === locked.holderPid);
  if (note && current) {
    const what = note.run_id ? `run ${note.run_id}` : `dataops ${note.command}`;
    return `${what} (pid ${note.pid}, started ${note.started_at.replace(/\.\d+Z$/, 'Z')})`;
  }
  if (locked.holderPid === undefined) return 'another process';
  return `another process (pid ${locked.holderPid}${locked.holderProgram ? `, ${locked.holderProgram}` : ''})`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
