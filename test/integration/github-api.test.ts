// The sticky PR comment and the freshness issues, through Octokit, against a loopback GitHub that checks
// every request against GitHub's OpenAPI description and answers from its examples (test/helpers/github-api.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHub, type GitHub } from '../../src/github/client.js';
import { runAlerts } from '../../src/alerts/alerts.js';
import type { RunResult } from '../../src/engine.js';
import { ALERT_LABELS, syncAlertIssues } from '../../src/github/alert-issues.js';
import { FRESHNESS_LABEL, syncFreshnessIssues } from '../../src/github/freshness-issues.js';
import type { CheckOutcome } from '../../src/quality/checks.js';
import { COMMENT_MAX_CHARS, PR_REPORT_MARKER, renderPrComment, upsertPrComment } from '../../src/github/pr-comment.js';
import type { CheckResult, FreshnessState, StatusReport, TableStatus } from '../../src/state/types.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/github-api.js';

const TOKEN = 'ghs_test0123456789abcdefghijklmnopqrstuv';
let fake: FakeGitHub;
let github: GitHub;
const repo = { owner: 'acme-retail', repo: 'dataops' };

beforeAll(async () => {
  fake = await startFakeGitHub({ token: TOKEN, ...repo });
  github = createGitHub(TOKEN, { GITHUB_API_URL: fake.url });
});

afterAll(async () => {
  await fake?.close();
});

beforeEach(() => {
  fake.comments.length = 0;
  fake.issues.length = 0;
  fake.requests.length = 0;
  fake.violations.length = 0;
});

const ours = (pr: number) => fake.comments.filter((c) => c.issue === pr && c.body.startsWith(PR_REPORT_MARKER));

describe('the sticky pull request comment', () => {
  it('is created once, then edited in place, never posted twice', async () => {
    const pr = 42;
    // More than a page of other comments, one of them quoting our marker: ours is found on page two.
    for (let i = 0; i < 120; i++) fake.addComment(pr, i === 7 ? `> ${PR_REPORT_MARKER}\n> quoted` : `review note ${i}`);

    const first = await upsertPrComment(github, repo, pr, `${PR_REPORT_MARKER}\nfirst`);
    expect(first.action).toBe('created');
    expect(first.url).toMatch(new RegExp(`/pull/${pr}#issuecomment-${first.id}$`));

    const second = await upsertPrComment(github, repo, pr, `${PR_REPORT_MARKER}\nsecond`);
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    const third = await upsertPrComment(github, repo, pr, `${PR_REPORT_MARKER}\nsecond`);
    expect(third).toMatchObject({ action: 'unchanged', id: first.id });

    expect(ours(pr)).toEqual([expect.objectContaining({ id: first.id, body: `${PR_REPORT_MARKER}\nsecond` })]);
    expect(fake.comments.filter((c) => c.issue === pr)).toHaveLength(121);
    expect(fake.requests.map((r) => r.operationId)).toEqual([
      'issues/list-comments', 'issues/list-comments', 'issues/create-comment',
      'issues/list-comments', 'issues/list-comments', 'issues/update-comment',
      'issues/list-comments', 'issues/list-comments',
    ]);
    expect(fake.requests[1].query).toMatchObject({ per_page: '100', page: '2' });
    expect(fake.violations).toEqual([]);
  });

  it('keeps a report with thousands of problems under 65,536 characters, marker first', async () => {
    const checks: CheckResult[] = Array.from({ length: 5000 }, (_, i) => ({
      table: 'silver.transactions', check: `accepted_values(status_${i})`, kind: 'accepted_values', severity: 'error', status: 'fail',
      failing_rows: i, message: `${i} rows are not one of paid, refunded, void — e.g. "péndiente ${'x'.repeat(80)}"`,
    }));
    const body = renderPrComment({
      report: statusReport([{ name: 'silver.transactions', state: 'fresh' }], checks),
      diagnostics: Array.from({ length: 400 }, (_, i) => ({ file: 'pipelines/retail_pos.yml', line: i + 1, col: 3, severity: 'error' as const, message: `unknown key "x${i}" | <b>` })),
      failure: 'quality-gate failed: 5000 checks failed ``` closing fence',
      scope: { files: ['pipelines/retail_pos.yml'], changedPipelines: ['retail_pos'], changedModels: [], pipelines: ['retail_pos'], models: ['gold.fact_sales'], skipped: [] },
      runId: 'run_1', runUrl: 'https://github.com/acme-retail/dataops/actions/runs/1', blobUrl: 'https://github.com/acme-retail/dataops/blob/abc', sha: 'abcdef1234567',
    });
    expect(body.startsWith(`${PR_REPORT_MARKER}\n## ❌`)).toBe(true);
    expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
    expect(body.length).toBeGreaterThan(50_000);
    expect(body).toContain('[pipelines/retail_pos.yml:1:3](https://github.com/acme-retail/dataops/blob/abc/pipelines/retail_pos.yml#L1)');
    expect(body).toContain('350 more: run `npx dataops validate`');
    expect(body).toContain('Truncated');
    expect(body).not.toContain('<b>');
    // The failure cannot close its code block early.
    expect(body).toContain("''' closing fence");
    const posted = await upsertPrComment(github, repo, 7, body);
    expect(posted.action).toBe('created');
    expect(fake.violations).toEqual([]);
  });

  it('says which call failed and what permission is missing when GitHub refuses', async () => {
    fake.failNext('issues/create-comment', 403);
    await expect(upsertPrComment(github, repo, 9, `${PR_REPORT_MARKER}\nx`)).rejects.toThrow(
      /posting the report comment on pull request #9 failed with HTTP 403: .*pull-requests: write.*fork gets a read-only token/,
    );
  });
});

