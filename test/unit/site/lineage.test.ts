// The lineage drawing from the example project's graph: every edge drawn, every node a link, text
// escaped, the same bytes every time, and the text alternative listing the same graph.
import { describe, expect, test } from 'vitest';
import { loadProject } from '../../../src/project.js';
import type { ReportPageRef } from '../../../src/site/catalog.js';
import { layoutLineage, lineageGraph, renderLineageList, renderLineageSvg, type LineageGraph } from '../../../src/site/lineage.js';
import { REPO } from '../../helpers/project.js';

const env = { DEMO_API_URL: 'http://127.0.0.1:1', DEMO_API_TOKEN: 'token-for-tests', DEMO_REFERENCE_DB: '/tmp/none.duckdb' };
const REPORTS: ReportPageRef[] = [
  { path: 'reports/daily-sales.html', title: 'Daily <sales> & "refunds"', tablesRead: ['gold.daily_sales_summary', 'GOLD.FACT_SALES', 'gold.no_such_table'] },
  { path: 'reports/inventory.html', title: 'Inventory', tablesRead: ['gold.inventory'] },
];

const attributes = (svg: string, pattern: RegExp) => [...svg.matchAll(pattern)].map((m) => m.slice(1));

describe('the lineage of the example project', async () => {
  const { graph, diagnostics } = await loadProject(REPO, env);
  const lineage = lineageGraph(graph, REPORTS);
  const svg = renderLineageSvg(lineage, { listId: 'lineage-list' });

  test('every edge of the graph between drawn nodes is a path, and nothing else is', () => {
    expect(diagnostics).toEqual([]);
    const expected = graph.order
      .map((name) => graph.get(name)!)
      .filter((n) => n.layer !== 'check')
      .flatMap((n) => n.parents.map((p) => `${p} -> ${n.name}`));
    expected.push('gold.daily_sales_summary -> report:reports/daily-sales.html', 'gold.fact_sales -> report:reports/daily-sales.html', 'gold.inventory -> report:reports/inventory.html');
    const drawn = attributes(svg, /<path data-from="([^"]+)" data-to="([^"]+)"/g).map(([from, to]) => `${from} -> ${to}`);
    expect(drawn.sort()).toEqual(expected.sort());
    expect(drawn).toContain('silver.transactions -> gold.fact_sales');
    expect(drawn).toContain('resource:retail_pos.transactions -> bronze.retail_pos_transactions');
  });

  test('every node is a link to its page', () => {
    const links = Object.fromEntries(attributes(svg, /<a href="([^"]+)" data-node="([^"]+)"/g).map(([href, node]) => [node, href]));
    const expected = [...graph.order.filter((n) => !n.startsWith('check:')), ...REPORTS.map((r) => `report:${r.path}`)];
    expect(Object.keys(links).sort()).toEqual(expected.sort());
    expect(links['silver.transactions']).toBe('tables/silver.transactions.html');
    expect(links['resource:retail_pos.transactions']).toBe('pipelines/retail_pos.html');
    expect(links['report:reports/daily-sales.html']).toBe('reports/daily-sales.html');
  });

  test('edges go left to right: sources, bronze, silver, gold (a model that reads gold right of it), report pages', () => {
    const layout = layoutLineage(lineage);
    const at = new Map(layout.nodes.map((n) => [n.id, n]));
    for (const e of layout.edges) expect(at.get(e.to)!.x, `${e.from} -> ${e.to}`).toBeGreaterThan(at.get(e.from)!.x);
    expect(at.get('gold.daily_sales_summary')!.column).toBeGreaterThan(at.get('gold.fact_sales')!.column);
    expect(layout.headings.map((h) => h.text)).toEqual(['Sources', 'Bronze', 'Silver', 'Gold', 'Report pages']);
  });

  test('text is escaped in the drawing and the list', () => {
    const list = renderLineageList(lineage);
    for (const html of [svg, list]) {
      expect(html).toContain('Daily &lt;sales&gt; &amp; &quot;refunds&quot;');
      expect(html).not.toContain('<sales>');
    }
  });

  test('the same project draws the same bytes, whatever order the reports come in', () => {
    expect(renderLineageSvg(lineageGraph(graph, [...REPORTS].reverse()), { listId: 'lineage-list' })).toBe(svg);
  });

  test('the drawing is named and described, and points at the list that says it in text', () => {
    expect(svg).toMatch(/^<svg [^>]*role="graphics-document" aria-labelledby="lineage-title" aria-describedby="lineage-desc"/);
    expect(svg).toContain('<title id="lineage-title">');
    expect(svg).toMatch(/<desc id="lineage-desc">\d+ sources, \d+ bronze, \d+ silver, \d+ gold, 2 report pages, joined by \d+ arrows.* listed as text after the drawing\.<\/desc>/);
  });

  test('the list names every node with what it reads and what reads it, as links', () => {
    const list = renderLineageList(lineage, { id: 'lineage-list' });
    expect(list).toContain('id="lineage-list"');
    for (const node of lineage.nodes) expect(list).toContain(`<a href="${node.href}">`);
    expect(list).toMatch(/<a href="tables\/gold\.fact_sales\.html">gold\.fact_sales<\/a><ul><li>Reads: [^<]*(<a [^>]+>[^<]+<\/a>, )*<a href="tables\/silver\.transaction_lines\.html">/);
    expect(list).toMatch(/<a href="tables\/gold\.inventory\.html">gold\.inventory<\/a><ul><li>Reads: .*?<\/li><li>Feeds: <a href="reports\/inventory\.html">Inventory<\/a><\/li>/);
  });
});

describe('row order', () => {
  test('rows follow their neighbours (barycentre), so alphabetical order does not cross edges', () => {
    const lineage: LineageGraph = {
      nodes: [
        { id: 'r:a', kind: 'source', label: 'a', href: 'a.html' },
        { id: 'r:b', kind: 'source', label: 'b', href: 'b.html' },
        { id: 'bronze.x', kind: 'bronze', label: 'bronze.x', href: 'x.html' },
        { id: 'bronze.y', kind: 'bronze', label: 'bronze.y', href: 'y.html' },
      ],
      edges: [{ from: 'r:b', to: 'bronze.x' }, { from: 'r:a', to: 'bronze.y' }],
    };
    const y = Object.fromEntries(layoutLineage(lineage).nodes.map((n) => [n.id, n.y]));
    expect(y['r:a']).toBeLessThan(y['r:b']);
    expect(y['bronze.y']).toBeLessThan(y['bronze.x']);
  });

  test('a long label is shortened in its box and given whole as the link\'s title', () => {
    const label = `silver.${'very_long_name_'.repeat(4)}`;
    const svg = renderLineageSvg({ nodes: [{ id: label, kind: 'silver', label, href: 't.html' }], edges: [] });
    expect(svg).toContain(`<title>${label}</title>`);
    expect(svg).toContain('…</text>');
  });
});
