// What `dataops run` prints as it goes, as a user (or a log tool) sees it: the compiled bin in a child
// process against the demo API. `--log-format json` is one JSON object per line with the run id, pipeline
// and step; long fetches report progress (a 0 s interval reports every page, so no test waits on a clock);
// retries are logged when they happen.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateRetailData } from '../../src/demo/data.js';
import { writeReferenceDatabase } from '../../src/demo/reference-db.js';
import { startDemoApi, type DemoApi } from '../../src/demo/server.js';
import { ensureBuild } from '../helpers/build.js';
import { copyProject, DEMO_TOKEN, REPO } from '../helpers/project.js';

const BIN = join(REPO, 'bin/dataops.js');
let dir: string;
let api: DemoApi;
let env: NodeJS.ProcessEnv;

interface Event {
  time: string;
  level: string;
  message: string;
  event?: string;
  run_id?: string;
  pipeline?: string;
  step?: string;
  resource?: string;
  counts?: Record<string, number>;
  duration_ms?: number;
  error_code?: string;
}

async function dataops(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [BIN, '-C', dir, ...args], { env: { ...env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Every line must be one JSON object: a line that is not fails the test with the line. */
function parseLines(text: string): Event[] {
  return text.split('\n').filter((line) => line !== '').map((line) => {
    let event: Event;
    try {
      event = JSON.parse(line) as Event;
    } catch {
      throw new Error(`not a JSON line: ${line}`);
    }
    expect(event).toEqual(expect.objectContaining({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: expect.stringMatching(/^(debug|info|warn|error)$/), message: expect.any(String) }));
    return event;
  });
}

beforeAll(async () => {
  await ensureBuild();
  dir = await copyProject();
  const anchor = new Date();
  // The second request for transactions fails once with a 503: the retry is an event of its own.
  api = await startDemoApi({ token: DEMO_TOKEN, anchor, faults: [{ path: '/v1/transactions', kind: 'server_error', status: 503, retryAfterSeconds: 0, afterRequests: 1 }] });
  const reference = join(dir, 'reference.duckdb');
  await writeReferenceDatabase(reference, generateRetailData({ anchor }));
  env = { ...process.env, DEMO_API_URL: api.url, DEMO_API_TOKEN: DEMO_TOKEN, DEMO_REFERENCE_DB: reference, GITHUB_STEP_SUMMARY: '', DATAOPS_LANDING_DIR: join(dir, 'landing') };
  delete env.DATAOPS_LOG_FORMAT;
  delete env.DATAOPS_PROGRESS_INTERVAL;
}, 120_000);

afterAll(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('dataops run --log-format json', () => {
  test('prints one JSON object per line, each event with the run id, pipeline and step; progress per page; the retry as it happens', async () => {
    // Every pipeline: retail_pos's checks read the others' dimensions.
    const run = await dataops(['run', '--log-format', 'json'], { DATAOPS_PROGRESS_INTERVAL: '0s' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const events = parseLines(run.stdout);
    expect(run.stdout).not.toContain(DEMO_TOKEN);

    const runIds = new Set(events.map((e) => e.run_id));
    expect([...runIds]).toEqual([expect.stringMatching(/^run_\w+$/)]);
    const steps = (pipeline: string) => new Set(events.filter((e) => e.pipeline === pipeline).map((e) => e.step));
    expect(steps('retail_pos')).toEqual(new Set(['ingest', 'check', undefined]));
    expect(events.some((e) => e.step === 'transform' && e.event === 'step' && typeof e.duration_ms === 'number')).toBe(true);

    // A resource of several pages reports each one, its counts growing; then its batch with the totals.
    const progress = events.filter((e) => e.event === 'progress' && e.resource === 'transactions');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.map((e) => e.counts!.pages)).toEqual(progress.map((_, i) => i + 1));
    expect(progress.every((e, i) => i === 0 || e.counts!.records > progress[i - 1].counts!.records)).toBe(true);
    const batch = events.find((e) => e.event === 'batch' && e.resource === 'transactions')!;
    expect(batch).toMatchObject({ pipeline: 'retail_pos', step: 'ingest', counts: { pages: progress.length, received: progress.at(-1)!.counts!.records } });
    expect(events.indexOf(batch)).toBeGreaterThan(events.indexOf(progress.at(-1)!));

    const retry = events.find((e) => e.event === 'retry')!;
    expect(retry).toMatchObject({ level: 'warn', pipeline: 'retail_pos', step: 'ingest', resource: 'transactions', counts: { attempt: 1 } });
    expect(retry.message).toMatch(/^retail_pos\.transactions: retry 1\/\d in [\d.]+ s: HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/v1\/transactions/);

    const checks = events.find((e) => e.pipeline === 'retail_pos' && e.step === 'check')!;
    expect(checks).toMatchObject({ event: 'step', counts: { passed: expect.any(Number), warned: expect.any(Number), failed: 0 } });
    expect(events.at(-1)).toMatchObject({ event: 'run_finished', level: 'info', message: expect.stringMatching(/succeeded$/), counts: { loaded: expect.any(Number), checks_failed: 0 } });
    expect(events.filter((e) => e.event === 'pipeline_finished').map((e) => e.pipeline)).toEqual(['catalog', 'inventory', 'retail_pos', 'stores']);
  }, 120_000);

  test('DATAOPS_LOG_FORMAT=json does the same; a failure is a JSON line with its error code', async () => {
    const unknown = await dataops(['run', 'nosuch'], { DATAOPS_LOG_FORMAT: 'json' });
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(parseLines(unknown.stderr)).toEqual([expect.objectContaining({ level: 'error', event: 'error', error_code: 'usage_error', message: 'unknown pipeline nosuch (pipelines: catalog, inventory, retail_pos, stores)' })]);

    const bad = await dataops(['run', 'stores'], { DATAOPS_LOG_FORMAT: 'yaml' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: DATAOPS_LOG_FORMAT: expected one of text, json, got "yaml"');
  }, 60_000);
});

describe('progress in the readable format', () => {
  test('without a terminal (CI), progress is a line per report; none with the default interval on a short fetch', async () => {
    const every = await dataops(['run', 'stores', '--step', 'ingest'], { DATAOPS_PROGRESS_INTERVAL: '0s' });
    expect(every.code).toBe(0);
    expect(every.stdout).toMatch(/^stores\.stores: 1 pages, \d+ records so far$/m);
    expect(every.stdout).not.toContain('\r');
    const quiet = await dataops(['run', 'stores', '--step', 'ingest']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toContain('so far');
    expect(quiet.stdout).toMatch(/^stores\.stores: received \d+/m);
  }, 60_000);
});
