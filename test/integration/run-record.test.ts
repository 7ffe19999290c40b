// A run's record never lies: the sequences the workflows run, with the ingest failing, followed by the
// quality gate, as the runner runs the actions (child processes). Everything a person reads afterwards
// (both job summaries, `dataops status`, the site and the pull request comment) says the run failed,
// and leads with the ingest's error.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRetailData } from '../../src/demo/data.js';
import { writeReferenceDatabase } from '../../src/demo/reference-db.js';
import { startDemoApi, type DemoApi } from '../../src/demo/server.js';
import { PR_REPORT_MARKER } from '../../src/github/pr-comment.js';
import type { StatusReport } from '../../src/state/types.js';
import { actionRunner, expectNoStackTrace, expectSecretHidden, failureLines, pullRequestEvent } from '../helpers/actions.js';
import { BIN, ensureBuild } from '../helpers/build.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/github-api.js';
import { REPO } from '../helpers/project.js';

const TOKEN = 'demo-token-run-record-51c0e8a2b4d6';
const GITHUB_TOKEN = 'ghs_runRecordTest0123456789abcdefghij';

let work: string;
let api: DemoApi;
let referenceDb: string;
let github: FakeGitHub;

beforeAll(async () => {
  await ensureBuild();
  work = await mkdtemp(join(tmpdir(), 'dataops-run-record-'));
  const anchor = new Date();
  api = await startDemoApi({ token: TOKEN, anchor });
  referenceDb = join(work, 'reference.duckdb');
  await writeReferenceDatabase(referenceDb, generateRetailData({ anchor }));
  github = await startFakeGitHub({ token: GITHUB_TOKEN, owner: 'acme-retail', repo: 'dataops' });
});

