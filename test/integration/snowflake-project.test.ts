// The differential proof: the whole example project run on Snowflake (the real snowflake-sdk against
// fakesnow) and on the embedded DuckDB gives the same rows in every table.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateRetailData } from '../../src/demo/data.js';
import { resolveSettings, runProject, withWarehouse, type RunResult, type Settings } from '../../src/engine.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { openSnowflakeFromEnv } from '../../src/warehouse/snowflake.js';
import { startFakesnow, type Fakesnow } from '../helpers/fakesnow.js';
import { demoProject, type DemoProject } from '../helpers/project.js';
import { compareProjects } from '../../src/models/change-plan.js';
import { diffProject } from '../../src/diff/project-diff.js';
import { loadProject } from '../../src/project.js';
import { readTableColumns } from '../../src/site/catalog.js';
import { eraseSubject, parseEraseKey } from '../../src/governance/erase.js';
import { applyRetention } from '../../src/state/retention.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
let fakesnow: Fakesnow;
let project: DemoProject;
let snowflake: Settings;
let duckdb: Settings;
let results: { snowflake: RunResult; duckdb: RunResult };

beforeAll(async () => {
  fakesnow = await startFakesnow();
  project = await demoProject(ANCHOR);
  const env = {
    ...project.settings.env,
    SNOWFLAKE_ACCESS_URL: fakesnow.accessUrl,
    SNOWFLAKE_ACCOUNT: 'fakesnow',
    SNOWFLAKE_USER: 'DATAOPS_CI',
    SNOWFLAKE_DATABASE: 'DATAOPS_DIFF',
    SNOWFLAKE_WAREHOUSE: 'TRANSFORMING',
    SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN',
    SNOWFLAKE_TOKEN: 'pat-fakesnow-diff-1234',
  };
  // The shared database (a Snowflake share in production) with the demo's stores.
  const setup = await openSnowflakeFromEnv(env);
  try {
    await setup.execute('CREATE DATABASE IF NOT EXISTS DATAOPS_DIFF');
    await setup.execute('CREATE DATABASE IF NOT EXISTS RETAIL_SHARE');
    await setup.execute('CREATE SCHEMA IF NOT EXISTS RETAIL_SHARE.REF');
    await setup.execute('CREATE OR REPLACE TABLE RETAIL_SHARE.REF.STORES (store_id INTEGER, name VARCHAR, city VARCHAR, region VARCHAR, opened_on DATE)');
    const values = generateRetailData({ anchor: ANCHOR }).stores.map((s) => `(${s.store_id}, '${s.name}', '${s.city}', '${s.region}', '${s.opened_on}')`);
    await setup.execute(`INSERT INTO RETAIL_SHARE.REF.STORES VALUES ${values.join(', ')}`);
  } finally {
    await setup.close();
  }
  snowflake = resolveSettings({ projectDir: project.dir, target: 'snowflake', env });
  duckdb = project.settings;
  results = {
    snowflake: await runProject(snowflake, { now: ANCHOR }),
    duckdb: await runProject(duckdb, { now: ANCHOR }),
  };
}, 600_000);

afterAll(async () => {
  await project?.close();
  await fakesnow?.stop();
});

/** Every row of a table, columns in a fixed order, engine-only columns left out, sorted. */
async function rowsOf(settings: Settings, table: string): Promise<string[]> {
  return withWarehouse(settings, async (w: Warehouse) => {
    const rows = await w.query<Record<string, unknown>>(`SELECT * FROM ${table}`);
    return rows
      .map((row) =>
        JSON.stringify(
          Object.keys(row)
            .map((k) => k.toLowerCase())
            .filter((k) => !['_loaded_at', '_batch_id', '_fetched_at', 'rejected_at', 'run_id', 'batch_id', 'loaded_at', 'built_at'].includes(k))
            .sort()
            .map((k) => [k, normalize(row[k] ?? row[k.toUpperCase()])]),
        ),
      )
      .sort();
  });
}

function normalize(value: unknown): unknown {
  if (typeof value === 'number') return Math.round(value * 1e6) / 1e6;
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) return new Date(value).toISOString();
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

