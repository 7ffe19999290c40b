// One DuckDB file, one process at a time, as users meet it: two `dataops run`s on one file (the second
// waits for the first, both complete, nothing doubles), status/report/sql while a run writes (a clear
// "busy" after a short wait, never DuckDB's lock error), and a run killed with -9 (the next goes ahead).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { INTERRUPTED } from '../../src/engine.js';
import { holderFile, readHolder } from '../../src/warehouse/duckdb-lock.js';
import { BIN, ensureBuild } from '../helpers/build.js';
import { gateBefore, type Gate } from '../helpers/gate.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

let project: DemoProject;
const gates: Gate[] = [];

beforeAll(async () => {
  await ensureBuild();
  project = await demoProject();
});
afterAll(async () => {
  for (const gate of gates) await gate.close();
  await project?.close();
});

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `dataops <args>` in a child process, its output readable while it runs. */
function dataops(args: string[], apiUrl = project.api.url): Cli {
  const env = { ...project.settings.env, DEMO_API_URL: apiUrl, GITHUB_STEP_SUMMARY: '' } as NodeJS.ProcessEnv;
  const child = spawn('node', [BIN, '-C', project.dir, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Waits (at most a minute) until the process has printed the line. */
async function printed(cli: Cli, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = pattern.exec(cli.stdout() + cli.stderr());
    if (match) return match[0];
    if (cli.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`expected ${pattern} in the output of pid ${cli.child.pid}; it printed:\n${cli.stdout()}\n${cli.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A `dataops run catalog` that opens the database and then stays in it until the gate opens. */
async function heldRun(database: string, runId: string): Promise<{ run: Cli; gate: Gate; started: string }> {
  const gate = await gateBefore(project.api.url);
  gates.push(gate);
  const run = dataops(['--database', database, 'run', 'catalog', '--run-id', runId], gate.url);
  const ended = run.exited.then(() => {
    throw new Error(`the run ended before it reached the API:\n${run.stdout()}\n${run.stderr()}`);
  });
  await Promise.race([gate.reached, ended]);
  const note = await readHolder(database);
  expect(note).toMatchObject({ pid: run.child.pid, run_id: runId, command: 'run' });
  return { run, gate, started: note!.started_at.replace(/\.\d+Z$/, 'Z') };
}

function expectNoRawError(output: string): void {
  expect(output).not.toContain('Could not set lock');
  expect(output).not.toMatch(/^\s+at /m);
}

describe('two runs on one DuckDB file', () => {
  test('the second waits for the first, saying for whom; both complete and nothing is duplicated', async () => {
    const database = join(project.dir, 'two-runs.duckdb');
    const first = await heldRun(database, 'run_first');

    const second = dataops(['--database', database, 'run', 'catalog', '--run-id', 'run_second']);
    const waiting = await printed(second, /waiting for .*/);
    expect(waiting).toBe(`waiting for run run_first (pid ${first.run.child.pid}, started ${first.started}) to finish with ${database} (at most 10m)`);
    first.gate.open();

    const [a, b] = await Promise.all([first.run.exited, second.exited]);
    expect(a, first.run.stderr()).toEqual({ code: 0, signal: null });
    expect(b, second.stderr()).toEqual({ code: 0, signal: null });
    expectNoRawError(first.run.stdout() + first.run.stderr() + second.stdout() + second.stderr());
    // The second started after the first had let go: it found every record already in bronze.
    expect(second.stdout()).toMatch(/catalog\.customers: received \d+, appended 0 to bronze\.catalog_customers/);

    await withDatabase({ ...project.settings, database }, async (w) => {
      const runs = await w.query<{ run_id: string; status: string }>("SELECT run_id, status FROM meta.runs WHERE pipeline = 'catalog' ORDER BY started_at");
      expect(runs).toEqual([{ run_id: 'run_first', status: 'success' }, { run_id: 'run_second', status: 'success' }]);
      for (const table of ['bronze.catalog_customers', 'bronze.catalog_products']) {
        expect(await count(w, `SELECT count(*) - count(DISTINCT _record_hash) AS n FROM ${table}`), table).toBe(0);
      }
      // silver.customers keeps history: one current row per customer, and no version twice.
      expect(await count(w, 'SELECT count(*) - count(DISTINCT customer_id) AS n FROM silver.customers WHERE is_current')).toBe(0);
      expect(await count(w, 'SELECT count(*) - count(DISTINCT (customer_id, valid_from)) AS n FROM silver.customers')).toBe(0);
      expect(await count(w, 'SELECT count(*) - count(DISTINCT product_id) AS n FROM silver.products')).toBe(0);
      expect(await count(w, 'SELECT count(*) AS n FROM meta.silver_loads WHERE NOT conserved')).toBe(0);
    });
    // Whoever closes the file last takes its note with it.
    expect(existsSync(holderFile(database))).toBe(false);
  });
});

describe('other commands while a run holds the file', () => {
  const cases = [
    { name: 'status', command: ['status'] },
    { name: 'status --json', command: ['status', '--json'] },
    { name: 'report', command: ['report'] },
    { name: 'sql', command: ['sql', '-q', 'SELECT 1 AS one'] },
    { name: 'another run', command: ['run', 'catalog'] },
  ];

  test(`${cases.map((c) => c.name).join(', ')}: with --wait 1s each gives up with a busy message naming the run, exit 1`, async () => {
    const database = join(project.dir, 'busy.duckdb');
    const holder = await heldRun(database, 'run_holder');
    const who = `run run_holder (pid ${holder.run.child.pid}, started ${holder.started})`;
    const clis = cases.map((c) => ({ ...c, cli: dataops(['--database', database, '--wait', '1s', ...c.command]) }));
    for (const { name, cli } of clis) {
      expect((await cli.exited).code, name).toBe(1);
      expect(cli.stderr(), name).toContain(`error: ${database} is busy: ${who} still has it open after 1s of waiting`);
      expect(cli.stdout() + cli.stderr(), name).toContain(`waiting for ${who} to finish with ${database} (at most 1s)`);
      expect(cli.stdout(), name).not.toContain('{');
      expectNoRawError(cli.stdout() + cli.stderr());
    }
    holder.gate.open();
    expect((await holder.run.exited).code).toBe(0);
  });
});

describe('a run killed with kill -9', () => {
  test('lets go of the file with it: the next run goes ahead past its stale note and marks it interrupted', async () => {
    const database = join(project.dir, 'killed.duckdb');
    const killed = await heldRun(database, 'run_killed');
    killed.run.child.kill('SIGKILL');
    expect((await killed.run.exited).signal).toBe('SIGKILL');
    // The note outlives its writer.
    expect(JSON.parse(await readFile(holderFile(database), 'utf8'))).toMatchObject({ run_id: 'run_killed' });

    const next = dataops(['--database', database, 'run', 'catalog', '--run-id', 'run_next']);
    expect((await next.exited).code, next.stderr()).toBe(0);
    expect(next.stdout()).not.toContain('waiting for');
    await withDatabase({ ...project.settings, database }, async (w) => {
      const runs = await w.query<{ run_id: string; status: string; error: string | null }>(
        "SELECT run_id, status, error FROM meta.runs WHERE pipeline = 'catalog' ORDER BY started_at",
      );
      expect(runs).toEqual([
        { run_id: 'run_killed', status: 'failed', error: INTERRUPTED },
        { run_id: 'run_next', status: 'success', error: null },
      ]);
    });
    expect(existsSync(holderFile(database))).toBe(false);
  });
});
