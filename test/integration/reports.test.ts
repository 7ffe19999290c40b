// The demo's report pages on the demo's data: every number a page shows equals the same figure asked of
// gold directly (hand-written SQL on the warehouse, and `dataops sql` for one), and `dataops validate`
// places a report page's mistakes at file:line:col.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProject } from '../../src/engine.js';
import { loadProject } from '../../src/project.js';
import { renderReportPages, type ReportPage } from '../../src/reports/index.js';
import { formatNumber } from '../../src/render/number-format.js';
import { changeText } from '../../src/reports/components.js';
import { validateProject } from '../../src/validate.js';
import { formatDiagnostic } from '../../src/errors.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { BIN, ensureBuild } from '../helpers/build.js';
import { copyProject, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
let demo: DemoProject;
let pages: Map<string, ReportPage>;

beforeAll(async () => {
  demo = await demoProject(ANCHOR);
  const result = await runProject(demo.settings, { now: ANCHOR });
  expect(result.ok).toBe(true);
  const project = await loadProject(demo.dir, demo.settings.env);
  const rendered = await withDatabase(demo.settings, (w) => renderReportPages(w, project));
  pages = new Map(rendered.map((p) => [p.path, p]));
});
afterAll(() => demo.close());

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The body rows of the table with this caption, as cell texts. */
function table(page: ReportPage, caption: string): string[][] {
  const found = [...page.bodyHtml.matchAll(/<table><caption>(.*?)<\/caption>.*?<tbody>(.*?)<\/tbody>/gs)].find((m) => text(m[1]) === caption);
  if (!found) throw new Error(`${page.path}: no table "${caption}"`);
  return [...found[2].matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) => [...r[1].matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => text(c[1])));
}

/** Each BigValue as [title, number, change]. */
function bigValues(page: ReportPage): string[][] {
  return [...page.bodyHtml.matchAll(/<p class="big-value">(.*?)<\/p>/gs)].map((m) =>
    [...m[1].matchAll(/<span class="big-value-(?:title|number|change)">(.*?)<\/span>/gs)].map((s) => text(s[1])));
}

function page(path: string): ReportPage {
  const found = pages.get(path);
  if (!found) throw new Error(`no page ${path} (pages: ${[...pages.keys()].join(', ')})`);
  expect(found.error, path).toBeUndefined();
  return found;
}

const gold = <T = Record<string, unknown>>(sql: string) => withDatabase(demo.settings, (w: Warehouse) => w.query<T>(sql));