describe('the example project on Snowflake and on DuckDB', () => {
  test('both runs succeed with the same outcome', () => {
    const summary = (r: RunResult) => r.pipelines.map((p) => ({ pipeline: p.pipeline, error: p.error, loads: p.silverLoads.map((l) => [l.table, l.bronze, l.accepted, l.rejected]) }));
    expect(summary(results.snowflake)).toEqual(summary(results.duckdb));
    expect(results.snowflake.modelError).toBeUndefined();
    expect(results.snowflake.ok).toBe(true);
  });

  test.each([
    'silver.transactions',
    'silver.transaction_lines',
    'silver.customers',
    'silver.products',
    'silver.stores',
    'silver.inventory_movements',
    'silver.payments',
    'gold.dim_customer',
    'gold.dim_product',
    'gold.dim_store',
    'gold.dim_date',
    'gold.fact_sales',
    'gold.daily_sales_summary',
    'gold.inventory',
  ])('%s has the same rows', async (table) => {
    const [a, b] = [await rowsOf(snowflake, table), await rowsOf(duckdb, table)];
    expect(a.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });

  test('the same records are rejected for the same reasons, and checks agree', async () => {
    const reasons = (s: Settings) => withWarehouse(s, (w) => w.query(`SELECT table_name, reasons, COUNT(*) AS n FROM meta.rejected GROUP BY table_name, reasons ORDER BY 1, 2`));
    expect(await reasons(snowflake)).toEqual(await reasons(duckdb));
    const checks = (r: RunResult) => r.pipelines.flatMap((p) => p.checks.map((c) => [c.table, c.check, c.status, c.failing_rows]));
    expect(checks(results.snowflake)).toEqual(checks(results.duckdb));
  });

  test('the catalog reads the same tables and columns from either information_schema, types as each spells them', async () => {
    const [sf, db] = [await withWarehouse(snowflake, readTableColumns), await withWarehouse(duckdb, readTableColumns)];
    const names = (columns: typeof sf) => Object.fromEntries([...columns].map(([table, cs]) => [table, cs.map((c) => c.name)]));
    expect(names(sf)).toEqual(names(db));
    expect(sf.get('silver.transactions')).toContainEqual({ name: 'total', type: 'NUMBER(12,2)' });
    expect(db.get('silver.transactions')).toContainEqual({ name: 'total', type: 'DECIMAL(12,2)' });
    expect(sf.has('gold.daily_sales_summary')).toBe(true);
  });
});

test('every statement of a pipeline carries a query tag naming the pipeline and the run', async () => {
  const requests = await fakesnow.requests();
  const merge = requests.find((r) => /^MERGE INTO silver\.transactions\b/.test(r.sqlText));
  expect(merge?.parameters).toMatchObject({ QUERY_TAG: `dataops:retail_pos:${results.snowflake.runId}` });
  const gold = requests.find((r) => /CREATE OR REPLACE TABLE gold\.fact_sales\b/.test(r.sqlText));
  expect(gold?.parameters).toMatchObject({ QUERY_TAG: `dataops:gold:${results.snowflake.runId}` });
});

test('a pull-request environment clones every table into a database the cloning role owns, and is dropped when done', async () => {
  const { createEnvironment, dropEnvironment } = await import('../../src/environments.js');
  await fakesnow.requests({ clear: true });
  const env = await createEnvironment(snowflake, 'pr_7');
  expect(env).toMatchObject({ location: 'DATAOPS_DIFF_PR_7', use: { env: { SNOWFLAKE_DATABASE: 'DATAOPS_DIFF_PR_7' } } });
  const sent = (await fakesnow.requests()).map((r) => r.sqlText);
  // Made by the role itself, table by table (a database CLONE would keep production's owners), meta first.
  expect(sent).toContain('CREATE OR REPLACE DATABASE DATAOPS_DIFF_PR_7');
  expect(sent.some((t) => /DATABASE \S+ CLONE/.test(t))).toBe(false);
  const clones = sent.filter((t) => t.startsWith('CREATE TABLE DATAOPS_DIFF_PR_7.'));
  expect(clones).toContain('CREATE TABLE DATAOPS_DIFF_PR_7."SILVER"."TRANSACTIONS" CLONE DATAOPS_DIFF."SILVER"."TRANSACTIONS"');
  expect(clones[0]).toMatch(/^CREATE TABLE DATAOPS_DIFF_PR_7\."META"\./);
  expect(clones.filter((t) => /"META"/.test(t))).toEqual(clones.slice(0, clones.filter((t) => /"META"/.test(t)).length));

  // The clone holds production's rows and takes writes of its own; production is untouched.
  const clone = { ...snowflake, env: { ...snowflake.env, SNOWFLAKE_DATABASE: env.location } };
  const count = (s: Settings, table: string) => withWarehouse(s, async (w) => Number((await w.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM ${table}`))[0].n));
  const production = await count(snowflake, 'gold.fact_sales');
  expect(production).toBeGreaterThan(0);
  expect(await count(clone, 'gold.fact_sales')).toBe(production);
  expect(await count(clone, 'meta.runs')).toBe(await count(snowflake, 'meta.runs'));
  await withWarehouse(clone, (w) => w.execute('DELETE FROM gold.fact_sales'));
  expect(await count(clone, 'gold.fact_sales')).toBe(0);
  expect(await count(snowflake, 'gold.fact_sales')).toBe(production);

  // fakesnow 0.12.1 cannot parse DROP DATABASE (Snowflake's documented syntax); only that refusal is tolerated.
  await fakesnow.requests({ clear: true });
  await dropEnvironment(snowflake, 'pr_7').catch((e: unknown) => {
    if (!/Parser Error: syntax error at or near "DATABASE"/.test(String(e))) throw e;
  });
  expect((await fakesnow.requests()).map((r) => r.sqlText)).toContain('DROP DATABASE IF EXISTS DATAOPS_DIFF_PR_7');
});

describe('a later hour and a changed mapping, on both warehouses', () => {
  let later: { snowflake: RunResult; duckdb: RunResult };
  beforeAll(async () => {
    // 30 hours on: new sales, and refunds of earlier sales arriving late (the incremental models' MERGE path).
    await project.moveTo(new Date(ANCHOR.getTime() + 30 * 3_600_000));
    const file = join(project.dir, 'pipelines/catalog.yml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('normalize: [trim, lower], pattern', 'normalize: [trim, upper], pattern'));
    snowflake = resolveSettings({ projectDir: project.dir, target: 'snowflake', env: { ...snowflake.env, DEMO_API_URL: project.settings.env.DEMO_API_URL } });
    duckdb = project.settings;
    later = {
      snowflake: await runProject(snowflake, { now: ANCHOR }),
      duckdb: await runProject(duckdb, { now: ANCHOR }),
    };
  }, 600_000);

  test('the incremental models merged a window and the changed silver table was rebuilt, on both', async () => {
    // On Snowflake through the statements Snowflake itself runs: a MERGE of the window, an atomic SWAP.
    const sent = (await fakesnow.requests()).map((r) => r.sqlText);
    expect(sent.some((t) => /^MERGE INTO gold\.fact_sales AS t USING _window_gold_fact_sales/.test(t))).toBe(true);
    expect(sent.some((t) => /^MERGE INTO silver\.payments AS t USING _batch_pick_silver_payments/.test(t))).toBe(true);
    expect(sent).toContain('ALTER TABLE silver.customers SWAP WITH silver.customers__rebuild');
    for (const result of [later.snowflake, later.duckdb]) {
      expect(result.ok).toBe(true);
      expect(result.tableChanges.find((c) => c.table === 'gold.fact_sales')).toMatchObject({ action: 'update' });
      expect(result.tableChanges.find((c) => c.table === 'gold.daily_sales_summary')).toMatchObject({ action: 'update' });
      expect(result.tableChanges.find((c) => c.table === 'silver.customers')).toMatchObject({ action: 'rebuild', category: 'breaking' });
      // The silver SQL model read the new batch only, merged by key (refunds replace their sales).
      expect(result.tableChanges.find((c) => c.table === 'silver.payments')).toMatchObject({ action: 'update' });
    }
  });

  test.each(['silver.customers', 'silver.transactions', 'silver.payments', 'gold.dim_customer', 'gold.fact_sales', 'gold.daily_sales_summary', 'gold.dim_date'])('%s has the same rows', async (table) => {
    const [a, b] = [await rowsOf(snowflake, table), await rowsOf(duckdb, table)];
    expect(a.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });
});

// pull-request.yml's Snowflake path: the pull request's change built into its clone, compared with production.
test('a pull request builds its change into its clone, and the diff against production shows the change', async () => {
  const { createEnvironment, dropEnvironment } = await import('../../src/environments.js');
  const env = await createEnvironment(snowflake, 'pr_8');
  // The pull request's checkout: production's project (as the tests above left it) and one change.
  const head = await mkdtemp(join(tmpdir(), 'dataops-pr-head-'));
  try {
    for (const sub of ['pipelines', 'sql']) await cp(join(project.dir, sub), join(head, sub), { recursive: true });
    const stores = join(head, 'pipelines', 'stores.yml');
    const text = await readFile(stores, 'utf8');
    expect(text).toContain('normalize: [trim] }\n      region');
    await writeFile(stores, text.replace('normalize: [trim] }\n      region', 'normalize: [trim, upper] }\n      region'));
    const pr = resolveSettings({ projectDir: head, target: 'snowflake', env: { ...snowflake.env, SNOWFLAKE_DATABASE: env.location } });
    const built = await runProject(pr, { pipelines: ['stores'], steps: ['transform'], now: ANCHOR });
    expect(built.ok).toBe(true);

    const changes = compareProjects(await loadProject(project.dir, snowflake.env), await loadProject(head, pr.env));
    expect(changes.map((c) => [c.table, c.change])).toEqual([['silver.stores', 'breaking']]);
    const report = await diffProject(pr, { base: 'DATAOPS_DIFF', changes });
    expect(report.base).toBe('Snowflake database DATAOPS_DIFF');
    const silver = report.tables.find((t) => t.table === 'silver.stores')!;
    expect(silver.rows.base).toBeGreaterThan(3);
    expect(silver).toMatchObject({ rows_changed: silver.rows.base, column_changes: { city: silver.rows.base }, rows_added: 0, rows_removed: 0 });
    for (const sample of silver.samples) {
      if (sample.kind === 'changed') expect(sample.changes).toEqual([{ column: 'city', before: expect.any(String), after: sample.changes[0].before!.toUpperCase() }]);
    }
    // What the change rebuilds reads the new cities too.
    expect(report.tables.find((t) => t.table === 'gold.dim_store')).toMatchObject({ differs: true });
    // Production itself is as it was.
    expect(await rowsOf(snowflake, 'silver.stores')).toEqual(await rowsOf(duckdb, 'silver.stores'));
  } finally {
    await rm(head, { recursive: true, force: true });
    await dropEnvironment(snowflake, 'pr_8').catch((e: unknown) => {
      if (!/Parser Error: syntax error at or near "DATABASE"/.test(String(e))) throw e;
    });
  }
});


test('an erasure removes the same rows on Snowflake as on DuckDB, and leaves the same tables', async () => {
  const data = generateRetailData({ anchor: ANCHOR });
  const customer = data.customers.find((c) => c.id !== null && c.id >= 100 && c.email?.includes('@') && data.transactions.some((t) => t.customer_id === c.id))!;
  const key = parseEraseKey(`customer_id=${customer.id}`);
  const erase = async (settings: Settings) => {
    const loaded = await loadProject(project.dir, settings.env);
    return withWarehouse(settings, (w) => eraseSubject(w, loaded, { key, landingDir: settings.landingDir, runId: 'run_erase' }));
  };
  // The landing files are shared by both here: the first erasure rewrote them.
  const [sf, db] = [await erase(snowflake), await erase(duckdb)];
  const inWarehouse = (r: typeof sf) => r.counts.filter((c) => c.layer !== 'landing');
  expect(inWarehouse(sf)).toEqual(inWarehouse(db));
  expect(inWarehouse(sf).find((c) => c.table === 'silver.transactions')?.rows).toBeGreaterThan(0);
  expect(sf.rebuilt).toEqual(db.rebuilt);
  for (const table of ['silver.transactions', 'silver.transaction_lines', 'silver.customers', 'silver.payments', 'gold.dim_customer', 'gold.fact_sales', 'gold.daily_sales_summary']) {
    expect(await rowsOf(snowflake, table), table).toEqual(await rowsOf(duckdb, table));
  }
  const loads = (s: Settings) => withWarehouse(s, (w) => w.query('SELECT table_name, SUM(bronze) AS b, SUM(accepted) AS a, SUM(rejected) AS r FROM meta.silver_loads GROUP BY table_name ORDER BY 1'));
  expect((await loads(snowflake)).map(normalizeRow)).toEqual((await loads(duckdb)).map(normalizeRow));
}, 300_000);

test('retention removes the same rows on Snowflake as on DuckDB', async () => {
  const retain = async (settings: Settings, dryRun: boolean) => {
    const { graph, pipelines } = await loadProject(project.dir, settings.env);
    const keep = { bronze: 30 * 86_400, rejected: 30 * 86_400, meta: 30 * 86_400 };
    // Far enough ahead that every row is older: what is kept is what retention must never remove.
    const now = new Date(Date.now() + 400 * 86_400_000);
    return withWarehouse(settings, (w) => applyRetention(w, graph, { keep, landingDir: settings.landingDir, pipelines: pipelines.map((p) => p.name), now, dryRun }));
  };
  const dry = await retain(snowflake, true);
  expect(dry).toEqual(await retain(duckdb, true));
  // silver.payments reads this bronze batch by batch, as silver does: it goes too.
  expect(dry.find((c) => c.table === 'bronze.retail_pos_transactions')?.removed).toBeGreaterThan(0);
  expect(dry.find((c) => c.table === 'bronze.catalog_customers')?.removed).toBeGreaterThan(0);
  expect(await retain(snowflake, false)).toEqual(dry);
  expect(await retain(duckdb, false)).toEqual(dry);
  const left = (s: Settings) => withWarehouse(s, (w) => w.query('SELECT COUNT(*) AS n FROM bronze.catalog_customers'));
  expect((await left(snowflake)).map(normalizeRow)).toEqual([{ n: 0 }]);
  expect((await left(duckdb)).map(normalizeRow)).toEqual([{ n: 0 }]);
}, 300_000);

test('a dimension changed in a breaking way: the incremental summary that reads it is built again whole, the same on both', async () => {
  const file = join(project.dir, 'sql/gold/dim_store.sql');
  await writeFile(file, (await readFile(file, 'utf8')).replace('    region,', '    UPPER(region) AS region,'));
  const results = [await runProject(snowflake, { steps: ['transform'] }), await runProject(duckdb, { steps: ['transform'] })];
  for (const result of results) {
    expect(result.ok).toBe(true);
    expect(result.tableChanges.find((c) => c.table === 'gold.daily_sales_summary')).toMatchObject({ action: 'update', reasons: ['gold.dim_store rebuilt whole: built again from all of its inputs'] });
  }
  const summary = await rowsOf(snowflake, 'gold.daily_sales_summary');
  expect(summary.length).toBeGreaterThan(0);
  expect(summary).toEqual(await rowsOf(duckdb, 'gold.daily_sales_summary'));
  const lowerCase = (s: Settings) => withWarehouse(s, async (w) => Number((await w.query<{ n: number }>('SELECT COUNT(*) AS "n" FROM gold.daily_sales_summary WHERE region <> UPPER(region)'))[0].n));
  expect([await lowerCase(snowflake), await lowerCase(duckdb)]).toEqual([0, 0]);
}, 300_000);

function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), normalize(v)]));
}
