// Report pages rendered on a real in-memory DuckDB: data and params are escaped, loops and templated
// pages make what they should, and a page that fails becomes an error page while the others publish.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReportFile } from '../../../src/reports/load.js';
import { renderReportPages, type ReportPage } from '../../../src/reports/render.js';
import { changeText } from '../../../src/reports/components.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';

const PROJECT = { dir: '.', pipelines: [], models: [] };
const TABLES = new Set(['gold.shops']);
let warehouse: DuckDBWarehouse;

beforeAll(async () => {
  warehouse = await DuckDBWarehouse.open(':memory:');
  await warehouse.execute(`CREATE SCHEMA gold; CREATE TABLE gold.shops AS SELECT * FROM (VALUES
    (1, 'North', 100.5, 80.0), (2, '<script>alert(1)</script>', 20.0, 40.0), (3, 'O''Brien''s', 7.0, NULL)) AS t(shop_id, name, revenue, revenue_prev)`);
});
afterAll(() => warehouse.close());

async function render(files: Record<string, string>): Promise<ReportPage[]> {
  const reports = Object.entries(files).map(([file, text]) => parseReportFile(file, text, TABLES));
  return renderReportPages(warehouse, PROJECT, { reports });
}

const SHOPS = '```sql shops\nSELECT shop_id, name, revenue, revenue_prev FROM gold.shops ORDER BY shop_id\n```\n';

describe('report pages', () => {
  it('escapes data everywhere it is shown: tables, big values, loop text, attributes', async () => {
    const [page] = await render({
      'reports/x.md': `# Shops\n${SHOPS}\n<DataTable data="shops"/>\n\n{#each shops as s}\n## Shop {s.name}\n<BigValue data="shops" where="shop_id = {s.shop_id}" value="revenue" title="{s.name}"/>\n{/each}\n\n<script>alert(2)</script>\n`,
    });
    expect(page.error).toBeUndefined();
    expect(page.bodyHtml).not.toMatch(/<script/i);
    expect(page.bodyHtml).toContain('<td>&lt;script>alert(1)&lt;/script></td>');
    expect(page.bodyHtml).toContain('<h2>Shop &lt;script&gt;alert(1)&lt;/script&gt;</h2>');
    expect(page.bodyHtml).toContain('<span class="big-value-title">&lt;script&gt;alert(1)&lt;/script&gt;</span>');
    expect(page.bodyHtml).toContain("<h2>Shop O'Brien's</h2>");
    expect(page.bodyHtml).toContain('<p>&lt;script&gt;alert(2)&lt;/script&gt;</p>');
  });

  it('keeps Markdown in a value as text: data makes no link, emphasis or heading', async () => {
    const [page] = await render({
      'reports/x.md': "```sql v\nSELECT '# [click](https://evil.example) *bold*\n<b>x</b>' AS text\n```\n{#each v as row}\nSaid: {row.text}\n{/each}\n",
    });
    expect(page.bodyHtml).toBe('<p>Said: # [click](https://evil.example) *bold* &lt;b&gt;x&lt;/b&gt;</p>\n');
  });

  it('renders a loop once per row, and a component in it with the row\'s data only', async () => {
    const [page] = await render({
      'reports/x.md': `${SHOPS}\n{#each shops as s}\n### {s.shop_id}\n<BigValue data="shops" where="shop_id = {s.shop_id}" value="revenue" comparison="revenue_prev" format="usd"/>\n{/each}\n`,
    });
    const sections = page.bodyHtml.split('<h3>').slice(1);
    expect(sections.map((s) => s.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim())).toEqual([
      '1 $100.50 +25.6% ▲',
      '2 $20.00 −50.0% ▼',
      '3 $7.00 no comparison',
    ]);
    expect(page.title).toBe('x');
  });

  it('makes one page per value of a templated page, binding the value as a string, never as SQL', async () => {
    const pages = await render({
      'reports/shops/[shop].md': [
        '---', 'pages: names', '---', '# Shop {params.shop}',
        '```sql names', 'SELECT name AS shop FROM gold.shops UNION ALL SELECT \'x\'\' OR 1=1 --\' ORDER BY shop', '```',
        '```sql one', 'SELECT COUNT(*) AS n, MAX(revenue) AS revenue, ${params.shop} AS echoed FROM gold.shops WHERE name = ${params.shop}', '```',
        '<DataTable data="one" columns="n, echoed"/>', '',
      ].join('\n'),
    });
    expect(pages.map((p) => [p.path, p.title, p.error])).toEqual([
      ['reports/shops/script-alert-1-script.html', 'Shop <script>alert(1)</script>', undefined],
      ['reports/shops/north.html', 'Shop North', undefined],
      ['reports/shops/o-brien-s.html', 'Shop O\'Brien\'s', undefined],
      ['reports/shops/x-or-1-1.html', 'Shop x\' OR 1=1 --', undefined],
    ]);
    const cells = (p: ReportPage) => [...p.bodyHtml.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]);
    expect(pages.map(cells)).toEqual([
      ['1', '&lt;script>alert(1)&lt;/script>'],
      ['1', 'North'],
      ['1', "O'Brien's"],
      ['0', "x' OR 1=1 --"],
    ]);
    expect(pages[0].bodyHtml).toContain('<h1>Shop &lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(pages.every((p) => p.section === 'shops' && p.sourceFile === 'reports/shops/[shop].md')).toBe(true);
  });

  it('publishes an error page naming file:line:col for a page that fails, and the other pages as usual', async () => {
    const pages = await render({
      'reports/bad.md': '# Bad\n\n```sql q\nSELECT shop_id,\n       no_such_column\nFROM gold.shops\n```\n<DataTable data="q"/>\n',
      'reports/typo.md': `# Typo\n${SHOPS}\n<BigValue data="shops" value="revenu"/>\n`,
      'reports/good.md': `# Good\n${SHOPS}\n<BigValue data="shops" value="revenue" format="usd"/>\n`,
    });
    expect(pages.map((p) => [p.path, p.error && `${p.error.file}:${p.error.line}:${p.error.col}`])).toEqual([
      ['reports/bad.html', 'reports/bad.md:5:8'],
      ['reports/typo.html', 'reports/typo.md:6:31'],
      ['reports/good.html', undefined],
    ]);
    expect(pages[0].bodyHtml).toContain('This page could not be built: <code>reports/bad.md:5:8: invalid identifier &#39;NO_SUCH_COLUMN&#39;');
    expect(pages[1].bodyHtml).toContain('<code>reports/typo.md:6:31: &lt;BigValue&gt; value: &quot;revenu&quot; is not a column of query shops (columns: shop_id, name, revenue, revenue_prev)</code>');
    expect(pages[2].bodyHtml).toContain('$100.50');
  });

  it.each([
    [112.3, 100, '+12.3% ▲'],
    [96, 100, '\u22124.0% ▼'],
    [100, 100, '0.0% (no change)'],
    [5, 0, 'no comparison'],
    [5, null, 'no comparison'],
    [-5, -10, '+50.0% ▲'],
  ])('BigValue says the change from %s to... %s in text: %s', (value, previous, text) => {
    expect(changeText(value, previous)).toBe(text);
  });
});

