// What DuckDB does with a file another process has open, and what a waiting dataops says about it:
// the holder's own note when DuckDB names the same pid, else DuckDB's pid (a note left by a dead
// process, a garbled note, or a holder that is not dataops at all).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BusyError } from '../../src/errors.js';
import { holderFile, openDuckDBWhenFree, readHolder } from '../../src/warehouse/duckdb-lock.js';
import { DuckDBFileLockedError, DuckDBWarehouse } from '../../src/warehouse/duckdb.js';
import { REPO } from '../helpers/project.js';

let dir: string;
let database: string;
let holder: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataops-lock-'));
  database = join(dir, 'held.duckdb');
});
afterEach(async () => {
  await letGo();
  await rm(holderFile(database), { force: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Another process (plain node, not dataops) that opens the file and keeps it until its stdin closes. */
async function holdInAnotherProcess(): Promise<number> {
  const script = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const instance = await DuckDBInstance.create(${JSON.stringify(database)});
    const connection = await instance.connect();
    await connection.run('CREATE TABLE IF NOT EXISTS t AS SELECT 1 AS x');
    // Kept reachable: once the process idles, V8 collects garbage, and a collected instance closes
    // the file and lets go of its lock, which made this holder stop holding under CI's load.
    globalThis.held = { instance, connection };
    process.stdout.write('ready\\n');
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();`;
  holder = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder!.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    holder!.once('exit', (code) => reject(new Error(`the holder exited (${code}) before it opened ${database}`)));
  });
  return holder.pid!;
}

async function letGo(): Promise<void> {
  if (!holder || holder.exitCode !== null) return;
  const exited = new Promise((resolve) => holder!.once('exit', resolve));
  holder.stdin!.end();
  await exited;
  holder = undefined;
}

async function busyMessage(options: { runId?: string } = {}): Promise<{ error: unknown; logged: string[] }> {
  const logged: string[] = [];
  const error = await openDuckDBWhenFree(database, { command: 'status', waitSeconds: 1, pollMs: 100, log: (l) => logged.push(l), ...options }).then(
    async (w) => {
      await w.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  return { error, logged };
}

test('DuckDB refuses a second process even read-only; the refusal names the holder pid', async () => {
  const pid = await holdInAnotherProcess();
  const { DuckDBInstance } = await import('@duckdb/node-api');
  for (const options of [undefined, { access_mode: 'READ_ONLY' }]) {
    await expect(DuckDBInstance.create(database, options), JSON.stringify(options)).rejects.toThrow(new RegExp(`Could not set lock on file .*\\(PID ${pid}\\)`));
  }
  const refused = await DuckDBWarehouse.open(database).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(DuckDBFileLockedError);
  expect(refused).toMatchObject({ path: database, holderPid: pid });
});

describe('who a waiting process names', () => {
  const started = '2026-11-20T12:30:00.123Z';
  const cases: Array<{ name: string; note?: (pid: number) => string; expected: (pid: number) => string }> = [
    { name: 'no note: the pid DuckDB names', expected: (pid) => `another process \\(pid ${pid}, [^)]+\\)` },
    {
      name: "the holder's own note",
      note: (pid) => JSON.stringify({ pid, started_at: started, command: 'run', run_id: 'run_x', token: 't' }),
      expected: (pid) => `run run_x \\(pid ${pid}, started 2026-11-20T12:30:00Z\\)`,
    },
    {
      name: 'a note of a command that is not a run',
      note: (pid) => JSON.stringify({ pid, started_at: started, command: 'status', token: 't' }),
      expected: (pid) => `dataops status \\(pid ${pid}, started 2026-11-20T12:30:00Z\\)`,
    },
    {
      name: 'a stale note from a process that died: not believed',
      note: () => JSON.stringify({ pid: 2 ** 22 + 7, started_at: started, command: 'run', run_id: 'run_dead', token: 't' }),
      expected: (pid) => `another process \\(pid ${pid}, [^)]+\\)`,
    },
    { name: 'a garbled note', note: () => '{"pid": 12', expected: (pid) => `another process \\(pid ${pid}, [^)]+\\)` },
  ];

  test.each(cases)('$name', async ({ note, expected }) => {
    const pid = await holdInAnotherProcess();
    if (note) await writeFile(holderFile(database), note(pid));
    const { error, logged } = await busyMessage();
    const who = expected(pid);
    expect(error).toBeInstanceOf(BusyError);
    expect((error as Error).message).toMatch(new RegExp(`^${escape(database)} is busy: ${who} still has it open after 1s of waiting .*--wait <duration>\\.$`));
    // Said once, not at every attempt.
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(new RegExp(`^waiting for ${who} to finish with ${escape(database)} \\(at most 1s\\)$`));
  });
});

test('once the holder lets go, the file opens over a stale note, notes this process, and takes the note away on close', async () => {
  await holdInAnotherProcess();
  await writeFile(holderFile(database), JSON.stringify({ pid: holder!.pid, started_at: new Date().toISOString(), command: 'run', run_id: 'run_old', token: 't' }));
  const logged: string[] = [];
  const opening = openDuckDBWhenFree(database, { command: 'run', runId: 'run_new', waitSeconds: 60, pollMs: 50, log: (l) => logged.push(l) });
  // The holder lets go only after the waiter has said it is waiting: no timing involved.
  while (logged.length === 0) await new Promise((r) => setTimeout(r, 20));
  await letGo();
  const warehouse = await opening;
  try {
    expect(logged).toEqual([expect.stringMatching(/^waiting for run run_old \(pid \d+, started .*\) to finish with /)]);
    expect(await readHolder(database)).toMatchObject({ pid: process.pid, command: 'run', run_id: 'run_new' });
    expect(await warehouse.query('SELECT x FROM t')).toEqual([{ x: 1 }]);
  } finally {
    await warehouse.close();
  }
  expect(existsSync(holderFile(database))).toBe(false);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
