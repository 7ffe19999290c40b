// A pull request shows its change: the steps of pull-request.yml's DuckDB path, as the runner runs them
// (the CLI and the actions as child processes), on a base and a head copy of the project that differ by
// a mapping change (silver.stores upper-cases its city), a model change (gold.dim_store gains a
// column) and a new model (gold.store_regions). The plan comes from the two checkouts alone; the data diff from two real DuckDB builds over the
// same bronze, the base's definitions on a copy of the pull request's database; the gate posts both in
// the sticky comment, against the loopback GitHub that checks every request against GitHub's description.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRetailData } from '../../src/demo/data.js';
import { writeReferenceDatabase } from '../../src/demo/reference-db.js';
import { PR_REPORT_MARKER } from '../../src/github/pr-comment.js';
import { parsePrScope } from '../../src/github/pr-scope.js';
import { actionRunner, expectNoStackTrace, pullRequestEvent } from '../helpers/actions.js';
import { BIN, ensureBuild } from '../helpers/build.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/github-api.js';
import { REPO } from '../helpers/project.js';

const GITHUB_TOKEN = 'ghs_prChangeTest0123456789abcdefghijk';

let work: string;
let base: string;
let head: string;
let github: FakeGitHub;
let env: Record<string, string>;

beforeAll(async () => {
  await ensureBuild();
  work = await mkdtemp(join(tmpdir(), 'dataops-pr-change-'));
  [base, head] = [join(work, 'base'), join(work, 'head')];
  for (const dir of [base, head]) for (const sub of ['pipelines', 'sql']) await cp(join(REPO, sub), join(dir, sub), { recursive: true });
  await edit(join(head, 'pipelines', 'stores.yml'), 'city:      { path: city, type: string, normalize: [trim] }', 'city:      { path: city, type: string, normalize: [trim, upper] }');
  await edit(join(head, 'sql', 'gold', 'dim_store.sql'), '    opened_on\n', '    opened_on,\n    UPPER(region) AS region_code\n');
  await writeFile(join(head, 'sql', 'gold', 'store_regions.sql'), 'SELECT region, COUNT(*) AS stores FROM silver.stores GROUP BY region\n');
  const referenceDb = join(work, 'reference.duckdb');
  await writeReferenceDatabase(referenceDb, generateRetailData({ anchor: new Date('2026-11-20T12:30:00Z') }));
  // No source here is fetched over HTTP (stores reads the reference database), but every pipeline must load.
  env = { DEMO_API_URL: 'http://127.0.0.1:9', DEMO_API_TOKEN: 'demo-token-pr-change-0a1b2c', DEMO_REFERENCE_DB: referenceDb };
  github = await startFakeGitHub({ token: GITHUB_TOKEN, owner: 'acme-retail', repo: 'dataops' });
});

afterAll(async () => {
  await github?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
  await writeFile(file, text.replace(from, to));
}

const runAction = actionRunner(() => work, () => env);

/** `npx dataops ...` in a workflow step: a child process with the job's environment. */
async function dataops(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...env, ...options.env } });
  let [stdout, stderr] = ['', ''];
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

const onPullRequest = () => ({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: pullRequestEvent, GITHUB_API_URL: github.url, GITHUB_REF: 'refs/pull/42/merge' });

/**
 * One push of the pull request on DuckDB: what the change touches (with the base checkout), the ingest
 * into the pull request's database, the base's transform on a copy of it, the pull request's transform,
 * the diff, and the gate with the plan and the diff.
 */
async function push(): Promise<{ scope: ReturnType<typeof parsePrScope>; diffText: string; gate: Awaited<ReturnType<typeof runAction>> }> {
  const database = join(head, '.dataops', 'pr.duckdb');
  const job = { DATAOPS_DATABASE: '.dataops/pr.duckdb' };
  const changed = await dataops(['changed', 'pipelines/stores.yml', 'sql/gold/dim_store.sql', 'sql/gold/store_regions.sql', '--base-project', base, '--json'], { cwd: head, env: job });
  expect(changed.code).toBe(0);
  const scopeFile = join(work, 'scope.json');
  await writeFile(scopeFile, changed.stdout);
  const scope = parsePrScope(changed.stdout, scopeFile);

  const ingest = await runAction('ingest', { project: head, database, pipelines: scope.pipelines.join(' ') });
  expect(ingest.code).toBe(0);
  const runId = ingest.outputs['run-id'];
  // The base's definitions on a copy of the pull request's bronze: the only difference left is the change.
  expect((await dataops(['env', 'create', 'base'], { cwd: head, env: job })).code).toBe(0);
  const baseBuild = await dataops(['-C', base, '--database', join(head, '.dataops', 'base.duckdb'), 'run', ...scope.basePipelines!, '--step', 'transform'], { cwd: head });
  expect(baseBuild.stderr).toBe('');
  expect(baseBuild.code).toBe(0);
  const transform = await runAction('transform', { project: head, database, pipelines: scope.pipelines.join(' '), 'run-id': runId });
  expect(transform.code).toBe(0);

  const diff = await dataops(['diff', '--base', '.dataops/base.duckdb', '--changes-from', scopeFile, '--json'], { cwd: head, env: job });
  expect(diff.stderr).toBe('');
  expect(diff.code).toBe(0);
  const diffFile = join(work, 'diff.json');
  await writeFile(diffFile, diff.stdout);

  const gate = await runAction('quality-gate', { project: head, database, 'run-id': runId, 'scope-file': scopeFile, 'diff-file': diffFile, 'pr-comment': 'true', 'github-token': GITHUB_TOKEN }, onPullRequest());
  expect(gate.stderr).toBe('');
  expectNoStackTrace(gate);
  return { scope, diffText: diff.stdout, gate };
}

