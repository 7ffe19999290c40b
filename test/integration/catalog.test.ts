// The catalog of the example project after a real run on DuckDB: every table of the graph with its
// columns as built (types and descriptions), owner, checks with their last result, freshness SLA, rows,
// the model's SQL, what it reads and feeds; and, before anything is built, what the declarations say.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runProject } from '../../src/engine.js';
import { loadProject, type Project } from '../../src/project.js';
import { buildCatalog, readCatalog, type CatalogTable } from '../../src/site/catalog.js';
import { readStatus } from '../../src/state/status.js';
import { demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
let demo: DemoProject;
let project: Project;
let catalog: CatalogTable[];
const table = (name: string) => catalog.find((t) => t.name === name)!;

beforeAll(async () => {
  demo = await demoProject(ANCHOR);
  const run = await runProject(demo.settings, { now: ANCHOR });
  expect(run.ok).toBe(true);
  project = await loadProject(demo.dir, demo.settings.env);
  catalog = await withDatabase(demo.settings, async (w) =>
    readCatalog(w, project, {
      status: await readStatus(w, project, { now: ANCHOR }),
      reports: [{ path: 'reports/daily-sales.html', title: 'Daily sales', tablesRead: ['gold.daily_sales_summary', 'gold.dim_store'] }],
    }),
  );
}, 120_000);

afterAll(async () => {
  await demo?.close();
});

describe('the catalog after a run', () => {
  test('has every table node of the graph, bronze then silver then gold, by name', () => {
    const byName = (layer: 'bronze' | 'silver' | 'gold') => project.graph.nodes(layer).map((n) => n.name).sort();
    expect(catalog.map((t) => t.name)).toEqual([...byName('bronze'), ...byName('silver'), ...byName('gold')]);
    expect(catalog.length).toBe(19);
    expect(catalog.every((t) => t.built)).toBe(true);
  });

  test('a silver table of a mapping: columns as built with the YAML descriptions, owner, checks with their last result, SLA, rows', () => {
    const t = table('silver.transactions');
    expect(t).toMatchObject({ layer: 'silver', kind: 'merge_by_key', file: 'pipelines/retail_pos.yml', pipeline: 'retail_pos', owners: ['data-eng'], description: 'One row per sale, latest version wins' });
    expect(t.columns.find((c) => c.name === 'total')).toEqual({ name: 'total', type: 'DECIMAL(12,2)', description: "Sale total in the store's currency, before refunds" });
    expect(t.columns.find((c) => c.name === 'sold_at')).toMatchObject({ type: 'TIMESTAMP', description: 'When the sale was rung up, UTC' });
    expect(t.columns.find((c) => c.name === 'currency')).toEqual({ name: 'currency', type: 'VARCHAR' });
    expect(t.columns.find((c) => c.name === '_loaded_at')?.description).toMatch(/written/);
    expect(t.checks.map((c) => [c.name, c.severity, c.last?.status])).toEqual([
      ['unique(transaction_id)', 'error', 'pass'],
      ['not_null(transaction_id, store_id, sold_at)', 'error', 'pass'],
      // The demo's data has a few sales of an unknown status: the warning is the check's real last result.
      ['accepted_values(status)', 'warn', 'warn'],
      ['row_count(1..∞)', 'error', 'pass'],
      ['freshness(sold_at)', 'error', expect.any(String)],
    ]);
    expect(t.freshness).toMatchObject({ field: 'sold_at', warn_after_seconds: 7200, error_after_seconds: 21600, state: expect.any(String) });
    expect(t.rows).toBeGreaterThan(100);
    expect(t.upstream).toEqual(['bronze.retail_pos_transactions']);
    expect(t.downstream).toEqual(['gold.dim_date', 'gold.fact_sales']);
    expect(t.sources).toEqual([{ pipeline: 'retail_pos', resource: 'transactions', kind: 'http' }]);
    expect(t.sql).toBeUndefined();
  });

  test('a gold model: its comment as description, column comments, its SQL, owners of what it reads, reports that read it', () => {
    const t = table('gold.daily_sales_summary');
    expect(t.description).toMatch(/^Revenue per store and day\. .* Incremental: /);
    expect(t.kind).toBe('incremental');
    expect(t.pipeline).toBeUndefined();
    expect(t.owners).toEqual(['data-eng']);
    expect(t.sources.map((s) => `${s.pipeline}.${s.resource}`)).toEqual(['retail_pos.transactions', 'stores.stores']);
    expect(t.columns.find((c) => c.name === 'net_revenue')).toMatchObject({ type: expect.stringMatching(/^DECIMAL/), description: 'revenue net of refunds' });
    expect(t.columns.find((c) => c.name === 'store_name')).toEqual({ name: 'store_name', type: 'VARCHAR' });
    expect(t.sql).toContain('FROM gold.fact_sales AS f');
    expect(t.upstream).toEqual(['gold.dim_store', 'gold.fact_sales']);
    expect(t.reports).toEqual([{ path: 'reports/daily-sales.html', title: 'Daily sales' }]);
    expect(t.checks.map((c) => [c.name, c.last?.status])).toEqual([['unique(sales_date, store_key)', 'pass']]);
    expect(table('gold.inventory').owners).toEqual(['supply-chain']);
  });

  test('a bronze table: its resource, and the load columns described', () => {
    const t = table('bronze.retail_pos_transactions');
    expect(t).toMatchObject({ layer: 'bronze', kind: 'append', pipeline: 'retail_pos', owners: ['data-eng'], upstream: [] });
    expect(t.sources).toEqual([{ pipeline: 'retail_pos', resource: 'transactions', kind: 'http' }]);
    expect(t.downstream).toEqual(['silver.payments', 'silver.transaction_lines', 'silver.transactions']);
    expect(t.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['_batch_id', '_record']));
    expect(t.columns.every((c) => c.type !== null && c.description)).toBe(true);
  });

  test('a silver SQL model: its SQL and the pipeline that builds it', () => {
    const t = table('silver.payments');
    expect(t).toMatchObject({ kind: 'incremental_by_batch', pipeline: 'retail_pos', owners: ['data-eng'] });
    expect(t.description).toMatch(/^Grain: one row per sale, with how it was paid/);
    expect(t.sql).toContain('-- materialized: incremental_by_batch');
  });
});

describe('the catalog before anything is built', () => {
  test('shows the declared columns and descriptions, no rows, nothing built', () => {
    const declared = buildCatalog(project, { columns: new Map() });
    const customers = declared.find((t) => t.name === 'silver.customers')!;
    expect(customers).toMatchObject({ built: false, rows: null, last_loaded_at: null });
    expect(customers.columns.find((c) => c.name === 'loyalty_tier')).toEqual({ name: 'loyalty_tier', type: 'string', description: 'bronze, silver or gold; empty for customers outside the programme' });
    expect(customers.checks.every((c) => c.last === undefined)).toBe(true);
    const summary = declared.find((t) => t.name === 'gold.daily_sales_summary')!;
    expect(summary.columns).toContainEqual({ name: 'net_revenue', type: null, description: 'revenue net of refunds' });
  });
});