describe('freshness issues', () => {
  it('opens one issue per table in error, never a second, and closes it with a comment on recovery', async () => {
    // Someone's pull request with the same label is not a freshness issue.
    fake.addIssue({ title: 'Freshness: silver.transactions is stale', labels: [FRESHNESS_LABEL], isPullRequest: true });

    const first = await syncFreshnessIssues(github, repo, tables({ 'silver.transactions': 'error', 'silver.stores': 'fresh', 'silver.products': 'unknown' }), {
      runUrl: 'https://github.com/acme-retail/dataops/actions/runs/77',
    });
    expect(first.opened.map((i) => i.table)).toEqual(['silver.transactions']);
    const issue = fake.issues.find((i) => i.number === first.opened[0].number)!;
    expect(issue).toMatchObject({ title: 'Freshness: silver.transactions is stale', labels: [FRESHNESS_LABEL], state: 'open' });
    expect(issue.body).toContain('<!-- dataops:freshness table=silver.transactions -->');
    expect(issue.body).toContain('actions/runs/77');

    // Still stale an hour later, and the title edited by a person: the same issue, found by its marker.
    issue.title = 'Transactions are late again';
    const again = await syncFreshnessIssues(github, repo, tables({ 'silver.transactions': 'error' }));
    expect(again).toMatchObject({ opened: [], closed: [], alreadyOpen: [{ table: 'silver.transactions', number: issue.number }] });
    expect(fake.issues.filter((i) => !i.isPullRequest)).toHaveLength(1);

    // Within the error threshold again (warn): recovered.
    const recovered = await syncFreshnessIssues(github, repo, tables({ 'silver.transactions': 'warn' }));
    expect(recovered.closed.map((i) => i.number)).toEqual([issue.number]);
    expect(issue).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(fake.comments.filter((c) => c.issue === issue.number).map((c) => c.body)).toEqual([expect.stringMatching(/^Recovered: `silver\.transactions` is back within/)]);

    const quiet = await syncFreshnessIssues(github, repo, tables({ 'silver.transactions': 'fresh' }));
    expect(quiet).toEqual({ opened: [], closed: [], alreadyOpen: [] });
    expect(fake.requests.filter((r) => r.method !== 'GET').map((r) => r.operationId)).toEqual(['issues/create', 'issues/create-comment', 'issues/update']);
    expect(fake.requests.filter((r) => r.operationId === 'issues/list-for-repo').every((r) => r.query.labels === FRESHNESS_LABEL && r.query.state === 'open')).toBe(true);
    expect(fake.violations).toEqual([]);
  });

  it('makes no call when no table has a freshness SLA', async () => {
    const result = await syncFreshnessIssues(github, repo, [{ name: 'gold.fact_sales', layer: 'gold', pipeline: null, rows: 1, last_loaded_at: null, freshness: null }]);
    expect(result).toEqual({ opened: [], closed: [], alreadyOpen: [] });
    expect(fake.requests).toEqual([]);
  });
});