describe('the demo report pages show the numbers gold holds', () => {
  it('publishes every page, one per store for the templated page, each built', async () => {
    const stores = await gold<{ name: string }>('SELECT store_name AS name FROM gold.dim_store');
    expect(stores.length).toBeGreaterThan(1);
    expect([...pages.keys()].sort()).toEqual([
      'reports/customers.html', 'reports/daily-sales.html', 'reports/executive.html', 'reports/inventory.html',
      ...stores.map((s) => `reports/stores/${s.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.html`),
    ].sort());
    for (const p of pages.values()) expect(p.error, p.path).toBeUndefined();
    expect(page('reports/daily-sales.html').tablesRead).toEqual(['gold.daily_sales_summary', 'gold.dim_product', 'gold.fact_sales']);
  });

  it('daily sales: revenue, units and refunds by day and store; top products', async () => {
    const p = page('reports/daily-sales.html');
    expect(p.title).toBe('Daily sales');
    const rows = await gold<{ d: string; store: string; net: number; units: number; refunded: number; n: number }>(
      `SELECT CAST(sales_date AS VARCHAR) AS d, store_name AS store, net_revenue AS net, units_sold AS units, refunded_amount AS refunded, transactions AS n
       FROM gold.daily_sales_summary ORDER BY sales_date DESC, store_name`,
    );
    expect(rows.length).toBeGreaterThan(10);
    expect(table(p, 'Net revenue, units and refunds by day and store')).toEqual(
      rows.map((r) => [r.d, r.store, formatNumber(r.net, 'usd'), formatNumber(r.units, 'integer'), formatNumber(r.refunded, 'usd'), formatNumber(r.n, 'integer')]),
    );
    const top = await gold<{ revenue: number }>(
      `SELECT SUM(f.quantity * f.unit_price - COALESCE(f.discount, 0)) AS revenue FROM gold.fact_sales AS f
       WHERE f.status = 'paid' AND f.product_key IN (SELECT product_key FROM gold.dim_product) GROUP BY f.product_key ORDER BY revenue DESC LIMIT 20`,
    );
    expect(table(p, 'Top 20 products by net revenue').map((r) => r[4])).toEqual(top.map((r) => formatNumber(r.revenue, 'usd')));
  });

  it('executive: the last 168 hours to the newest sale against the 168 before, with the change in text and the period in words; the same figure from `dataops sql`', async () => {
    const p = page('reports/executive.html');
    // A partly loaded newest day is compared with the same hours a week before, not with a whole day.
    const [k] = await gold<Record<string, number | string>>(`
      WITH last AS (SELECT MAX(sold_at) AS t FROM gold.fact_sales WHERE status IN ('paid', 'refunded')),
      s AS (SELECT f.*, CASE WHEN f.sold_at > l.t - INTERVAL 7 DAY THEN 'now' WHEN f.sold_at > l.t - INTERVAL 14 DAY THEN 'before' END AS w
            FROM gold.fact_sales AS f, last AS l WHERE f.status IN ('paid', 'refunded'))
      SELECT SUM(net_amount) FILTER (w = 'now' AND status = 'paid') AS rev, SUM(net_amount) FILTER (w = 'before' AND status = 'paid') AS rev0,
             COUNT(DISTINCT transaction_id) FILTER (w = 'now') AS tx, COUNT(DISTINCT transaction_id) FILTER (w = 'before') AS tx0,
             SUM(quantity) FILTER (w = 'now') AS units, SUM(quantity) FILTER (w = 'before') AS units0,
             SUM(net_amount) FILTER (w = 'now' AND status = 'refunded') AS ref, SUM(net_amount) FILTER (w = 'before' AND status = 'refunded') AS ref0,
             strftime(MAX(sold_at), '%Y-%m-%d %H:%M') AS last_sale, strftime(MAX(sold_at) - INTERVAL 7 DAY, '%Y-%m-%d %H:%M') AS week_before
      FROM s`);
    const n = (key: string) => Number(k[key]);
    expect(bigValues(p).slice(0, 4)).toEqual([
      ['Net revenue, last 7 days', formatNumber(n('rev'), 'usd'), changeText(n('rev'), n('rev0'))],
      ['Transactions, last 7 days', formatNumber(n('tx'), 'integer'), changeText(n('tx'), n('tx0'))],
      ['Units sold, last 7 days', formatNumber(n('units'), 'integer'), changeText(n('units'), n('units0'))],
      ['Refunds, last 7 days', formatNumber(n('ref'), 'usd'), changeText(n('ref'), n('ref0'))],
    ]);
    expect(changeText(n('rev'), n('rev0'))).toMatch(/^[+\u2212]\d+\.\d% [▲▼]$/);
    expect(text(p.bodyHtml).replace(/\s+/g, ' ')).toContain(`Last 7 days: after ${k.week_before} to ${k.last_sale} UTC`);
    // One region per loop pass, each BigValue with that region's row only.
    const regions = await gold<{ region: string }>('SELECT DISTINCT region FROM gold.daily_sales_summary ORDER BY region');
    expect(bigValues(p).slice(4).map((v) => v[0])).toEqual(regions.map((r) => `Net revenue in ${r.region}, last 7 days`));

    await ensureBuild();
    const { stdout } = await promisify(execFile)('node', [BIN, '-C', demo.dir, 'sql', '--json', '-q',
      `SELECT SUM(net_amount) AS rev FROM gold.fact_sales WHERE status = 'paid'
       AND sold_at > DATEADD(hour, -168, (SELECT MAX(sold_at) FROM gold.fact_sales WHERE status IN ('paid', 'refunded')))`],
    { env: demo.settings.env as NodeJS.ProcessEnv });
    expect(formatNumber(JSON.parse(stdout)[0].rev, 'usd')).toBe(bigValues(p)[0][1]);
  });

  it('inventory: stock on hand, low-stock items, movements', async () => {
    const p = page('reports/inventory.html');
    const [t] = await gold<{ on_hand: number; low: number }>('SELECT SUM(on_hand) AS on_hand, COUNT(*) FILTER (on_hand < 10) AS low FROM gold.inventory');
    expect(bigValues(p)).toEqual([
      ['Units on hand, all stores', formatNumber(t.on_hand, 'integer')],
      ['Store items under 10 units', formatNumber(t.low, 'integer')],
    ]);
    expect(table(p, 'Items under 10 units on hand')).toHaveLength(Math.min(50, t.low));
    const moves = await gold<{ d: string; kind: string; q: number; n: number }>(
      `SELECT CAST(CAST(moved_at AS DATE) AS VARCHAR) AS d, kind, SUM(quantity) AS q, COUNT(*) AS n FROM silver.inventory_movements GROUP BY ALL ORDER BY d DESC, kind`,
    );
    expect(table(p, 'Movements by day and kind')).toEqual(moves.map((m) => [m.d, m.kind, formatNumber(m.q, 'integer'), formatNumber(m.n, 'integer')]));
  });

  it('customers: new and returning, by loyalty tier', async () => {
    const p = page('reports/customers.html');
    const tiers = await gold<{ tier: string; customers: number; tx: number; revenue: number }>(
      `SELECT c.loyalty_tier AS tier, COUNT(DISTINCT f.customer_key) AS customers, COUNT(DISTINCT f.transaction_id) AS tx, SUM(f.net_amount) AS revenue
       FROM gold.fact_sales AS f JOIN gold.dim_customer AS c USING (customer_key) WHERE f.status = 'paid' GROUP BY ALL ORDER BY revenue DESC`,
    );
    expect(table(p, 'Customers, transactions and net revenue by loyalty tier')).toEqual(
      tiers.map((t) => [t.tier, formatNumber(t.customers, 'integer'), formatNumber(t.tx, 'integer'), formatNumber(t.revenue, 'usd')]),
    );
    const [split] = await gold<{ new: number; returning: number }>(
      `WITH f AS (SELECT customer_key, date_key, MIN(date_key) OVER (PARTITION BY customer_key) AS first_day FROM gold.fact_sales WHERE status = 'paid' AND customer_key IS NOT NULL),
       d AS (SELECT DISTINCT customer_key, date_key, date_key = first_day AS is_new FROM f)
       SELECT COUNT(*) FILTER (is_new) AS new, COUNT(*) FILTER (NOT is_new) AS returning FROM d`,
    );
    const chartRows = table(p, 'The data of the chart: customers by sales_date');
    const sum = (type: string) => chartRows.filter((r) => r[1] === type).reduce((n, r) => n + Number(r[2].replace(/,/g, '')), 0);
    expect([sum('new'), sum('returning')]).toEqual([Number(split.new), Number(split.returning)]);
  });

  it('stores: each store page shows that store\'s numbers', async () => {
    const stores = await gold<{ name: string; revenue: number; city: string }>(
      'SELECT s.store_name AS name, s.city, SUM(d.net_revenue) AS revenue FROM gold.dim_store AS s JOIN gold.daily_sales_summary AS d USING (store_key) GROUP BY ALL',
    );
    for (const s of stores) {
      const p = page(`reports/stores/${s.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.html`);
      expect(p.title).toBe(s.name);
      expect(bigValues(p)).toEqual([['Net revenue, whole period', formatNumber(s.revenue, 'usd')]]);
      expect(text(p.bodyHtml)).toContain(`${s.city}, `);
    }
  });
});

