// The catalog of the example project after a real run on DuckDB: every table of the graph with its
// columns as built (types and descriptions), owner, checks with their last result, freshness SLA, rows,
// the model's SQL, what it reads and feeds; and, before anything is built, what the declarations say.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runProject } from '../../src/engine.js';
import { loadProject, type Project } from '../../src/project.js';
import { buildSite } from '../../src/site/build.js';
import { buildCatalog, readCatalog, type CatalogTable } from '../../src/site/catalog.js';
import { lineageGraph } from '../../src/site/lineage.js';
import { LINEAGE_PAGE_LINKS } from '../../src/site/pages/lineage.js';
import { readStatus } from '../../src/state/status.js';
import type { StatusReport } from '../../src/state/types.js';
import { demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
let demo: DemoProject;
let project: Project;
let catalog: CatalogTable[];
let status: StatusReport;
const table = (name: string) => catalog.find((t) => t.name === name)!;

beforeAll(async () => {
  demo = await demoProject(ANCHOR);
  const run = await runProject(demo.settings, { now: ANCHOR });
  expect(run.ok).toBe(true);
  project = await loadProject(demo.dir, demo.settings.env);
  status = await withDatabase(demo.settings, (w) => readStatus(w, project, { now: ANCHOR }));
  catalog = await withDatabase(demo.settings, async (w) =>
    readCatalog(w, project, {
      status,
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
      // The demo's data has a few sales of an unknown status: under its error_if of 1%, the check warns.
      ['accepted_values(status)', 'error', 'warn'],
      ['row_count(1..∞)', 'error', 'pass'],
      ['pattern(customer_email ~ [^@ ]+@[^@ ]+\\.[a-z]+)', 'error', 'warn'],
      ['expression(updated_at >= sold_at)', 'error', 'pass'],
      ['anomaly(volume)', 'warn', 'pass'],
      ['anomaly(null_rate(customer_id))', 'warn', 'pass'],
      // sql/checks/transaction_totals.sql: a custom check about this table, listed with the table's own.
      ['sql(transaction_totals)', 'error', 'warn'],
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

describe('the catalog pages', () => {
  let site: string;
  const page = (file: string) => readFile(path.join(site, file), 'utf8');
  /** Every relative href of a page, resolved to a path in the site (fragments and queries left out). */
  const links = (html: string, from: string) =>
    [...html.matchAll(/href="([^"#?]+)/g)].map((m) => m[1]).filter((h) => !/^[a-z]+:/.test(h)).map((h) => path.posix.join(path.posix.dirname(from), decodeURIComponent(h)));

  beforeAll(async () => {
    site = path.join(demo.dir, '.dataops', 'site');
    // The report pages are not in this build: the catalog without them links only to pages that exist.
    const tables = buildCatalog(project, { columns: new Map(catalog.map((t) => [t.name, t.columns.map((c) => ({ name: c.name, type: c.type ?? '' }))])), status });
    await buildSite({ report: status, catalog: tables, lineage: lineageGraph(project.graph, [], LINEAGE_PAGE_LINKS) }, site);
  });

  test('the lineage and every table page are within two clicks of the overview, and every link resolves to a written file', async () => {
    const overview = await page('index.html');
    expect(links(overview, 'index.html')).toEqual(expect.arrayContaining(['lineage.html', 'tables/index.html']));
    const index = await page('tables/index.html');
    const tablePages = links(index, 'tables/index.html').filter((l) => /^tables\/(bronze|silver|gold)\./.test(l));
    expect(tablePages.sort()).toEqual(catalog.map((t) => `tables/${t.name}.html`).sort());
    for (const file of ['index.html', 'tables/index.html', 'lineage.html', ...tablePages]) {
      for (const target of links(await page(file), file)) expect(existsSync(path.join(site, target)), `${file} -> ${target}`).toBe(true);
    }
  });

  test("the overview's and each pipeline page's table lists link every table to its page: one click", async () => {
    const overview = links(await page('index.html'), 'index.html').filter((l) => /^tables\/(bronze|silver|gold)\./.test(l));
    expect(overview.sort()).toEqual(status.tables.map((t) => `tables/${t.name}.html`).sort());
    const own = links(await page('pipelines/retail_pos.html'), 'pipelines/retail_pos.html');
    expect(own).toEqual(expect.arrayContaining(['tables/silver.transactions.html', 'tables/bronze.retail_pos_transactions.html']));
  });

  test('a table page: columns with types and descriptions, owner, checks with their last result, SLA, rows, upstream and downstream', async () => {
    const html = await page('tables/silver.transactions.html');
    expect(html).toContain('<h1>silver.transactions</h1>');
    expect(html).toContain('<p>One row per sale, latest version wins</p>');
    expect(html).toMatch(/<th scope="row"><code>total<\/code><\/th><td>DECIMAL\(12,2\)<\/td><td>Sale total in the store's currency, before refunds<\/td>/);
    expect(html).toMatch(/<dt>Owner<\/dt><dd>data-eng<\/dd>/);
    expect(html).toMatch(/<code>accepted_values\(status\)<\/code><\/th><td>error<\/td><td><span class="badge warn">warn<\/span>/);
    expect(html).toMatch(/<dt>Freshness SLA<\/dt><dd>.*newest <code>sold_at<\/code>: warn after 2h, error after 6h/);
    expect(html).toContain('<a href="bronze.retail_pos_transactions.html">bronze.retail_pos_transactions</a>');
    expect(html).toContain('<a href="gold.fact_sales.html">gold.fact_sales</a>');
    expect(html).toContain('<a href="../pipelines/retail_pos.html">retail_pos</a>');
    expect(html).not.toContain('<h2 id="sql">');
    // The warned check's failing rows, as the run kept them, with the SQL that returns them all.
    const samples = html.slice(html.indexOf('id="check-samples"'), html.indexOf('id="lineage"'));
    expect(samples).toMatch(/<summary>accepted_values\(status\) on silver\.transactions: \d+ of [\d,]+ failing rows<\/summary>/);
    expect(samples).toMatch(/<pre><code>SELECT [^<]*silver\.transactions/);
  });

  test('a table whose checks all passed shows no failing rows', async () => {
    const store = table('silver.stores');
    expect(store.checks.length).toBeGreaterThan(0);
    expect(store.checks.every((c) => c.last?.status === 'pass')).toBe(true);
    expect(await page('tables/silver.stores.html')).not.toContain('id="check-samples"');
  });

  test('a gold model\'s page: its description, column comments and SQL', async () => {
    const html = await page('tables/gold.daily_sales_summary.html');
    expect(html).toContain('<p>Revenue per store and day.');
    expect(html).toMatch(/<code>net_revenue<\/code><\/th><td>DECIMAL\(\d+,\d+\)<\/td><td>revenue net of refunds<\/td>/);
    expect(html).toContain('<h2 id="sql">SQL</h2>');
    expect(html).toContain('FROM gold.fact_sales AS f');
    expect(html).toContain("WHEN f.status = 'refunded'");
  });

  test('the index reads as a plain table without JavaScript; the filter box is shown only by its inline script', async () => {
    const html = await page('tables/index.html');
    expect(html).toContain('<div id="table-filter-box" class="filter" hidden>');
    expect(html).toMatch(/<script>\(function \(\) \{/);
    expect(html).not.toMatch(/<script[^>]* src=/);
    expect(html).toContain(`<caption>${catalog.length} tables: name, layer, owner, rows and description</caption>`);
    expect(html).toMatch(/<tr data-search="silver\.transactions silver merge_by_key retail_pos data-eng one row per sale, latest version wins">/);
  });

  test('the lineage page: the drawing with every node a link, and the list', async () => {
    const html = await page('lineage.html');
    expect(html).toContain('role="graphics-document"');
    expect(html).toContain('<a href="tables/gold.fact_sales.html" data-node="gold.fact_sales"');
    expect(html).toContain('<ul class="lineage-list" id="lineage-list">');
  });
});