describe('failed runs and failing checks as issues', () => {
  const sync = (runId: string, result: Pick<RunResult, 'pipelines' | 'earlierFailures'>) =>
    syncAlertIssues(github, repo, runAlerts(result, { runId, runUrl: `https://github.com/acme-retail/dataops/actions/runs/${runId}` }));
  const openIssues = () => fake.issues.filter((i) => i.state === 'open' && !i.isPullRequest);
  const commentsOn = (number: number) => fake.comments.filter((c) => c.issue === number).map((c) => c.body);

  it('opens one issue per failed pipeline and per failing error check, updates it at each failure, closes it on recovery', async () => {
    // Run 1: retail_pos's ingest failed (its unique check could not run: the run's knock-on, no issue of its
    // own); stores' error check fails; a warn check fails too, and never opens an issue.
    const first = await sync('run_1', {
      earlierFailures: [{ pipeline: 'retail_pos', step: 'ingest', error: 'transactions: HTTP 503 from https://pos.example/v1/transactions' }],
      pipelines: [
        pipelineRun('retail_pos', [check('retail_pos', 'silver.transactions', 'unique(transaction_id)', 'error', 'error')]),
        pipelineRun('stores', [check('stores', 'silver.stores', 'not_null(store_id)', 'error', 'fail', 3), check('stores', 'silver.stores', 'accepted_values(region)', 'warn', 'warn', 9)]),
      ],
    });
    expect(first.opened.map((i) => i.alert.title)).toEqual(['Run failed: pipeline retail_pos', 'Check failed: silver.stores not_null(store_id)']);
    const [runIssue, checkIssue] = first.opened.map((i) => fake.issues.find((x) => x.number === i.number)!);
    expect(runIssue).toMatchObject({ labels: [ALERT_LABELS.run], state: 'open' });
    expect(runIssue.body).toContain('<!-- dataops:run key=retail_pos -->');
    expect(runIssue.body).toContain('HTTP 503 from https://pos.example/v1/transactions');
    expect(checkIssue).toMatchObject({ labels: [ALERT_LABELS.check], state: 'open' });
    expect(checkIssue.body).toContain('<!-- dataops:check key=stores%2Fsilver.stores%2Fnot_null(store_id) -->');
    expect(checkIssue.body).toContain('pipelines/stores.yml:7');
    expect(checkIssue.body).toContain('SELECT * FROM silver.stores WHERE store_id IS NULL');
    expect(openIssues()).toHaveLength(2);

    // Run 2: both fail again, and someone renamed the run issue: the same two issues, each with a comment.
    runIssue.title = 'POS ingest is down';
    const second = await sync('run_2', {
      earlierFailures: [{ pipeline: 'retail_pos', step: 'transform', error: 'gold models: Binder Error: column x not found' }],
      pipelines: [pipelineRun('retail_pos', []), pipelineRun('stores', [check('stores', 'silver.stores', 'not_null(store_id)', 'error', 'fail', 5)])],
    });
    expect(second.opened).toEqual([]);
    expect(second.updated.map((i) => i.number)).toEqual([runIssue.number, checkIssue.number]);
    expect(openIssues()).toHaveLength(2);
    expect(commentsOn(runIssue.number)).toEqual([expect.stringMatching(/^Failed again: run `run_2` \(\[workflow run\]\(.*runs\/run_2\)\):\n\n```text\ntransform: gold models: Binder Error/)]);
    expect(commentsOn(checkIssue.number)).toEqual([expect.stringMatching(/^Failed again in run `run_2`.*: 5 failing rows\.$/)]);

    // Run 3: retail_pos runs clean, and the stores check only warns now: both closed, with a comment.
    const third = await sync('run_3', {
      earlierFailures: [],
      pipelines: [pipelineRun('retail_pos', [check('retail_pos', 'silver.transactions', 'unique(transaction_id)', 'error', 'pass')]), pipelineRun('stores', [check('stores', 'silver.stores', 'not_null(store_id)', 'warn', 'warn', 1)])],
    });
    expect(third.closed.map((i) => i.number)).toEqual([runIssue.number, checkIssue.number]);
    expect(openIssues()).toEqual([]);
    expect(runIssue).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(commentsOn(runIssue.number).at(-1)).toMatch(/^Recovered: run `run_3` of `retail_pos` succeeded/);
    expect(commentsOn(checkIssue.number).at(-1)).toMatch(/^Recovered: `not_null\(store_id\)` on `silver.stores` no longer fails at error severity/);

    // Run 4: quiet, no call but the listings. Run 5: a new failure opens a new issue.
    const quiet = await sync('run_4', { earlierFailures: [], pipelines: [pipelineRun('retail_pos', [])] });
    expect(quiet).toEqual({ opened: [], updated: [], alreadyOpen: [], closed: [] });
    const again = await sync('run_5', { earlierFailures: [], pipelines: [{ ...pipelineRun('retail_pos', []), error: 'transactions: HTTP 401' }] });
    expect(again.opened).toHaveLength(1);
    expect(again.opened[0].number).not.toBe(runIssue.number);

    expect(fake.requests.filter((r) => r.method !== 'GET').map((r) => r.operationId)).toEqual([
      'issues/create', 'issues/create',
      'issues/create-comment', 'issues/create-comment',
      'issues/create-comment', 'issues/update', 'issues/create-comment', 'issues/update',
      'issues/create',
    ]);
    expect(fake.requests.filter((r) => r.operationId === 'issues/list-for-repo').map((r) => r.query.labels)).toContain(ALERT_LABELS.check);
    expect(fake.violations).toEqual([]);
  });

  it('never opens an issue for warnings, nor makes a call to close what was never opened', async () => {
    const result = await sync('run_1', { earlierFailures: [], pipelines: [pipelineRun('stores', [check('stores', 'silver.stores', 'range(size_m2 >= 0)', 'warn', 'warn', 40), check('stores', 'silver.stores', 'unique(store_id)', 'error', 'pass')])] });
    expect(result).toEqual({ opened: [], updated: [], alreadyOpen: [], closed: [] });
    expect(fake.issues).toEqual([]);
    expect(fake.requests.every((r) => r.method === 'GET')).toBe(true);
  });
});

describe('the loopback GitHub holds requests to the OpenAPI description', () => {
  it.each([
    { what: 'an undeclared body field', call: () => github.request('POST /repos/{owner}/{repo}/issues', { ...repo, title: 'x', lables: ['typo'] }), why: /undeclared body field lables/ },
    // Octokit's types already refuse these; `as never` makes the calls anyway, as untyped code could.
    { what: 'a body of the wrong type', call: () => github.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: 1, body: 42 as never }), why: /body: \/body must be string/ },
    { what: 'a missing required field', call: () => github.request('POST /repos/{owner}/{repo}/issues', { ...repo, body: 'no title' } as never), why: /must have required property 'title'/ },
    { what: 'a path parameter of the wrong type', call: () => github.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: 'abc' as never }), why: /path parameter issue_number="abc"/ },
    { what: 'a query value outside its enum', call: () => github.request('GET /repos/{owner}/{repo}/issues', { ...repo, state: 'stale' as never }), why: /query parameter state="stale"/ },
    { what: 'an operation GitHub does not have', call: () => github.request('POST /repos/{owner}/{repo}/issues/{issue_number}/close', { ...repo, issue_number: 1 }), why: /no such operation/ },
  ])('rejects $what', async ({ call, why }) => {
    await expect(call()).rejects.toMatchObject({ status: 400 });
    expect(fake.violations.join('\n')).toMatch(why);
  });
});

function pipelineRun(pipeline: string, checks: CheckOutcome[]): RunResult['pipelines'][number] {
  return { pipeline, batches: [], silverLoads: [], checks };
}

function check(pipeline: string, table: string, name: string, severity: 'warn' | 'error', status: CheckOutcome['status'], failing = 0): CheckOutcome {
  const column = /\((\w+)/.exec(name)![1];
  return {
    pipeline, file: `pipelines/${pipeline}.yml`, line: 7, table, check: name, kind: name.split('(')[0], severity, status, failing_rows: failing,
    message: status === 'error' ? 'could not run: Catalog Error: Table silver.transactions does not exist' : `${failing} failing rows`,
    sql: `SELECT * FROM ${table} WHERE ${column} IS NULL`,
    table_rows: null,
    samples: [],
  };
}

function tables(states: Record<string, FreshnessState>): TableStatus[] {
  return Object.entries(states).map(([name, state]) => table(name, state));
}

function table(name: string, state: FreshnessState): TableStatus {
  const age = { fresh: 600, warn: 3 * 3600, error: 30 * 3600, unknown: null }[state];
  return {
    name, layer: 'silver', pipeline: 'retail_pos', rows: 10, last_loaded_at: '2026-11-22T11:00:00.000Z',
    freshness: {
      field: 'sold_at', latest: age === null ? null : new Date(Date.parse('2026-11-22T12:00:00Z') - age * 1000).toISOString(),
      age_seconds: age, warn_after_seconds: 7200, error_after_seconds: 21_600, state,
    },
  };
}

function statusReport(states: Array<{ name: string; state: FreshnessState }>, checks: CheckResult[]): StatusReport {
  return {
    generated_at: '2026-11-22T12:00:00.000Z',
    target: { kind: 'duckdb', database: '/w/.dataops/pr_42.duckdb' },
    tables: states.map((s) => table(s.name, s.state)),
    pipelines: [{
      name: 'retail_pos', description: 'POS', owner: 'data-eng', file: 'pipelines/retail_pos.yml',
      last_run: { run_id: 'run_1', status: 'success', started_at: '2026-11-22T11:59:00.000Z', finished_at: '2026-11-22T12:00:00.000Z', error: null, steps: [] },
      batches: [], silver_loads: [], checks, checks_run_id: 'run_1', rejected: [], schema_drift: [],
    }],
    conservation_ok: true,
  };
}
