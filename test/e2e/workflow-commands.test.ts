// The two commands the workflows call besides run and report: `changed` (what a pull request builds)
// and `demo-api` (the stand-in source where none is configured), run as the workflows run them.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project.js';
import { renderPrComment } from '../../src/github/pr-comment.js';
import { parsePrScope, prScope } from '../../src/github/pr-scope.js';
import { BIN, ensureBuild } from '../helpers/build.js';
import { copyProject, REPO } from '../helpers/project.js';

let work: string;

beforeAll(async () => {
  await ensureBuild();
  work = await mkdtemp(join(tmpdir(), 'dataops-workflow-commands-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('prScope: from changed files to the pipelines a pull request runs', async () => {
  const project = await loadProject(REPO, { DEMO_API_URL: 'http://x', DEMO_API_TOKEN: 'x' });

  it.each([
    { files: ['pipelines/stores.yml'], pipelines: ['stores'], changedModels: [], models: ['gold.dim_store', 'gold.daily_sales_summary'] },
    // A model needs the pipelines that load what it reads; running them rebuilds it and its downstream.
    { files: ['sql/gold/fact_sales.sql'], pipelines: ['retail_pos'], changedModels: ['gold.fact_sales', 'gold.daily_sales_summary'], models: ['gold.fact_sales', 'gold.daily_sales_summary', 'gold.dim_date'] },
    { files: ['README.md', 'docs/setup.md', '.github/workflows/ingest.yml'], pipelines: [], changedModels: [], models: [] },
    // A custom check is run by the pipeline whose table it checks.
    { files: ['sql/checks/transaction_totals.sql'], pipelines: ['retail_pos'], changedModels: [], models: ['gold.fact_sales', 'gold.daily_sales_summary', 'gold.dim_date'] },
  ])('$files', ({ files, pipelines, changedModels, models }) => {
    const scope = prScope(project, files);
    expect(scope.pipelines).toEqual(pipelines);
    expect(scope.changedModels).toEqual(changedModels);
    expect(scope.models).toEqual(models);
    expect(scope.everything).toBeUndefined();
  });

  it('leaves out, with the reason, pipelines whose variables are unset (a fork has no secrets)', async () => {
    const withoutSecrets = await loadProject(REPO, { DEMO_API_URL: 'http://x' });
    const scope = prScope(withoutSecrets, ['pipelines/stores.yml', 'pipelines/catalog.yml']);
    expect(scope.pipelines).toEqual(['stores']);
    expect(scope.skipped).toEqual([{ pipeline: 'catalog', file: 'pipelines/catalog.yml', cause: 'env_unset', reason: expect.stringMatching(/^environment variable DEMO_API_TOKEN is not set/) }]);
  });

  it.each([
    {
      change: 'a pipeline file that does not load',
      files: ['pipelines/broken.yml', 'pipelines/stores.yml'],
      skipped: [{ pipeline: 'broken', file: 'pipelines/broken.yml', cause: 'invalid', reason: expect.stringMatching(/^pipelines\/broken\.yml does not load \(dataops validate lists every problem\); first: pipelines\/broken\.yml:\d+:\d+: /) }],
    },
    {
      change: 'a removed pipeline file',
      files: ['pipelines/orders.yml'],
      skipped: [{ pipeline: 'orders', file: 'pipelines/orders.yml', cause: 'removed', reason: 'pipelines/orders.yml is not in the project any more (removed or renamed): nothing to build' }],
    },
    {
      change: 'the engine (every pipeline runs, so the broken one is named too)',
      files: ['src/engine.ts'],
      skipped: [expect.objectContaining({ pipeline: 'broken', cause: 'invalid' })],
    },
  ])('never drops a pipeline silently: $change', async ({ files, skipped }) => {
    const dir = await copyProject();
    try {
      await writeFile(join(dir, 'pipelines', 'broken.yml'), 'name: broken\nsource: { kind: http }\n');
      const scope = prScope(await loadProject(dir, { DEMO_API_URL: 'http://x', DEMO_API_TOKEN: 'x' }), files);
      expect(scope.skipped).toEqual(skipped);
      expect(scope.pipelines).not.toContain('broken');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs everything when the engine itself changes', () => {
    const scope = prScope(project, ['src/models/silver.ts', 'pipelines/stores.yml']);
    expect(scope.pipelines).toEqual(project.pipelines.map((p) => p.name));
    expect(scope.everything).toBe('src/models/silver.ts changed: it affects every pipeline');
    expect(scope.changedPipelines).toEqual(['stores']);
  });
});

it('the PR comment says why each touched pipeline was not built; the fork note only where a variable is unset', () => {
  const body = renderPrComment({
    diagnostics: [],
    scope: {
      files: ['pipelines/catalog.yml', 'pipelines/orders.yml'], changedPipelines: ['catalog'], changedModels: [], pipelines: [], models: [],
      skipped: [
        { pipeline: 'catalog', file: 'pipelines/catalog.yml', cause: 'env_unset', reason: 'environment variable DEMO_API_TOKEN is not set' },
        { pipeline: 'orders', file: 'pipelines/orders.yml', cause: 'removed', reason: 'pipelines/orders.yml is not in the project any more' },
      ],
    },
  });
  expect(body).toContain('- Not run here: `catalog`, environment variable DEMO_API_TOKEN is not set (a pull request from a fork gets no secrets)');
  expect(body).toContain('- Not run here: `orders`, pipelines/orders.yml is not in the project any more\n');
});

describe('dataops changed', () => {
  it('reads `git diff --name-only` output and prints the scope as JSON, or the pipelines', async () => {
    const list = join(work, 'changed.txt');
    await writeFile(list, 'sql/gold/dim_store.sql\nREADME.md\n');
    const env = { ...process.env, DEMO_API_URL: 'http://127.0.0.1:9', DEMO_API_TOKEN: 'not-used-here' };
    const json = await promisify(execFile)('node', [BIN, 'changed', '--files-from', list, '--json'], { cwd: REPO, env });
    expect(JSON.parse(json.stdout)).toMatchObject({ files: ['README.md', 'sql/gold/dim_store.sql'], changedModels: ['gold.dim_store', 'gold.daily_sales_summary'], pipelines: ['stores'] });
    const plain = await promisify(execFile)('node', [BIN, 'changed', 'pipelines/catalog.yml', 'pipelines/stores.yml'], { cwd: REPO, env });
    expect(plain.stdout.trim()).toBe('catalog stores');
    // Without the API's variables (a fork), catalog cannot run and is left out, with the reason.
    const fork = await promisify(execFile)('node', [BIN, 'changed', 'pipelines/catalog.yml', 'pipelines/stores.yml', '--json'], { cwd: REPO, env: { ...env, DEMO_API_TOKEN: '' } });
    expect(JSON.parse(fork.stdout)).toMatchObject({ pipelines: ['stores'], skipped: [{ pipeline: 'catalog' }] });
    // The plain answer stays the names to run; what was left out, and why, is on stderr in both forms.
    expect(fork.stderr).toMatch(/^skipped catalog: environment variable DEMO_API_TOKEN is not set/m);
    const forkPlain = await promisify(execFile)('node', [BIN, 'changed', 'pipelines/catalog.yml', 'pipelines/stores.yml'], { cwd: REPO, env: { ...env, DEMO_API_TOKEN: '' } });
    expect(forkPlain.stdout.trim()).toBe('stores');
    expect(forkPlain.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^skipped catalog: environment variable DEMO_API_TOKEN is not set \(needed for source\.auth\.token\)$/)]);
    expect(plain.stderr).toBe('');
  });

  it.each([
    { text: 'not json', error: /^scope\.json: not JSON \(.+\); expected the output of `dataops changed --json`$/ },
    { text: '[]', error: /^scope\.json: not a JSON object;/ },
    { text: '{"files":[],"changedPipelines":[],"changedModels":[],"pipelines":"stores","models":[],"skipped":[]}', error: /^scope\.json: "pipelines" is not a list of strings;/ },
    { text: '{"files":[],"changedPipelines":[],"changedModels":[],"pipelines":[],"models":[],"skipped":[{"pipeline":"x"}]}', error: /^scope\.json: "skipped" is not a list of \{ pipeline, file, cause: env_unset \| invalid \| removed, reason \};/ },
    {
      text: '{"files":[],"changedPipelines":[],"changedModels":[],"pipelines":[],"models":[],"skipped":[],"changes":[{"table":"bronze.x","layer":"bronze","change":"breaking","reasons":[],"rebuilds":[]}]}',
      error: /^scope\.json: "changes"\[0\] is not \{ table, layer: silver \| gold, change: added \| removed \| breaking \| non_breaking, reasons: \[\.\.\.\], rebuilds: \[\.\.\.\] \};/,
    },
    { text: '{"files":[],"changedPipelines":[],"changedModels":[],"pipelines":[],"models":[],"skipped":[],"basePipelines":"stores"}', error: /^scope\.json: "basePipelines" is not a list of strings;/ },
  ])('a scope file read back by the gate must be what `changed --json` printed: $text', ({ text, error }) => {
    expect(() => parsePrScope(text, 'scope.json')).toThrow(error);
  });

  it.each([
    { what: 'a folder that is not there', dir: 'no-such-checkout', error: /^error: --base-project no-such-checkout: no such folder \(expected a checkout of the base commit\)$/ },
    { what: 'a folder without pipelines/, sql/silver/ or sql/gold/', dir: 'docs', error: /^error: --base-project docs: has no pipelines\/, sql\/silver\/ or sql\/gold\/ folder \(expected a checkout of the base commit, at the project's folder\)$/ },
  ])('--base-project refuses $what: a wrong path must not read as "everything is new"', async ({ dir, error }) => {
    const env = { ...process.env, DEMO_API_URL: 'http://127.0.0.1:9', DEMO_API_TOKEN: 'x' };
    const run = await promisify(execFile)('node', [BIN, 'changed', 'pipelines/stores.yml', '--base-project', dir], { cwd: REPO, env }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect('code' in run ? run.code : 0).toBe(2);
    expect(run.stderr.trim()).toMatch(error);
    expect(run.stdout).toBe('');
  });

  it('reads back what `changed --json` printed', async () => {
    const list = join(work, 'changed-roundtrip.txt');
    await writeFile(list, 'pipelines/catalog.yml\n');
    const env = { ...process.env, DEMO_API_URL: 'http://127.0.0.1:9', DEMO_API_TOKEN: '' };
    const { stdout } = await promisify(execFile)('node', [BIN, 'changed', '--files-from', list, '--json'], { cwd: REPO, env });
    expect(parsePrScope(stdout, 'scope.json')).toEqual(JSON.parse(stdout));
  });
});

describe('dataops demo-api', () => {
  it('serves the demo API until SIGTERM, and writes its variables for GITHUB_ENV', async () => {
    const envFile = join(work, 'demo.env');
    const referenceDb = join(work, 'reference.duckdb');
    const child = spawn('node', [BIN, 'demo-api', '--write-env', envFile], { cwd: REPO, env: { ...process.env, DEMO_REFERENCE_DB: referenceDb } });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      for (let i = 0; i < 300 && !existsSync(envFile); i++) await new Promise((r) => setTimeout(r, 100));
      const vars = Object.fromEntries((await readFile(envFile, 'utf8')).trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)));
      expect(Object.keys(vars)).toEqual(['DEMO_API_URL', 'DEMO_API_TOKEN', 'DEMO_REFERENCE_DB']);
      expect(vars.DEMO_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(vars.DEMO_REFERENCE_DB).toBe(referenceDb);
      expect(existsSync(referenceDb)).toBe(true);
      const page = await fetch(`${vars.DEMO_API_URL}/v1/transactions?limit=1`, { headers: { authorization: `Bearer ${vars.DEMO_API_TOKEN}` } });
      expect(page.status).toBe(200);
      expect(((await page.json()) as { data: unknown[] }).data).toHaveLength(1);
      const refused = await fetch(`${vars.DEMO_API_URL}/v1/transactions?limit=1`, { headers: { authorization: 'Bearer wrong' } });
      expect(refused.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
