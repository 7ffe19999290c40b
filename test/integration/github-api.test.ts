// The sticky PR comment and the freshness issues, through Octokit, against a loopback GitHub that checks
// every request against GitHub's OpenAPI description and answers from its examples (test/helpers/github-api.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHub, type GitHub } from '../../src/github/client.js';
import { FRESHNESS_LABEL, syncFreshnessIssues } from '../../src/github/freshness-issues.js';
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
