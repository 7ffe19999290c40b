// The three actions run exactly as the runner runs them (test/helpers/actions.ts), against the
// repository's pipelines, a temporary DuckDB file and the demo API started here.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRetailData } from '../../src/demo/data.js';
import { writeReferenceDatabase } from '../../src/demo/reference-db.js';
import { startDemoApi, type DemoApi } from '../../src/demo/server.js';
import { PR_REPORT_MARKER } from '../../src/github/pr-comment.js';
import { actionRunner, annotationLines, count, expectNoStackTrace, expectSecretHidden, failureLines, forkPullRequestEvent, pullRequestEvent, type ActionRun } from '../helpers/actions.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/github-api.js';
import { REPO } from '../helpers/project.js';

const GITHUB_TOKEN = 'ghs_actionsTest0123456789abcdefghijkl';
const TOKEN = 'demo-token-7f3c9a1e5b2d4c68a0e1';

let work: string;
let api: DemoApi;
let referenceDb: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'dataops-actions-'));
  const anchor = new Date();
  api = await startDemoApi({ token: TOKEN, anchor });
  referenceDb = join(work, 'reference.duckdb');
  await writeReferenceDatabase(referenceDb, generateRetailData({ anchor }));
});

afterAll(async () => {
  await api?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const runAction = actionRunner(() => work, () => ({ DEMO_API_URL: api.url, DEMO_API_TOKEN: TOKEN, DEMO_REFERENCE_DB: referenceDb }));

describe('actions run as the runner runs them', () => {
  it('chains ingest -> transform -> quality-gate as one run, with outputs, annotations and summaries', async () => {
    const database = join(work, 'chain.duckdb');
    const reportDir = join(work, 'site');

    const ingest = await runAction('ingest', { database });
    expect(ingest.stderr).toBe('');
    expect(ingest.code).toBe(0);
    const runId = ingest.outputs['run-id'];
    expect(runId).toMatch(/^run_\w+$/);
    expect(ingest.outputs.outcome).toBe('success');
    expect(count(ingest, 'loaded')).toBeGreaterThan(1000);
    expect(count(ingest, 'accepted')).toBe(0);
    expect(count(ingest, 'checks-passed')).toBe(0);
    // The engine registered the API token when it read it; the action told the runner to mask it.
    expect(ingest.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(ingest.summary).toContain(`## ✅ ingest: run ${runId}`);
    expect(ingest.summary).toContain('### This step: ingest');
    expect(ingest.summary).toContain('Triggered by schedule `0 * * * *`');
    expect(ingest.summary).toMatch(/\| retail_pos \| transactions \| [\d,]+ \| [\d,]+ \| bronze\.retail_pos_transactions \|/);

    const transform = await runAction('transform', { database, 'run-id': runId });
    expect(transform.code).toBe(0);
    expect(transform.outputs['run-id']).toBe(runId);
    expect(transform.outputs.outcome).toBe('success');
    expect(count(transform, 'loaded')).toBe(count(ingest, 'loaded'));
    expect(count(transform, 'accepted')).toBeGreaterThan(0);
    expect(count(transform, 'rejected')).toBeGreaterThan(0);
    expect(transform.summary).toContain('#### Silver');
    expect(transform.summary).toContain('#### SQL models');
    expect(transform.summary).toMatch(/\| gold\.fact_sales \| sql\/gold\/[\w/]+\.sql \| [\d,]+ \|/);

    // A list in every separator the input accepts; it names all four pipelines.
    const gate = await runAction('quality-gate', { database, 'run-id': runId, pipelines: 'retail_pos, inventory\ncatalog  stores', 'report-dir': reportDir });
    expect(gate.code).toBe(0);
    expect(gate.outputs['run-id']).toBe(runId);
    expect(gate.outputs.outcome).toBe('success');
    expect(count(gate, 'loaded')).toBe(count(ingest, 'loaded'));
    expect(count(gate, 'accepted')).toBe(count(transform, 'accepted'));
    expect(count(gate, 'rejected')).toBe(count(transform, 'rejected'));
    expect(count(gate, 'checks-passed')).toBeGreaterThan(10);
    expect(count(gate, 'checks-failed')).toBe(0);
    const warned = count(gate, 'checks-warned');
    expect(warned).toBeGreaterThan(0);
    expect(gate.outputs['report-path']).toBe(join(reportDir, 'index.html'));
    expect(existsSync(gate.outputs['report-path'])).toBe(true);
    // Each warned check is annotated on the line of the pipeline file that declares it.
    const warnings = annotationLines(gate.stdout, 'warning');
    expect(warnings).toHaveLength(Math.min(warned, 10));
    // A custom check (sql/checks) is annotated in its own file.
    for (const w of warnings) expect(w).toMatch(/^::warning title=Check warned%3A .+,file=(pipelines\/\w+\.yml|sql\/checks\/\w+\.sql),line=\d+::\d+ failing rows?/);
    expect(failureLines(gate.stdout)).toEqual([]);
    // Checks warned and none failed: amber, not green and not red.
    expect(gate.summary).toContain(`## ⚠️ quality-gate: run ${runId}`);
    expect(gate.summary).toContain(`### Warned checks (${warned})`);
    expect(gate.summary).toMatch(/\| silver\.\w+ \| [^|]+ \| warn \| warn \| [\d,]+ \| pipelines\/\w+\.yml:\d+ \|/);

    for (const run of [ingest, transform, gate]) {
      expectSecretHidden(run, TOKEN);
      expectNoStackTrace(run);
    }
  }, 45_000);

  it('fails the gate with fail-on: warn when checks warn, with one message naming them', async () => {
    const database = join(work, 'warn.duckdb');
    const ingest = await runAction('ingest', { database, pipelines: 'retail_pos' });
    expect(ingest.code).toBe(0);
    const runId = ingest.outputs['run-id'];
    expect((await runAction('transform', { database, pipelines: 'retail_pos', 'run-id': runId })).code).toBe(0);

    const gate = await runAction('quality-gate', { database, pipelines: 'retail_pos', 'run-id': runId, 'fail-on': 'warn' });
    expect(gate.code).toBe(1);
    expect(gate.outputs.outcome).toBe('failure');
    expect(count(gate, 'checks-warned')).toBeGreaterThan(0);
    const [failure, ...others] = failureLines(gate.stdout);
    expect(others).toEqual([]);
    expect(failure).toMatch(/^::error::quality-gate failed: \d+ checks? failed or warned \(fail-on: warn\): silver\.\w+ .+ \(pipelines\/retail_pos\.yml:\d+\)/);
    expect(gate.summary).toContain(`quality-gate: run ${runId}`);
    expectSecretHidden(gate, TOKEN);
    expectNoStackTrace(gate);
  }, 30_000);

  // Also on Node 20, where snowflake-sdk's AWS SDK would warn about Node 22 as it loads: nothing on stderr.
  const badInputs: Array<{ name: string; action: string; inputs: Record<string, string>; env?: Record<string, string | undefined>; names: RegExp }> = [
    { name: 'an unknown pipeline name', action: 'ingest', inputs: { pipelines: 'retail_pos nope' }, names: /unknown pipeline nope \(pipelines: catalog, inventory, retail_pos, stores\)/ },
    { name: 'an unknown target', action: 'quality-gate', inputs: { target: 'bigquery' }, names: /input target: "bigquery" is not a target; supported: duckdb, snowflake/ },
    { name: 'target snowflake with no connection set', action: 'ingest', inputs: { target: 'snowflake' }, names: /SNOWFLAKE_ACCOUNT is not set/ },
    // An empty target input leaves the choice to DATAOPS_TARGET, then dataops.yml, as on the command line.
    { name: 'DATAOPS_TARGET=snowflake with no connection set', action: 'transform', inputs: {}, env: { DATAOPS_TARGET: 'snowflake' }, names: /SNOWFLAKE_ACCOUNT is not set/ },
    { name: 'pr-comment without a token', action: 'quality-gate', inputs: { 'pr-comment': 'true' }, names: /input github-token: pr-comment is true but no token is given/ },
    { name: 'a flag that is not true or false', action: 'quality-gate', inputs: { 'freshness-issues': 'yes' }, names: /input freshness-issues: "yes" is not one of true, false/ },
    { name: 'an unknown fail-on policy', action: 'quality-gate', inputs: { 'fail-on': 'sometimes' }, names: /input fail-on: "sometimes" is not one of error, warn, never/ },
    { name: 'a missing secret variable', action: 'ingest', inputs: {}, env: { DEMO_API_TOKEN: undefined }, names: /environment variable DEMO_API_TOKEN is not set \(needed for source\.auth\.token\) \(pipelines\/\w+\.yml:\d+:\d+/ },
    { name: 'a project folder without pipelines', action: 'ingest', inputs: { project: 'sql' }, names: /input project: .*sql has no pipelines\/ folder/ },
    { name: 'backfill-from without backfill-to', action: 'ingest', inputs: { 'backfill-from': '2026-11-15' }, names: /input backfill-to: empty, but backfill-from is set: a backfill takes both/ },
    { name: 'a backfill date that is not one', action: 'ingest', inputs: { 'backfill-from': '15/11/2026', 'backfill-to': '2026-11-16' }, names: /input backfill-from: expected a date \(YYYY-MM-DD, UTC\) or a timestamp with its offset .*, got "15\/11\/2026"/ },
  ];

  it.each(badInputs)('fails on $name with exit code 1 and one message naming what to fix', async ({ action, inputs, env, names }) => {
    const database = join(work, 'bad-input.duckdb');
    const run = await runAction(action, { database, ...inputs }, env);
    expect(run.code).toBe(1);
    expect(run.outputs.outcome).toBe('failure');
    const failures = failureLines(run.stdout);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(new RegExp(`^::error::${action} failed: `));
    expect(failures[0]).toMatch(names);
    expect(run.summary).toContain(`## ❌ ${action} failed`);
    expectNoStackTrace(run);
    expectSecretHidden(run, TOKEN);
    expect(run.stderr).toBe('');
  }, 15_000);

  it('backfills with backfill-from and backfill-to; transform and the gate continue the run as usual', async () => {
    const database = join(work, 'backfill.duckdb');
    expect((await runAction('ingest', { database, pipelines: 'retail_pos' })).code).toBe(0);
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const ingest = await runAction('ingest', { database, pipelines: 'retail_pos', 'backfill-from': day, 'backfill-to': day });
    expect(ingest.code).toBe(0);
    // Bronze has every record of the window already.
    expect(count(ingest, 'loaded')).toBe(0);
    expect(ingest.summary).toContain(`#### A backfill of [${day}T00:00:00Z, `);
    expect(ingest.summary).toContain(`| retail_pos.transactions: backfill of [${day}T00:00:00Z, `);
    expect(ingest.summary).toMatch(/\| retail_pos\.transactions: the cursor stays at \S+ \|/);
    const runId = ingest.outputs['run-id'];
    expect((await runAction('transform', { database, pipelines: 'retail_pos', 'run-id': runId })).code).toBe(0);
    const gate = await runAction('quality-gate', { database, pipelines: 'retail_pos', 'run-id': runId, 'fail-on': 'never' });
    expect(gate.code).toBe(0);
    expectSecretHidden(ingest, TOKEN);
    expectNoStackTrace(ingest);
  }, 45_000);

  it('transforms and checks without the sources\' secrets: only the ingest calls a source', async () => {
    const database = join(work, 'no-secrets.duckdb');
    const ingest = await runAction('ingest', { database, pipelines: 'stores' });
    expect(ingest.code).toBe(0);
    const runId = ingest.outputs['run-id'];
    const unset = { DEMO_API_URL: undefined, DEMO_API_TOKEN: undefined };
    const transform = await runAction('transform', { database, pipelines: 'stores', 'run-id': runId }, unset);
    expect(transform.stdout).not.toContain('::error::');
    expect(transform.code).toBe(0);
    const gate = await runAction('quality-gate', { database, pipelines: 'stores', 'run-id': runId }, unset);
    expect(gate.code).toBe(0);
    expect(count(gate, 'checks-passed')).toBeGreaterThan(0);
  }, 30_000);

  it('annotates each file of an invalid project on the line at fault', async () => {
    const run = await runAction('ingest', { database: join(work, 'bad-input.duckdb') }, { DEMO_API_URL: undefined });
    expect(run.code).toBe(1);
    const annotations = annotationLines(run.stdout, 'error');
    // Every HTTP pipeline names DEMO_API_URL in its source.base_url.
    expect(annotations.map((a) => /file=(pipelines\/\w+\.yml)/.exec(a)?.[1]).sort()).toEqual(['pipelines/catalog.yml', 'pipelines/inventory.yml', 'pipelines/retail_pos.yml']);
    for (const a of annotations) expect(a).toMatch(/,line=\d+,col=\d+::environment variable DEMO_API_URL is not set \(needed for source\.base_url\)$/);
  }, 15_000);
});

describe('a bad dataops.yml fails each action with one message and an annotation on its line', () => {
  const cases = [
    { action: 'ingest', file: 'target: duckdb\nduckdb:\n  memroy_limit: 1GB\n', line: 3, col: 3, names: /unknown key "memroy_limit" in duckdb \(expected one of: path, memory_limit, lock_timeout\) \(dataops\.yml:3:3\)$/ },
    { action: 'transform', file: `target: duckdb\n#${'x'.repeat(200_000)}\n`, line: 1, col: 1, names: /dataops\.yml is 200\.0 KB; dataops\.yml is limited to 100 KB \(dataops\.yml:1:1\)$/ },
    { action: 'quality-gate', file: 'target: *target\n', line: 1, col: 9, names: /alias \*target has no anchor &target before it \(dataops\.yml:1:9\)$/ },
  ];

  it.each(cases)('$action', async ({ action, file, line, col, names }) => {
    const project = join(work, `bad-settings-${action}`);
    for (const sub of ['pipelines', 'sql']) await cp(join(REPO, sub), join(project, sub), { recursive: true });
    await writeFile(join(project, 'dataops.yml'), file);
    const run = await runAction(action, { project, database: join(work, 'bad-settings.duckdb') });
    expect(run.code).toBe(1);
    expect(run.outputs.outcome).toBe('failure');
    const failures = failureLines(run.stdout);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(new RegExp(`^::error::${action} failed: the project is invalid: `));
    expect(failures[0]).toMatch(names);
    expect(annotationLines(run.stdout, 'error')).toEqual([expect.stringMatching(new RegExp(`^::error title=Invalid data-ops project,file=.*/bad-settings-${action}/dataops\\.yml,line=${line},col=${col}::`))]);
    expectNoStackTrace(run);
    expect(run.stderr).toBe('');
  }, 15_000);
});

describe('the quality gate reports to GitHub (a loopback API checked against its OpenAPI description)', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub({ token: GITHUB_TOKEN, owner: 'acme-retail', repo: 'dataops' });
  });
  afterAll(async () => {
    await github?.close();
  });

  const onPullRequest = (event = pullRequestEvent) => ({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event, GITHUB_API_URL: github.url, GITHUB_REF: 'refs/pull/42/merge', GITHUB_SHA: 'ffeeddccbbaa99887766554433221100ffeeddcc' });
  const ourComments = (pr: number) => github.comments.filter((c) => c.issue === pr && c.body.startsWith(PR_REPORT_MARKER));

  it('keeps one sticky comment on the pull request: created, then updated in place', async () => {
    const database = join(work, 'pr.duckdb');
    const ingest = await runAction('ingest', { database, pipelines: 'stores' });
    expect(ingest.code).toBe(0);
    const runId = ingest.outputs['run-id'];
    expect((await runAction('transform', { database, pipelines: 'stores', 'run-id': runId })).code).toBe(0);

    const inputs = { database, 'run-id': runId, 'pr-comment': 'true', 'github-token': GITHUB_TOKEN, 'changed-files': 'pipelines/stores.yml\nREADME.md' };
    const gate = await runAction('quality-gate', inputs, onPullRequest());
    expect(gate.stderr).toBe('');
    expect(gate.code).toBe(0);
    // Only the pipeline the change touches was checked.
    expect(gate.summary).toContain('| stores |');
    expect(gate.summary).not.toContain('| retail_pos |');
    const [comment] = ourComments(42);
    expect(ourComments(42)).toHaveLength(1);
    expect(gate.outputs['comment-url']).toBe(`https://github.com/acme-retail/dataops/pull/42#issuecomment-${comment.id}`);
    expect(comment.body).toContain('## ✅ Data-ops: this pull request validates and its checks pass');
    expect(comment.body).toContain('- Changed pipelines: `stores`');
    expect(comment.body).toContain('- Run on an isolated copy: pipelines `stores`; gold models rebuilt `gold.dim_store`, `gold.daily_sales_summary`');
    expect(comment.body).toContain('✅ Every pipeline and SQL file is valid.');
    expect(comment.body).toMatch(/\| stores \| ✅ success \|/);
    expect(comment.body).toContain('for 9f1c2e3 · run `' + runId + '`');
    expect(comment.body).toContain('[workflow run](https://github.com/acme-retail/dataops/actions/runs/');
    expect(gate.stdout).toContain(`pull request comment created: ${gate.outputs['comment-url']}`);
    expect(gate.stdout).toContain(`::add-mask::${GITHUB_TOKEN}`);
    expect(gate.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain(GITHUB_TOKEN);

    const again = await runAction('quality-gate', inputs, onPullRequest());
    expect(again.code).toBe(0);
    expect(ourComments(42)).toEqual([expect.objectContaining({ id: comment.id })]);
    expect(again.outputs['comment-url']).toBe(gate.outputs['comment-url']);
    expect(again.stdout).toContain('pull request comment updated');

    // A push that touches no pipeline or model: nothing is checked, and the same comment says so.
    const docsOnly = await runAction('quality-gate', { ...inputs, 'run-id': '', 'changed-files': 'docs/setup.md' }, onPullRequest());
    expect(docsOnly.code).toBe(0);
    expect(docsOnly.outputs['checks-passed']).toBe('0');
    expect(docsOnly.summary).toContain('quality-gate: nothing to check');
    expect(ourComments(42)).toHaveLength(1);
    expect(ourComments(42)[0].body).toContain('Nothing to build: no pipeline or model changed.');
    expect(github.violations).toEqual([]);
    expect(github.requests.filter((r) => r.method !== 'GET').map((r) => r.operationId)).toEqual(['issues/create-comment', 'issues/update-comment', 'issues/update-comment']);
  }, 60_000);

  it('on a fork (read-only token) warns that it cannot comment, and the gate still passes', async () => {
    github.failNext('issues/create-comment', 403);
    const gate = await runAction(
      'quality-gate',
      { database: join(work, 'pr.duckdb'), 'pr-comment': 'true', 'github-token': GITHUB_TOKEN, 'changed-files': 'pipelines/stores.yml' },
      onPullRequest(forkPullRequestEvent),
    );
    expect(gate.code).toBe(0);
    expect(gate.outputs.outcome).toBe('success');
    expect(gate.stdout).toMatch(/^::warning::could not post the pull request comment: posting the report comment on pull request #43 failed with HTTP 403: .*read-only token/m);
    expect(ourComments(43)).toEqual([]);
    expect(github.violations).toEqual([]);
  }, 30_000);

  // The pull-request workflow: the step with the sources' variables runs `dataops changed --json`; the
  // gate, which gets none of them, takes that scope from a file and reports it as decided there.
  it('takes the scope from scope-file, without the sources\' variables, and reports its skipped pipelines', async () => {
    const database = join(work, 'pr-scope.duckdb');
    const ingest = await runAction('ingest', { database, pipelines: 'stores' });
    expect(ingest.code).toBe(0);
    const runId = ingest.outputs['run-id'];
    const noSourceVariables = { DEMO_API_URL: undefined, DEMO_API_TOKEN: undefined };
    expect((await runAction('transform', { database, pipelines: 'stores', 'run-id': runId }, noSourceVariables)).code).toBe(0);
    const scopeFile = join(work, 'scope.json');
    await writeFile(scopeFile, JSON.stringify({
      files: ['pipelines/catalog.yml', 'pipelines/stores.yml'], changedPipelines: ['catalog', 'stores'], changedModels: [],
      pipelines: ['stores'], models: ['gold.dim_store', 'gold.daily_sales_summary'],
      skipped: [{ pipeline: 'catalog', file: 'pipelines/catalog.yml', cause: 'env_unset', reason: 'environment variable DEMO_API_TOKEN is not set (needed for source.auth.token)' }],
    }));
    const inputs = { database, 'run-id': runId, 'pr-comment': 'true', 'github-token': GITHUB_TOKEN, 'scope-file': scopeFile };
    const gate = await runAction('quality-gate', inputs, { ...onPullRequest(), ...noSourceVariables });
    expect(gate.stderr).toBe('');
    expect(gate.code).toBe(0);
    expect(gate.summary).toContain('| stores |');
    expect(gate.summary).not.toContain('| catalog |');
    const [comment] = ourComments(42);
    expect(comment.body).toContain('- Run on an isolated copy: pipelines `stores`; gold models rebuilt `gold.dim_store`, `gold.daily_sales_summary`');
    expect(comment.body).toContain('- Not run here: `catalog`, environment variable DEMO_API_TOKEN is not set (needed for source.auth.token) (a pull request from a fork gets no secrets)');
    // The variables this step lacks are not the project's problems.
    expect(comment.body).toContain('✅ Every pipeline and SQL file is valid.');

    const both = await runAction('quality-gate', { ...inputs, 'changed-files': 'pipelines/stores.yml' }, onPullRequest());
    expect(both.code).toBe(1);
    expect(failureLines(both.stdout)).toEqual(['::error::quality-gate failed: input scope-file: give one of changed-files and scope-file, not both']);
    const missing = await runAction('quality-gate', { ...inputs, 'scope-file': join(work, 'no-such-scope.json') }, onPullRequest());
    expect(missing.code).toBe(1);
    expect(failureLines(missing.stdout)).toEqual([expect.stringMatching(/^::error::quality-gate failed: input scope-file: cannot read .*no-such-scope\.json: ENOENT/)]);
    expectNoStackTrace(missing);
  }, 60_000);

  it('opens one freshness issue when a table goes stale, and closes it when the table recovers', async () => {
    // The demo API anchored two days back serves only old sales: silver.transactions is past its 6h SLA.
    const staleApi = await startDemoApi({ token: TOKEN, anchor: new Date(Date.now() - 2 * 24 * 3600 * 1000) });
    const database = join(work, 'freshness.duckdb');
    // Every pipeline loads first (retail_pos's gold checks read the other pipelines' dimensions); after
    // that only retail_pos runs, as an hourly job would.
    const runPos = async (env: Record<string, string>, pipelines: string) => {
      const ingest = await runAction('ingest', { database, pipelines }, env);
      expect(ingest.code).toBe(0);
      const runId = ingest.outputs['run-id'];
      expect((await runAction('transform', { database, pipelines, 'run-id': runId }, env)).code).toBe(0);
      return runAction('quality-gate', { database, pipelines: 'retail_pos', 'run-id': runId, 'freshness-issues': 'true' }, { ...env, GITHUB_TOKEN, GITHUB_API_URL: github.url });
    };
    try {
      const stale = await runPos({ DEMO_API_URL: staleApi.url }, '');
      expect(stale.code).toBe(1);
      // Silver's SLA and gold.fact_sales' (what stakeholders see) are both breached.
      expect(stale.stdout).toMatch(/^::error::quality-gate failed: 2 checks failed \(fail-on: error\): silver\.transactions freshness\(sold_at\).*, gold\.fact_sales freshness\(sold_at\)/m);
      const opened = github.issues.filter((i) => i.title === 'Freshness: silver.transactions is stale');
      expect(opened).toEqual([expect.objectContaining({ state: 'open', labels: ['dataops:freshness'] })]);
      const gold = github.issues.filter((i) => i.title === 'Freshness: gold.fact_sales is stale');
      expect(gold).toEqual([expect.objectContaining({ state: 'open', labels: ['dataops:freshness'] })]);
      expect(stale.stdout).toContain(`::warning::silver.transactions is stale: opened issue #${opened[0].number}`);

      const stillStale = await runAction('quality-gate', { database, pipelines: 'retail_pos', 'freshness-issues': 'true' }, { DEMO_API_URL: staleApi.url, GITHUB_TOKEN, GITHUB_API_URL: github.url });
      expect(stillStale.stdout).toContain(`silver.transactions is still stale: issue #${opened[0].number} stays open`);
      expect(github.issues.filter((i) => i.title.startsWith('Freshness:'))).toHaveLength(2);

      // The live API (anchored now) brings the recent hours: fresh again, and the issue is closed.
      const fresh = await runPos({ DEMO_API_URL: api.url }, 'retail_pos');
      expect(fresh.code).toBe(0);
      expect(fresh.stdout).toContain(`silver.transactions recovered: closed issue #${opened[0].number}`);
      expect(opened[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });
      expect(gold[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });
      expect(github.comments.filter((c) => c.issue === opened[0].number).map((c) => c.body)).toEqual([expect.stringMatching(/^Recovered: `silver\.transactions` is (fresh|back within its error threshold)/)]);
      expect(github.violations).toEqual([]);
    } finally {
      await staleApi.close();
    }
  }, 90_000);

  it('keeps one issue for a pipeline whose run fails (opened, updated, closed on recovery) and tells the webhook, never printing its URL', async () => {
    const secret = 'T0001/B0002/xoxbActionHook7f3c9a1e5b';
    const posted: string[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        posted.push(body);
        // A receiver that echoes the URL it was called on: the warning must not show it.
        res.writeHead(posted.length === 2 ? 500 : 200).end(posted.length === 2 ? `no hook at ${req.url}` : 'ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/services/${secret}`;
    const database = join(work, 'alerts.duckdb');
    const env = { GITHUB_TOKEN, GITHUB_API_URL: github.url, DATAOPS_ALERT_WEBHOOK_URL: hookUrl };
    const gate = (runId: string) => runAction('quality-gate', { database, pipelines: 'stores', 'run-id': runId, 'alert-issues': 'true' }, env);
    // The source is gone (its shared database file is missing): the ingest fails, and the gate continues its run.
    const failedRun = async () => {
      const ingest = await runAction('ingest', { database, pipelines: 'stores' }, { DEMO_REFERENCE_DB: join(work, 'no-such-share.duckdb') });
      expect(ingest.code).toBe(1);
      return gate(ingest.outputs['run-id']);
    };
    const runIssues = () => github.issues.filter((i) => i.labels.includes('dataops:run-failed'));
    try {
      const first = await failedRun();
      expect(first.code).toBe(1);
      expect(runIssues()).toEqual([expect.objectContaining({ title: 'Run failed: pipeline stores', state: 'open' })]);
      const [issue] = runIssues();
      expect(first.stdout).toMatch(new RegExp(`^::warning::pipeline stores: run run_\\w+ failed: ingest: .*: opened issue #${issue.number} `, 'm'));
      // Its checks could not run because the ingest failed: that is the run's issue, not one each.
      expect(github.issues.filter((i) => i.labels.includes('dataops:check-failed'))).toEqual([]);
      expect(posted).toHaveLength(1);
      expect((JSON.parse(posted[0]) as { text: string }).text).toMatch(/^dataops in acme-retail\/dataops: 1 failing \(<https:\/\/github\.com\/acme-retail\/dataops\/actions\/runs\/\d+\|run run_\w+>\)\n🔴 pipeline stores: run run_\w+ failed: ingest: /);

      const second = await failedRun();
      expect(runIssues()).toHaveLength(1);
      expect(github.comments.filter((c) => c.issue === issue.number).map((c) => c.body)).toEqual([expect.stringMatching(/^Failed again: run `run_\w+`/)]);
      expect(second.stdout).toMatch(/^::warning::posting the alert to the webhook \(DATAOPS_ALERT_WEBHOOK_URL\) failed with HTTP 500: no hook at \*\*\*$/m);

      const ingest = await runAction('ingest', { database, pipelines: 'stores' });
      expect(ingest.code).toBe(0);
      expect((await runAction('transform', { database, pipelines: 'stores', 'run-id': ingest.outputs['run-id'] })).code).toBe(0);
      const recovered = await gate(ingest.outputs['run-id']);
      expect(recovered.code).toBe(0);
      expect(issue).toMatchObject({ state: 'closed', state_reason: 'completed' });
      expect(recovered.stdout).toContain(`pipeline stores recovered: closed issue #${issue.number}`);
      expect((JSON.parse(posted[2]) as { text: string }).text).toContain('✅ pipeline stores: run');
      for (const run of [first, second, recovered]) {
        expectSecretHidden(run, secret);
        expectSecretHidden(run, hookUrl);
        expect(run.stdout).toContain(`::add-mask::${hookUrl}`);
      }
      expect(github.violations).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    }
  }, 120_000);

  it('with a bad dataops.yml, the pull request comment lists its line and the gate fails', async () => {
    const project = join(work, 'bad-settings-pr');
    for (const sub of ['pipelines', 'sql']) await cp(join(REPO, sub), join(project, sub), { recursive: true });
    await writeFile(join(project, 'dataops.yml'), 'target: duckdb\ntarget: snowflake\n');
    const inputs = { project, database: join(work, 'bad-settings-pr.duckdb'), 'pr-comment': 'true', 'github-token': GITHUB_TOKEN, 'changed-files': 'pipelines/stores.yml' };
    const gate = await runAction('quality-gate', inputs, onPullRequest());
    expect(gate.code).toBe(1);
    expect(failureLines(gate.stdout)).toEqual([expect.stringMatching(/^::error::quality-gate failed: the project is invalid: duplicate key "target" \(first at line 1\) \(dataops\.yml:2:1\)$/)]);
    expect(gate.stdout).not.toContain('could not post the pull request comment');
    const [comment] = ourComments(42);
    expect(comment.body).toContain('### Validation: 1 error, 0 warnings');
    expect(comment.body).toMatch(/\| ❌ \| \[dataops\.yml:2:1\]\([^)]*\/dataops\.yml#L2\) \| duplicate key "target" \(first at line 1\) \|/);
    expect(github.violations).toEqual([]);
  }, 30_000);
});