afterAll(async () => {
  await api?.close();
  await github?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const runAction = actionRunner(() => work, () => ({ DEMO_API_URL: api.url, DEMO_API_TOKEN: TOKEN, DEMO_REFERENCE_DB: referenceDb }));

/** The source answers every request for transactions with a 500 (Retry-After: 0, so the retries are quick). */
function breakTransactions(): void {
  api.setFaults([{ path: '/v1/transactions', kind: 'server_error', status: 500, retryAfterSeconds: 0, times: Infinity }]);
}

async function status(database: string): Promise<StatusReport> {
  const child = spawn(process.execPath, [BIN, '-C', REPO, '--database', database, 'status', '--json'], { env: { PATH: process.env.PATH ?? '' } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(code).toBe(0);
  return JSON.parse(out) as StatusReport;
}

describe('a failed ingest followed by the quality gate (the hourly workflow)', () => {
  it('is failed everywhere, with the ingest error first; the ingest summary shows nothing of the earlier run', async () => {
    const database = join(work, 'hourly.duckdb');
    const site = join(work, 'site');
    // An earlier, healthy hour of every pipeline: what the Actions cache restores.
    api.setFaults(undefined);
    const earlier = await runAction('ingest', { database });
    expect(earlier.code).toBe(0);
    expect((await runAction('transform', { database, 'run-id': earlier.outputs['run-id'] })).code).toBe(0);
    const earlierGate = await runAction('quality-gate', { database, 'run-id': earlier.outputs['run-id'] });
    expect(earlierGate.code).toBe(0);
    expect(earlierGate.summary).toContain('### Warned checks');

    // This hour the source fails. The workflow skips the transform and still runs the gate.
    breakTransactions();
    const ingest = await runAction('ingest', { database, pipelines: 'retail_pos' });
    api.setFaults(undefined);
    expect(ingest.code).toBe(1);
    const runId = ingest.outputs['run-id'];
    expect(runId).toMatch(/^run_\w+$/);
    expect(runId).not.toBe(earlier.outputs['run-id']);
    expect(failureLines(ingest.stdout)).toEqual([expect.stringMatching(/^::error::ingest failed: retail_pos: resource transactions: http:\/\/127\.0\.0\.1:\d+\/v1\/transactions\?.*HTTP 500/)]);
    expect(ingest.summary.split('\n')[0]).toBe(`## ❌ ingest: run ${runId}`);
    expect(ingest.summary).toContain('failed runs: 1');
    // This run's counts only: no checks yet, and none of the earlier run's warnings.
    expect(ingest.summary).toContain('checks: 0 passed, 0 warned, 0 failed');
    expect(ingest.summary).not.toContain('Warned checks');

    const gate = await runAction('quality-gate', { database, pipelines: 'retail_pos', 'run-id': runId, 'report-dir': site });
    expect(gate.code).toBe(1);
    expect(gate.outputs['run-id']).toBe(runId);
    const [failure] = failureLines(gate.stdout);
    expect(failure).toMatch(/^::error::quality-gate failed: retail_pos: ingest failed earlier in this run: resource transactions: .*HTTP 500/);
    expect(gate.summary.split('\n')[0]).toBe(`## ❌ quality-gate: run ${runId}`);
    expect(gate.summary).toContain('failed runs: 1');
    expect(gate.summary).toMatch(/### Failed runs\n\n.*\n.*\n\| retail_pos \| run_\w+ \| [^|]+ \| ingest: resource transactions: /);
    expect(gate.summary).toMatch(/\| retail_pos \(ingest, earlier in this run\) \| resource transactions: /);

    const report = await status(database);
    const pos = report.pipelines.find((p) => p.name === 'retail_pos')!;
    expect(pos.last_run).toMatchObject({ run_id: runId, status: 'failed' });
    expect(pos.last_run!.error).toMatch(/^ingest: resource transactions: .*HTTP 500/);
    expect(pos.last_run!.steps.map((s) => [s.step, s.status])).toEqual([['ingest', 'failed'], ['check', 'success']]);
    expect(pos.checks_run_id).toBe(runId);

    const index = await readFile(join(site, 'index.html'), 'utf8');
    expect(index).toContain('<dt>Overall</dt><dd><span class="badge bad">Needs attention</span></dd>');
    expect(index).toMatch(/<pre class="error">ingest: resource transactions: http:\/\/127\.0\.0\.1:\d+\/v1\/transactions\?[^<]*HTTP 500/);
    expect(index).not.toContain('All good');

    for (const run of [ingest, gate]) {
      expectSecretHidden(run, TOKEN);
      expectNoStackTrace(run);
    }
  }, 90_000);
});

describe('an ingest killed mid-fetch followed by the quality gate (a runner that died, an OOM kill)', () => {
  it('is failed (interrupted) in the gate summary, its exit code and status, though every check passes', async () => {
    const database = join(work, 'killed.duckdb');
    api.setFaults(undefined);
    const earlier = await runAction('ingest', { database });
    expect(earlier.code).toBe(0);
    expect((await runAction('transform', { database, 'run-id': earlier.outputs['run-id'] })).code).toBe(0);

    // Each transactions page stalls, well under the client's timeout; the process is killed on the first.
    api.setFaults([{ path: '/v1/transactions', kind: 'slow', delayMs: 300, times: Infinity }]);
    const killed = await runAction('ingest', { database, pipelines: 'retail_pos' }, {}, { killWhen: () => api.injected.length > 0 });
    api.setFaults(undefined);
    expect(killed.code).toBeNull();
    // The run id is an output from the start, so the workflow's gate continues this run.
    const runId = killed.outputs['run-id'];
    expect(runId).toMatch(/^run_\w+$/);

    const gate = await runAction('quality-gate', { database, pipelines: 'retail_pos', 'run-id': runId });
    expect(gate.code).toBe(1);
    expect(failureLines(gate.stdout)).toEqual([expect.stringMatching(/^::error::quality-gate failed: retail_pos: ingest failed earlier in this run: interrupted: /)]);
    expect(gate.summary.split('\n')[0]).toBe(`## ❌ quality-gate: run ${runId}`);
    expect(gate.summary).toContain('failed runs: 1');
    expect(gate.summary).toContain('| retail_pos | ❌ failed |');

    const pos = (await status(database)).pipelines.find((p) => p.name === 'retail_pos')!;
    expect(pos.last_run).toMatchObject({ run_id: runId, status: 'failed' });
    expect(pos.last_run!.error).toMatch(/^ingest: interrupted: /);
    expect(pos.last_run!.steps.map((s) => [s.step, s.status])).toEqual([['ingest', 'failed'], ['check', 'success']]);
  }, 120_000);
});

describe('the same steps through the command line', () => {
  it('a check step that continues a failed run exits 1 and names the failed ingest', async () => {
    const database = join(work, 'cli.duckdb');
    const env = { PATH: process.env.PATH ?? '', DEMO_API_URL: api.url, DEMO_API_TOKEN: TOKEN, DEMO_REFERENCE_DB: referenceDb, DATAOPS_LANDING_DIR: join(work, 'landing') };
    const dataops = async (...args: string[]) => {
      const child = spawn(process.execPath, [BIN, '-C', REPO, '--database', database, ...args], { env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const code = await new Promise((resolve) => child.on('close', resolve));
      return { code, out };
    };
    breakTransactions();
    const ingest = await dataops('run', 'retail_pos', '--step', 'ingest', '--run-id', 'run_cli_1');
    api.setFaults(undefined);
    expect(ingest.code).toBe(1);
    const check = await dataops('run', 'retail_pos', '--step', 'check', '--run-id', 'run_cli_1');
    expect(check.code).toBe(1);
    expect(check.out).toMatch(/^ {2}retail_pos: the ingest step of this run FAILED earlier: resource transactions: .*HTTP 500/m);
    expect(check.out).not.toContain(TOKEN);
  }, 60_000);
});

describe('a failed ingest in a pull request (a new copy of the warehouse)', () => {
  it('leads the comment with the root cause and lists the checks that could not run under it', async () => {
    const database = join(work, 'pr.duckdb');
    breakTransactions();
    const ingest = await runAction('ingest', { database, pipelines: 'retail_pos' });
    api.setFaults(undefined);
    expect(ingest.code).toBe(1);
    const runId = ingest.outputs['run-id'];

    const onPullRequest = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: pullRequestEvent, GITHUB_API_URL: github.url, GITHUB_REF: 'refs/pull/42/merge' };
    const gate = await runAction(
      'quality-gate',
      { database, 'run-id': runId, 'pr-comment': 'true', 'github-token': GITHUB_TOKEN, 'changed-files': 'pipelines/retail_pos.yml' },
      onPullRequest,
    );
    expect(gate.code).toBe(1);
    const comment = github.comments.find((c) => c.issue === 42 && c.body.startsWith(PR_REPORT_MARKER))!.body;
    expect(comment.split('\n')[1]).toBe('## ❌ Data-ops: this pull request needs attention');
    // The root cause before anything else, with the source, the URL (no secret) and the error.
    const rootCause = comment.indexOf('### Root cause');
    expect(rootCause).toBeGreaterThan(0);
    expect(rootCause).toBeLessThan(comment.indexOf('### What this pull request builds'));
    expect(comment.slice(rootCause)).toMatch(/^### Root cause\n\n\*\*`retail_pos`: the ingest step failed\*\*\n\n```text\nresource transactions: http:\/\/127\.0\.0\.1:\d+\/v1\/transactions\?[^\n]*HTTP 500/);
    // The knock-on: checks on tables that were never created, listed under the cause.
    const knockOn = /Because of it, (\d+) checks could not run:\n\n((?:- .*\n)+)/.exec(comment);
    expect(knockOn).not.toBeNull();
    expect(knockOn![2]).toContain("`retail_pos` silver.transactions unique(transaction_id): could not run: Object 'silver.transactions' does not exist");
    // Warn-severity checks that could not run are warnings, never counted as failures.
    expect(knockOn![2]).not.toContain('accepted_values(payment_method)');
    expect(comment).toMatch(/checks: \d+ passed, [1-9]\d* warned, \d+ failed/);
    expect(comment).not.toContain(TOKEN);
    expectSecretHidden(gate, TOKEN);
    expectNoStackTrace(gate);
    expect(github.violations).toEqual([]);
  }, 60_000);
});
