// The dataops command as a user runs it: the compiled bin in a child process, in a fresh project copy.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateRetailData } from '../../src/demo/data.js';
import { writeReferenceDatabase } from '../../src/demo/reference-db.js';
import { startDemoApi, type DemoApi } from '../../src/demo/server.js';
import type { StatusReport } from '../../src/state/types.js';
import { copyProject, DEMO_TOKEN, REPO } from '../helpers/project.js';

const BIN = join(REPO, 'bin/dataops.js');
let dir: string;
let api: DemoApi;
let env: NodeJS.ProcessEnv;

async function dataops(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [BIN, '-C', dir, ...args], { env: { ...env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  dir = await copyProject();
  const anchor = new Date();
  api = await startDemoApi({ token: DEMO_TOKEN, anchor });
  const reference = join(dir, 'reference.duckdb');
  await writeReferenceDatabase(reference, generateRetailData({ anchor }));
  env = { ...process.env, DEMO_API_URL: api.url, DEMO_API_TOKEN: DEMO_TOKEN, DEMO_REFERENCE_DB: reference, GITHUB_STEP_SUMMARY: '' };
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('usage', () => {
  test('--help lists every command; each command has --help', async () => {
    const help = await dataops(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['validate', 'run', 'sql', 'status', 'report', 'demo', 'grants']) {
      expect(help.stdout).toContain(command);
      const sub = await dataops([command, '--help']);
      expect(sub.code, command).toBe(0);
      expect(sub.stdout).toContain(`Usage: dataops ${command}`);
    }
  });

  test('bad usage exits 2', async () => {
    expect((await dataops(['frobnicate'])).code).toBe(2);
    expect((await dataops(['run', '--step', 'dance'])).code).toBe(2);
    expect((await dataops(['sql'])).code).toBe(2);
    const unknown = await dataops(['run', 'nosuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown pipeline nosuch (pipelines: catalog, inventory, retail_pos, stores)');
  });
});

describe('a project from validate to report', () => {
  test('validate passes on the example project', async () => {
    const r = await dataops(['validate']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('4 pipelines, 8 models: 0 errors, 0 warnings');
    expect(r.code).toBe(0);
  });

  test('run, status --json, sql --json, report', async () => {
    const run = await dataops(['run']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/retail_pos: \d+ loaded, \d+ accepted, \d+ rejected; checks \d+ passed/);
    expect(run.stdout).not.toContain(DEMO_TOKEN);

    const status = await dataops(['status', '--json']);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as StatusReport;
    expect(report.conservation_ok).toBe(true);
    const gold = report.tables.filter((t) => t.layer === 'gold');
    expect(gold.map((t) => t.name).sort()).toEqual(['gold.daily_sales_summary', 'gold.dim_customer', 'gold.dim_date', 'gold.dim_product', 'gold.dim_store', 'gold.fact_sales', 'gold.inventory']);
    expect(gold.every((t) => t.rows > 0 && t.last_loaded_at !== null)).toBe(true);
    expect(report.tables.find((t) => t.name === 'silver.transactions')!.freshness).toMatchObject({ field: 'sold_at', state: 'fresh' });
    const pos = report.pipelines.find((p) => p.name === 'retail_pos')!;
    expect(pos.last_run).toMatchObject({ status: 'success', error: null });
    expect(pos.silver_loads.every((l) => l.conserved && l.bronze === l.accepted + l.rejected)).toBe(true);
    expect(pos.rejected.length).toBeGreaterThan(0);
    expect(pos.rejected[0]).toEqual({ table: expect.any(String), reason: expect.stringMatching(/^[a-z_]+:[a-z_]+$/), rows: expect.any(Number) });
    expect(pos.checks.find((c) => c.check === 'unique(transaction_id)')).toMatchObject({ status: 'pass', severity: 'error', failing_rows: 0 });

    const sql = await dataops(['sql', '-q', 'SELECT store_key, IFF(store_key > 4, \'east\', \'west\') AS side FROM gold.dim_store ORDER BY store_key LIMIT 2', '--json']);
    expect(sql.code).toBe(0);
    expect(JSON.parse(sql.stdout)).toEqual([{ store_key: 1, side: 'west' }, { store_key: 2, side: 'west' }]);
    const table = await dataops(['sql', '-q', 'SELECT COUNT(*) AS n FROM silver.stores']);
    expect(table.stdout).toMatch(/^n\s*\n-+\n8\n\(1 rows\)/);
    const badSql = await dataops(['sql', '-q', 'SELECT * FROM gold.nope']);
    expect(badSql.code).toBe(1);
    expect(badSql.stderr).toContain('gold.nope');

    const site = await dataops(['report']);
    expect(site.code).toBe(0);
    const index = join(dir, '.dataops/site/index.html');
    expect(site.stdout).toContain(index);
    expect(await readFile(index, 'utf8')).toContain('retail_pos');
    expect(existsSync(join(dir, '.dataops/site/pipelines/retail_pos.html'))).toBe(true);
  });

  test('an error-severity check failure exits 1 and names the check and its line', async () => {
    const file = join(dir, 'pipelines/stores.yml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('    - unique: store_id', '    - unique: store_id\n    - row_count: { max: 3 }'));
    try {
      const r = await dataops(['run', 'stores']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/FAIL silver\.stores row_count\(0\.\.3\): 1 failing row \(the table has 8 rows\) \(pipelines\/stores\.yml:\d+\)/);
    } finally {
      await writeFile(file, original);
    }
  });
});

describe('bad input writes nothing', () => {
  test('a malformed pipeline fails validate and run with file:line:col, and run creates no database', async () => {
    const broken = await copyProject();
    try {
      const line5 = '  resources: { a: { path: /a, paginate: { kind: offset, limt: 5 } } }';
      await writeFile(join(broken, 'pipelines/zz_bad.yml'), `name: zz_bad\nsource:\n  kind: http\n  base_url: http://x\n${line5}\nsilver: {}\n`);
      const col = line5.indexOf('limt') + 1;
      const database = join(broken, 'db.duckdb');
      for (const command of ['validate', 'run']) {
        const { code, stderr } = await promisify(execFile)('node', [BIN, '-C', broken, '--database', database, command], { env }).then(
          () => ({ code: 0, stderr: '' }),
          (e: { code: number; stderr: string }) => e,
        );
        expect(code, command).toBe(1);
        expect(stderr.split('\n')).toContain(`pipelines/zz_bad.yml:5:${col}: unknown key "limt" in source.resources.a.paginate (expected one of: kind, limit, limit_param, offset_param, total)`);
      }
      expect(existsSync(database)).toBe(false);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});

describe('grants', () => {
  test('prints the Snowflake DDL on stdout; on DuckDB, says on stderr what is and is not enforced', async () => {
    const printed = await dataops(['grants'], { GITHUB_REPOSITORY: 'acme-retail/dataops' });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^-- dataops grants: /);
    expect(printed.stdout).toContain('CREATE ROLE IF NOT EXISTS DATAOPS_LOADER;');
    expect(printed.stdout).toContain("SUBJECT = 'repo:acme-retail/dataops:ref:refs/heads/main'");
    expect(printed.stderr).toMatch(/^DuckDB has no roles, grants or masking policies/);
    // Nothing to apply to or check on DuckDB: it says so, and that is not a failure.
    for (const option of ['--apply', '--check']) {
      const run = await dataops(['grants', option]);
      expect(run.code, option).toBe(0);
      expect(run.stdout, option).toBe('');
      expect(run.stderr, option).toMatch(/^DuckDB has no roles[\s\S]*Not enforced on DuckDB: who may read or write which layer/);
    }
  });
});

describe('a bad dataops.yml is named, with its line and column, by every command that reads it', () => {
  // Each command meets a different mistake; together they cover each kind of mistake and each command.
  const cases = [
    { name: 'validate: a file over the size limit', command: ['validate'], file: `target: duckdb\n#${'x'.repeat(2_000_000)}\n`, expected: 'dataops.yml:1:1: dataops.yml is 2.0 MB; dataops.yml is limited to 100 KB' },
    { name: 'run: bad YAML', command: ['run'], file: 'target: "duckdb\n', expected: 'dataops.yml:2:1: invalid YAML: Missing closing "quote' },
    { name: 'status: a duckdb.path that cannot be opened', command: ['status'], file: 'duckdb:\n  path: sql\n', expected: /^error: cannot open DuckDB database .*sql: .* \(duckdb\.path at dataops\.yml:2:9\)$/ },
    { name: 'report: an unknown key', command: ['report'], file: 'targit: duckdb\n', expected: 'dataops.yml:1:1: unknown key "targit" in dataops.yml (expected one of: target, duckdb, bronze, retention, snowflake, access)' },
    { name: 'plan: a list instead of a mapping', command: ['plan'], file: '- target: duckdb\n', expected: 'dataops.yml:1:1: dataops.yml: expected object, got a list' },
    { name: 'changed: an alias bomb', command: ['changed', 'pipelines/stores.yml'], file: 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n', expected: /^dataops\.yml:4:\d+: alias \*c: the aliases in this file would expand to more than 10,000 extra values/ },
    { name: 'env create: a memory limit out of range', command: ['env', 'create', 'pr_1'], file: 'duckdb:\n  memory_limit: 999999999TB\n', expected: 'dataops.yml:2:17: duckdb.memory_limit: 999999999TB is out of range (expected between 1MB and 1000TB)' },
  ];

  test.each(cases)('$name', async ({ command, file, expected }) => {
    const project = await copyProject();
    try {
      await writeFile(join(project, 'dataops.yml'), file);
      const { code, stdout, stderr } = await promisify(execFile)('node', [BIN, '-C', project, ...command], { env }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(code).toBe(1);
      expect(stdout).toBe('');
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      if (typeof expected === 'string') expect(lines[0]).toBe(expected);
      else expect(lines[0]).toMatch(expected);
      expect(existsSync(join(project, '.dataops'))).toBe(false);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});

describe('plan', () => {
  test('refuses what a run would refuse, bad SQL at its file and line, and writes nothing', async () => {
    const project = await copyProject();
    try {
      const file = join(project, 'sql', 'gold', 'daily_sales_summary.sql');
      // A column appended without the comma before it: the files load, the SQL does not parse.
      await writeFile(file, (await readFile(file, 'utf8')).replace('AS net_revenue -- revenue net of refunds\n', 'AS net_revenue -- revenue net of refunds\n    COUNT(*) AS line_items\n'));
      const { code, stdout, stderr } = await promisify(execFile)('node', [BIN, '-C', project, 'plan'], { env }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^sql\/gold\/daily_sales_summary\.sql:\d+:5: syntax error: unexpected 'COUNT'/m);
      expect(existsSync(join(project, '.dataops'))).toBe(false);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});

describe('secrets are needed only by the pipelines that run', () => {
  test('run stores works without the API variables; run retail_pos names the missing one', async () => {
    const noApi = { DEMO_API_URL: '', DEMO_API_TOKEN: '' };
    const stores = await dataops(['--database', join(dir, 'only-stores.duckdb'), 'run', 'stores'], noApi);
    expect(stores.stderr).toBe('');
    expect(stores.code).toBe(0);
    const pos = await dataops(['--database', join(dir, 'only-pos.duckdb'), 'run', 'retail_pos'], noApi);
    expect(pos.code).toBe(1);
    expect(pos.stderr.trim().split('\n')).toEqual([
      'pipelines/retail_pos.yml:8:20: environment variable DEMO_API_URL is not set (needed for source.base_url)',
      'pipelines/retail_pos.yml:9:39: environment variable DEMO_API_TOKEN is not set (needed for source.auth.token)',
    ]);
    expect(existsSync(join(dir, 'only-pos.duckdb'))).toBe(false);
    // In a database with history, the run that could not start is its pipeline's last run, failed.
    const again = await dataops(['--database', join(dir, 'only-stores.duckdb'), 'run', 'retail_pos'], noApi);
    expect(again.code).toBe(1);
    const status = JSON.parse((await dataops(['--database', join(dir, 'only-stores.duckdb'), 'status', '--json'], noApi)).stdout) as StatusReport;
    const lastRun = status.pipelines.find((p) => p.name === 'retail_pos')!.last_run;
    expect(lastRun?.status).toBe('failed');
    expect(lastRun?.error).toMatch(/^ingest: pipelines\/retail_pos\.yml:8:20: environment variable DEMO_API_URL is not set/);
    expect(lastRun?.steps.map((s) => s.status)).toEqual(['failed', 'skipped', 'skipped']);
  });
});

test('validate --allow-missing-env turns unset variables into warnings (a fork pull request has no secrets)', async () => {
  const noApi = { DEMO_API_URL: '', DEMO_API_TOKEN: '' };
  expect((await dataops(['validate'], noApi)).code).toBe(1);
  const lenient = await dataops(['validate', '--allow-missing-env'], noApi);
  expect(lenient.code).toBe(0);
  expect(lenient.stdout).toContain('pipelines/retail_pos.yml:9:39: warning: environment variable DEMO_API_TOKEN is not set');
  expect(lenient.stdout).toContain('0 errors, 6 warnings');
});

test('run --replay re-loads a batch from its landing file without the API, adding nothing twice', async () => {
  const status = JSON.parse((await dataops(['status', '--json'])).stdout) as StatusReport;
  const batch = status.pipelines.find((p) => p.name === 'stores')!.batches[0].batch_id;
  const replay = await dataops(['run', '--replay', batch], { DEMO_API_URL: 'http://127.0.0.1:9', DEMO_API_TOKEN: 'unused-token' });
  expect(replay.stderr).toBe('');
  expect(replay.code).toBe(0);
  expect(replay.stdout).toMatch(new RegExp(`stores\\.stores: replayed ${batch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 8 records, appended 0`));
});

// The AWS SDK inside snowflake-sdk warns on every load under Node 20 (NodeVersionSupportWarning); the
// command's own message must be all a user sees. (On Node 22 and later the SDK has nothing to say.)
test('a command on the Snowflake target prints its own error, not the AWS SDK Node-version warning', async () => {
  const snowflake = await dataops(['status', '--target', 'snowflake'], { SNOWFLAKE_ACCOUNT: 'acme-test', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined });
  expect(snowflake.code).toBe(1);
  expect(snowflake.stderr).toMatch(/^error: SNOWFLAKE_AUTHENTICATOR is not set: /);
  expect(snowflake.stderr).not.toContain('NodeVersionSupportWarning');
  expect(snowflake.stderr.trim().split('\n')).toHaveLength(1);
});