describe('a page over a table no run has built yet', () => {
  it('says so, without an error', async () => {
    const pages = await renderReportPages(warehouse, PROJECT, {
      reports: [parseReportFile('reports/later.md', '# Later\n```sql q\nSELECT * FROM gold.not_yet\n```\n<DataTable data="q"/>\n', new Set(['gold.not_yet']))],
    });
    expect(pages.map((p) => [p.path, p.error, p.missingTables])).toEqual([['reports/later.html', undefined, ['gold.not_yet']]]);
    expect(pages[0].bodyHtml).toContain('No data yet: <code>gold.not_yet</code> has not been built by any run');
  });
});

describe('report charts', () => {
  // Each chart is the site's inline SVG (src/render/chart.ts) with one data mark per value it draws, and its
  // rows as a table under it, folded away.
  const cases: Array<[string, string, number]> = [
    ['a bar per shop', '<BarChart data="shops" x="name" y="revenue" format="usd" title="Revenue by shop"/>', 3],
    ['a line over shop ids (a number axis)', '<LineChart data="shops" x="shop_id" y="revenue"/>', 3],
    ['an area over shop ids', '<AreaChart data="shops" x="shop_id" y="revenue"/>', 3],
    ['one shop of a loop', '{#each shops as s}\n<BarChart data="shops" where="shop_id = {s.shop_id}" x="name" y="revenue" title="Shop {s.shop_id}"/>\n{/each}', 3],
  ];
  it.each(cases)('%s', async (_name, component, marks) => {
    const [page] = await render({ 'reports/x.md': `${SHOPS}\n${component}\n` });
    expect(page.error).toBeUndefined();
    const figures = [...page.bodyHtml.matchAll(/<figure class="chart"[^>]*>(.*?)<\/figure>/gs)].map((m) => m[1]);
    expect(figures.length).toBeGreaterThan(0);
    expect(figures.every((f) => /<svg [^>]*role="img"/.test(f))).toBe(true);
    expect((page.bodyHtml.match(/class="mark"/g) ?? []).length).toBe(marks);
    const tables = [...page.bodyHtml.matchAll(/<details class="chart-data"><summary>[^<]*<\/summary>.*?<tbody>(.*?)<\/tbody>/gs)];
    expect(tables.length).toBe(figures.length);
    expect(tables.reduce((n, t) => n + (t[1].match(/<tr>/g) ?? []).length, 0)).toBe(3);
  });

  it('formats the values of its data table and its axis with the site\'s number formats', async () => {
    const [page] = await render({ 'reports/x.md': `${SHOPS}\n<BarChart data="shops" x="name" y="revenue" format="usd"/>\n` });
    expect(page.bodyHtml).toContain('<td class="n">$100.50</td>');
    expect(page.bodyHtml).toMatch(/<text[^>]*>\$100<\/text>/);
    expect(page.bodyHtml).toContain('<figcaption>Revenue by name</figcaption>');
    // Axes named after their columns in words, the unit from the format.
    expect(page.bodyHtml).toMatch(/<text[^>]*>Revenue \(USD\)<\/text>/);
    expect(page.bodyHtml).toMatch(/<text[^>]*>Name<\/text>/);
  });
});
