// Report pages parsed and checked without a warehouse: each bad page gives its exact file:line:col message.
import { describe, expect, it } from 'vitest';
import { byPosition, formatDiagnostic } from '../../../src/errors.js';
import { parseReportFile } from '../../../src/reports/load.js';

const TABLES = new Set(['gold.daily_sales_summary', 'gold.inventory', 'meta.runs']);
const KPIS = '```sql kpis\nSELECT SUM(net_revenue) AS revenue FROM gold.daily_sales_summary\n```\n';

function problems(text: string, file = 'reports/x.md'): string[] {
  return parseReportFile(file, text, TABLES).diagnostics.sort(byPosition).map(formatDiagnostic);
}

describe('report page syntax', () => {
  const cases: Array<[string, string, string[]]> = [
    ['unknown component', `${KPIS}\n<BigNumber data="kpis" value="revenue"/>\n`, [
      'reports/x.md:5:1: unknown component <BigNumber> (components: BigValue, LineChart, BarChart, AreaChart, DataTable)',
    ]],
    ['unknown attribute, after indentation', `${KPIS}\n  <BigValue data="kpis" vlaue="revenue" value="revenue"/>\n`, [
      'reports/x.md:5:25: <BigValue>: unknown attribute "vlaue" (attributes: data, value, comparison, title, format, where)',
    ]],
    ['missing required attribute', `${KPIS}\n<LineChart data="kpis"\n  x="revenue"/>\n`, [
      'reports/x.md:5:1: <LineChart>: missing attribute y (the column of the values)',
    ]],
    ['a component naming a query that does not exist', `${KPIS}\n<DataTable data="kpi"/>\n`, [
      'reports/x.md:5:18: <DataTable> data: unknown query "kpi" (queries in this page: kpis)',
    ]],
    ['a bad number format, in a list', `${KPIS}\n<DataTable data="kpis" formats="revenue:usd, revenue:dollars"/>\n`, [
      'reports/x.md:5:54: <DataTable> formats: "dollars" is not a number format (expected column:format with one of integer, number, decimal1, decimal2, usd, percent, duration)',
    ]],
    ['a bad sort', `${KPIS}\n<DataTable data="kpis" sort="revenue downwards"/>\n`, [
      'reports/x.md:5:30: <DataTable> sort: expected "column", "column asc" or "column desc", found "revenue downwards"',
    ]],
    ['an unclosed tag', `${KPIS}\n<BigValue data="kpis"\n  value="revenue"\n`, [
      'reports/x.md:5:1: <BigValue> is not closed: expected "/>" at the end of the tag',
    ]],
    ['a tag closed with > instead of />', `${KPIS}\n<BigValue data="kpis" value="revenue">\n`, [
      'reports/x.md:5:38: <BigValue>: a component closes itself: expected "/>", not ">"',
    ]],
    ['text after a tag', `${KPIS}\n<BigValue data="kpis" value="revenue"/> and more\n`, [
      'reports/x.md:5:41: <BigValue>: put nothing after "/>" on its line (a component stands on lines of its own)',
    ]],
    ['an unclosed {#each}', `${KPIS}\n{#each kpis as k}\n{k.revenue}\n`, [
      'reports/x.md:5:1: {#each kpis as k} is not closed: expected {/each} after it',
    ]],
    ['a {/each} with no {#each}', 'Text\n\n  {/each}\n', ['reports/x.md:3:3: {/each} without an {#each} before it']],
    ['an {#each} over an unknown query', `${KPIS}\n{#each kpi as k}\n{/each}\n`, [
      'reports/x.md:5:8: unknown query "kpi" (queries in this page: kpis)',
    ]],
    ['a malformed {#each}', '{#each kpis}\n{/each}\n', [
      'reports/x.md:1:1: expected {#each <query> as <name>} on a line of its own',
      'reports/x.md:2:1: {/each} without an {#each} before it',
    ]],
    ['an unknown table, at its place in the SQL', '# T\n\n```sql q\nSELECT *\nFROM  gold.daily_sales\n```\n', [
      'reports/x.md:5:7: unknown table "gold.daily_sales" (known: gold.daily_sales_summary, gold.inventory, meta.runs)',
    ]],
    ['two statements', '```sql q\nSELECT 1;\nDELETE FROM gold.inventory\n```\n', [
      'reports/x.md:2:1: query "q": expected exactly one SELECT (or WITH ... SELECT) statement',
    ]],
    ['a query defined twice', '```sql q\nSELECT 1\n```\n```sql q\nSELECT 2\n```\n', [
      'reports/x.md:4:8: query "q" is defined twice (first at line 1)',
    ]],
    ['an unclosed SQL block', '# T\n```sql q\nSELECT 1\n', [
      'reports/x.md:2:1: the SQL block "q" is not closed: expected a line ``` after it',
    ]],
    ['params on a page that is not templated', '```sql q\nSELECT 1 WHERE x = ${params.store}\n```\n', [
      'reports/x.md:2:20: ${params.store}: only a templated page (a file named [name].md) has params',
    ]],
    ['a quoted param', '```sql r\nSELECT 1 WHERE x = \'${params.store}\'\n```\n', [
      'reports/x.md:2:21: write ${params.store} without quotes around it: it becomes a quoted SQL string',
    ]],
    ['an unknown front matter key', '---\ntitle: T\npage: q\n---\n# T\n', [
      'reports/x.md:3:1: unknown front matter key "page" (expected: title, pages)',
    ]],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it('reports a templated page with no pages query, and a params name that is not the page\'s', () => {
    const text = '# {params.shop}\n```sql q\nSELECT 1 WHERE s = ${params.shop}\n```\n';
    expect(problems(text, 'reports/stores/[store].md')).toEqual([
      'reports/stores/[store].md:1:1: a templated page ([store].md) needs front matter "pages: <query>" naming the query whose "store" column gives one page per value',
      'reports/stores/[store].md:1:3: {params.shop}: this page\'s param is "store" (from its file name)',
      'reports/stores/[store].md:3:20: ${params.shop}: this page\'s param is "store" (from its file name)',
    ]);
  });

  it('leaves components, loops and queries inside other code blocks alone', () => {
    const text = '# T\n\n```md\n<Nope/>\n{#each x as y}\n```\n\n```sql\nSELECT * FROM nowhere.at_all\n```\n';
    const report = parseReportFile('reports/x.md', text, TABLES);
    expect(report.diagnostics).toEqual([]);
    expect(report.queries).toEqual([]);
    expect(report.nodes).toEqual([{ kind: 'markdown', text, line: 1 }]);
  });

  it('records each query with its first line, and the tables the page reads', () => {
    const text = '# T\n\n```sql a\nSELECT * FROM gold.inventory\n```\n\n```sql b show\nSELECT * FROM Meta.Runs JOIN gold.inventory ON TRUE\n```\n';
    const report = parseReportFile('reports/ops/x.md', text, TABLES);
    expect(report.diagnostics).toEqual([]);
    expect(report.queries.map((q) => [q.name, q.line, q.show])).toEqual([['a', 4, false], ['b', 8, true]]);
    expect(report.tablesRead).toEqual(['gold.inventory', 'meta.runs']);
    expect(report.section).toBe('ops');
  });
});