describe('dataops validate on report pages', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await copyProject();
    await mkdir(join(dir, 'reports', 'bad'), { recursive: true });
    const files: Record<string, string> = {
      'bad/sql.md': '# Bad SQL\n\n```sql q\nSELECT store_key,\n       nope\nFROM gold.dim_store\n```\n<DataTable data="q"/>\n',
      'bad/translate.md': '```sql q\nSELECT store_key,\n       NOT_A_FUNCTION(store_key) AS x\nFROM gold.dim_store\n```\n',
      'bad/loop.md': '```sql q\nSELECT region FROM gold.dim_store\n```\n{#each q as r}\nRegion {r.regoin}\n{/each}\n',
      'bad/[store].md': '---\npages: q\n---\n```sql q\nSELECT store_name FROM gold.dim_store\n```\n',
      // Problems of every kind in one page: each is listed, not only those found before the queries are planned.
      'bad/many.md': '```sql gone\nSELECT x FROM gold.no_such_table\n```\n```sql broken\nSELECT store_key,, 1 FROM gold.dim_store\n```\n' +
        '```sql stores\nSELECT store_name FROM gold.dim_store\n```\n<Nope data="stores"/>\n\n<DataTable data="stores" columns="store_nam"/>\n',
    };
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir, 'reports', file), text);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('places bad SQL, unknown functions and columns at their file:line:col', async () => {
    const v = await validateProject(dir, {}, { allowMissingEnv: true });
    const errors = v.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    expect(errors).toEqual([
      'reports/bad/[store].md:2:8: pages: q: "store" is not a column of query q (columns: store_name)',
      'reports/bad/loop.md:5:11: {r.regoin}: "regoin" is not a column of query q (columns: region)',
      expect.stringMatching(/^reports\/bad\/many\.md:2:15: unknown table "gold\.no_such_table"/),
      expect.stringMatching(/^reports\/bad\/many\.md:5:18: syntax error/),
      'reports/bad/many.md:10:1: unknown component <Nope> (components: BigValue, LineChart, BarChart, AreaChart, DataTable)',
      'reports/bad/many.md:12:35: <DataTable> columns: "store_nam" is not a column of query stores (columns: store_name)',
      expect.stringMatching(/^reports\/bad\/sql\.md:5:8: invalid identifier 'NOPE'/),
      expect.stringMatching(/^reports\/bad\/translate\.md:3:8: .*NOT_A_FUNCTION/i),
    ]);
  });

  it('exits 1 with reports/x.md:line:col for a column name with a typo', async () => {
    const daily = await readFile(join(dir, 'reports', 'daily-sales.md'), 'utf8');
    await writeFile(join(dir, 'reports', 'typo.md'), daily.replace('y="units_sold" series="store_name"', 'y="unit_sold" series="store_name"'));
    await ensureBuild();
    const run = await promisify(execFile)('node', [BIN, '-C', dir, 'validate', '--allow-missing-env']).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('reports/typo.md:26:55: <BarChart> y: "unit_sold" is not a column of query sales_by_store_day (columns: sales_date, store_name, net_revenue, units_sold, refunded_amount, transactions)');
  });
});
