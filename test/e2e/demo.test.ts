// `npm start` as a new user runs it: the demo command, twice, in a fresh copy of the project.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import type { StatusReport } from '../../src/state/types.js';
import { copyProject, REPO } from '../helpers/project.js';

const BIN = join(REPO, 'bin/dataops.js');
let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const dataops = async (args: string[]) => promisify(execFile)('node', [BIN, '-C', dir!, ...args], { env: { ...process.env, GITHUB_STEP_SUMMARY: '' }, maxBuffer: 64 << 20 });
const rowCounts = (report: StatusReport) => Object.fromEntries(report.tables.map((t) => [t.name, t.rows]));

test('dataops demo loads every layer and builds the site; a second run in the same hour adds no rows', async () => {
  dir = await copyProject();
  const hour = () => new Date().toISOString().slice(0, 13);
  const startedIn = hour();
  const first = await dataops(['demo']);
  expect(first.stdout).toMatch(/Conservation: OK/);
  expect(existsSync(join(dir, '.dataops/site/index.html'))).toBe(true);
  const before = JSON.parse((await dataops(['status', '--json'])).stdout) as StatusReport;
  expect(before.tables.filter((t) => t.layer === 'gold').every((t) => t.rows > 0)).toBe(true);

  await dataops(['demo']);
  const after = JSON.parse((await dataops(['status', '--json'])).stdout) as StatusReport;
  expect(after.conservation_ok).toBe(true);
  // The demo's data moves with the clock: across an hour boundary new sales are real new data.
  if (hour() === startedIn) expect(rowCounts(after)).toEqual(rowCounts(before));
  expect(after.pipelines.flatMap((p) => p.batches).every((b) => b.bronze_rows <= b.received)).toBe(true);
});