const comment = () => github.comments.filter((c) => c.issue === 42 && c.body.startsWith(PR_REPORT_MARKER));

describe('a pull request that changes a mapping and a model', () => {
  it('plans the change from the two checkouts, diffs two real builds, and the comment carries both', async () => {
    const { scope, gate } = await push();
    expect(scope.changes).toEqual([
      { table: 'silver.stores', layer: 'silver', change: 'breaking', reasons: ['column city: normalize [trim] -> [trim, upper]'], rebuilds: ['gold.dim_store', 'gold.daily_sales_summary'] },
      { table: 'gold.dim_store', layer: 'gold', change: 'non_breaking', reasons: ['column added: upper(region) as region_code'], rebuilds: [] },
      { table: 'gold.store_regions', layer: 'gold', change: 'added', reasons: ['new in sql/gold/store_regions.sql'], rebuilds: [] },
    ]);
    expect(scope.basePipelines).toEqual(['stores']);
    expect(gate.code).toBe(0);
    const [posted] = comment();
    expect(comment()).toHaveLength(1);
    const body = posted.body;

    expect(body).toContain('### Plan: 3 tables change');
    expect(body).toContain('| `silver.stores` | **breaking**: rebuilt with what reads it | `column city: normalize [trim] -> [trim, upper]` | `gold.dim_store`, `gold.daily_sales_summary` |');
    expect(body).toContain('| `gold.dim_store` | non-breaking: rebuilt alone | `column added: upper(region) as region_code` | — |');
    expect(body).toContain('| `gold.store_regions` | added | `new in sql/gold/store_regions.sql` | — |');

    // Every store's city is upper-cased and nothing else moved; the model gained its column.
    expect(body).toContain('### Data diff: 3 of 3 tables differ');
    const stores = /^\| `silver\.stores` \| (\d+) → (\d+) \| 0 \| 0 \| (\d+) \| city \((\d+)\) \| {2}\|$/m.exec(body);
    expect(stores, body).not.toBeNull();
    const [, before, after, changedRows, cityChanges] = stores!.map(Number);
    expect(before).toBeGreaterThan(3);
    expect([after, changedRows, cityChanges]).toEqual([before, before, before]);
    // Without a key, each row whose city changed is one removed and one added.
    expect(body).toContain(`| \`gold.dim_store\` | ${before} → ${before} | ${before} | ${before} | no key |  | +region_code VARCHAR |`);
    expect(body).toMatch(/^\| `gold\.store_regions` \| new: \d+ rows \| — \| — \| — \| {2}\| {2}\|$/m);
    // Sample rows: each city before, and upper-cased after.
    const samples = [...body.matchAll(/^\| `\d+` \| city \| `([^`]+)` \| `([^`]+)` \|$/gm)];
    expect(samples.length).toBeGreaterThan(0);
    for (const [, was, now] of samples) expect(now).toBe(was.toUpperCase());
    expect(body).toContain('_Base: `base.duckdb`; pull request: `pr.duckdb`._');
    // It reads gold.fact_sales, which this pull request does not load: on neither side.
    expect(body).toContain('_Not built on either side, so not compared: `gold.daily_sales_summary`');
    // The parts in their order; the job summary has the plan and the diff too (a fork's only report).
    const order = ['### What this pull request builds', '### Plan:', '### Validation', '### Data diff', 'Checks on the pull request'].map((h) => body.indexOf(h));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(gate.summary).toContain('### Plan: 3 tables change');
    expect(gate.summary).toContain('### Data diff: 3 of 3 tables differ');
    expect(github.violations).toEqual([]);
  }, 120_000);

  // The copy of the pull request's database holds what its earlier push built, the new model included: that
  // is no table of the base's, and the diff still shows the model as new.
  it('on the next push, from the pull request\'s database as its cache restores it, the diff is the same', async () => {
    const first = JSON.parse((await push()).diffText) as { tables: unknown[]; not_built: string[] };
    const again = await push();
    const second = JSON.parse(again.diffText) as typeof first;
    expect(second.tables).toEqual(first.tables);
    expect(second.not_built).toEqual(['gold.daily_sales_summary']);
    expect(again.gate.stdout).toContain('pull request comment updated');
    expect(comment()).toHaveLength(1);
    expect(github.violations).toEqual([]);
  }, 180_000);

  it.each([
    { name: 'an empty diff file (the diff step failed)', text: '', says: /\S+\/diff\.json is empty; expected the output of `dataops diff --json`/ },
    { name: 'a file that is not a diff', text: '{"base":"a","changed":"b","tables":[{"table":1}]}', says: /\S+\/diff\.json: \/tables\/0 must have required property 'key'; expected the output of `dataops diff --json`/ },
  ])('with $name, the comment says there is no diff and why, and the gate still passes', async ({ text, says }) => {
    const diffFile = join(work, 'diff.json');
    await writeFile(diffFile, text);
    const gate = await runAction('quality-gate', {
      project: head, database: join(head, '.dataops', 'pr.duckdb'), 'scope-file': join(work, 'scope.json'), 'diff-file': diffFile, 'pr-comment': 'true', 'github-token': GITHUB_TOKEN,
    }, onPullRequest());
    expect(gate.code).toBe(0);
    expect(gate.stdout).toMatch(new RegExp(`^::warning::diff-file: ${says.source}`, 'm'));
    expect(comment()[0].body).toMatch(new RegExp(`### Data diff\\n\\n⚠️ No data diff: .*${says.source}`));
    expect(comment()[0].body).toContain('### Plan: 3 tables change');
    expect(github.violations).toEqual([]);
  }, 60_000);
});
