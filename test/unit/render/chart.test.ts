import { describe, expect, it } from 'vitest';

import { fieldTitle, renderChart, type ChartSpec } from '../../../src/render/chart.js';
import { AXIS_COLOUR, MAX_DOTTED_POINTS, PALETTE, RULE_COLOUR, TEXT_COLOUR } from '../../../src/render/chart-svg.js';

const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, 'g')) ?? []).length;
const marks = (html: string) => count(html, /class="mark"/);
const texts = (html: string) => [...html.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

const day = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
const daily = (n: number, store = 'North') => Array.from({ length: n }, (_, i) => ({ day: day(i), store, revenue: 100 + ((i * 37) % 50) }));
const stores = [...daily(5, 'North'), ...daily(5, 'South')];
const byStore = [
  { store: 'A', region: 'east', units: 3 },
  { store: 'A', region: 'west', units: 4 },
  { store: 'B', region: 'east', units: 5 },
  { store: 'B', region: 'west', units: 1 },
  { store: 'C', region: 'east', units: 2 },
  { store: 'C', region: 'west', units: 6 },
];

const line = (over: Partial<ChartSpec> = {}): ChartSpec => ({
  kind: 'line',
  title: 'Revenue by day',
  data: daily(10),
  x: { field: 'day', title: 'Day' },
  y: { field: 'revenue', title: 'Revenue', format: 'usd' },
  ...over,
});

describe('renderChart: one mark per value', () => {
  const cases: Array<[string, ChartSpec, number]> = [
    ['a line of 10 days', line(), 10],
    ['an area of 10 days', line({ kind: 'area' }), 10],
    ['a line per store', line({ data: stores, series: 'store' }), 10],
    ['bars of 3 stores', { kind: 'bar', title: 'Units', data: byStore.filter((r) => r.region === 'east'), x: { field: 'store' }, y: { field: 'units' } }, 3],
    ['bars of 3 stores by 2 regions', { kind: 'bar', title: 'Units', data: byStore, x: { field: 'store' }, y: { field: 'units' }, series: 'region' }, 6],
    ['stacked bars', { kind: 'bar', title: 'Units', data: byStore, x: { field: 'store' }, y: { field: 'units' }, series: 'region', stacked: true }, 6],
    ['bars over numbers', { kind: 'bar', title: 'Runs', data: [{ h: 1, n: 2 }, { h: 2, n: 3 }], x: { field: 'h', type: 'number' }, y: { field: 'n' } }, 2],
  ];
  it.each(cases)('%s', async (_name, spec, expected) => {
    expect(marks(await renderChart(spec))).toBe(expected);
  });

  it(`a line longer than ${MAX_DOTTED_POINTS} points draws no dots, except for a value between two gaps`, async () => {
    const data: Array<Record<string, unknown>> = daily(365);
    data[99] = { ...data[99], revenue: null };
    data[101] = { ...data[101], revenue: null };
    const html = await renderChart(line({ data }));
    expect(marks(html)).toBe(1);
    // What shows the data is the line itself: tagged, so a reader's tools (and the browser test) find it.
    expect(count(html, /<path [^>]*class="mark-line"/)).toBe(1);
    expect(count(await renderChart(line({ data, kind: 'area', series: 'store' })), /class="mark-line"/)).toBe(2);
  });
});

describe('renderChart: words on the chart', () => {
  it('a series makes a legend naming each value', async () => {
    const html = await renderChart({ kind: 'bar', title: 'Units', data: byStore, x: { field: 'store' }, y: { field: 'units' }, series: 'region' });
    expect(texts(html)).toEqual(expect.arrayContaining(['east', 'west']));
    expect(texts(await renderChart(line()))).not.toContain('North');
  });

  it('axes carry their titles (the unit from the format) and formatted labels; a time axis reads as dates', async () => {
    const labels = texts(await renderChart(line()));
    expect(labels).toEqual(expect.arrayContaining(['Day', 'Revenue (USD)', '$0', 'Jan 1, 2025', 'Jan 3']));
    expect(labels.some((t) => /^\d{10,}$/.test(t))).toBe(false);
  });

  it('a duration axis ticks on whole minutes or hours; a time axis of hours shows the hour', async () => {
    const data = Array.from({ length: 36 }, (_, i) => ({ at: new Date(Date.UTC(2025, 5, 1) + i * 3_600_000).toISOString(), lag: 600 + ((i * 311) % 3000) }));
    const labels = texts(await renderChart({ kind: 'area', title: 'Lag', data, x: { field: 'at', title: 'Time' }, y: { field: 'lag', title: 'Lag', format: 'duration' } }));
    expect(labels).toEqual(expect.arrayContaining(['0s', '10m', '20m', '1h', 'Jun 1 08:00']));
    expect(labels.filter((t) => /^\d+m \d+s$|^\d+m$/.test(t)).every((t) => /^\d0m$/.test(t))).toBe(true);
  });

  // ECharts hides a category label that would overlap the one before: a chart of eight stores named four.
  const storeNames = ['Brooklyn Heights', 'North Loop', 'Pearl District', 'Seaport', 'South Congress', 'The Loop', 'Union Station', 'Waterfront'];
  const products = ['Family Size Espresso Beans', 'Classic Candles', 'Premium Sponges', 'Everyday Sponges', 'Local Drip Blend', 'Premium Hand Cream',
    'Classic Paper Towels', 'Premium Herbal Infusion', 'Organic Earl Grey', 'Small Batch Chai', 'Local Cheddar', 'Organic Bagels', 'Classic Pretzels',
    'Everyday Dish Soap', 'Local Butter', 'Organic Cold Brew', 'Classic Apples', 'Family Size Avocados', 'Small Batch Muffin', 'Everyday Green Tea'];
  const categoryCases: Array<[string, string[], (labels: string[], name: string) => boolean]> = [
    ['eight store names, wrapped on words under their bars', storeNames, (labels, name) => name.split(' ').every((word) => labels.some((l) => l.trim() === word || l === name))],
    ['twenty product names, turned and cut with an ellipsis', products, (labels, name) => labels.some((l) => l === name || (l.endsWith('...') && name.startsWith(l.slice(0, -3))))],
  ];
  it.each(categoryCases)('every category is labelled: %s', async (_name, names, shown) => {
    const html = await renderChart({ kind: 'bar', title: 'By name', data: names.map((name, i) => ({ name, n: i + 1 })), x: { field: 'name' }, y: { field: 'n' } });
    const labels = texts(html);
    expect(names.filter((name) => !shown(labels, name))).toEqual([]);
  });

  it('wrapped labels make the chart taller, not its plot shorter', async () => {
    const height = (html: string) => Number(/<svg [^>]*height="(\d+)"/.exec(html)![1]);
    const short = await renderChart({ kind: 'bar', title: 'A', data: [{ s: 'A', n: 1 }, { s: 'B', n: 2 }], x: { field: 's' }, y: { field: 'n' } });
    const wrapped = await renderChart({ kind: 'bar', title: 'A', data: storeNames.map((s, n) => ({ s, n })), x: { field: 's' }, y: { field: 'n' } });
    expect(height(short)).toBe(240);
    expect(height(wrapped)).toBeGreaterThan(240);
  });

  it('a legend too wide for one row wraps above the plot: the top axis label is below its last row', async () => {
    const names = [...storeNames, 'Airport Terminal', 'Harbor Point', 'Old Town', 'University District'];
    const data = names.flatMap((store, i) => [0, 1, 2].map((d) => ({ day: day(d), store, units: 10 + i })));
    const html = await renderChart({ kind: 'bar', title: 'Units', data, x: { field: 'day' }, y: { field: 'units' }, series: 'store', stacked: true });
    const yOfText = (text: string) => [...html.matchAll(/<text\b[^>]*transform="translate\([\d.]+ ([\d.]+)\)"[^>]*>([^<]*)<\/text>/g)].filter((m) => m[2] === text).map((m) => Number(m[1]));
    const legendBottom = Math.max(...names.flatMap(yOfText));
    const tickLabels = [...html.matchAll(/<text\b[^>]*text-anchor="end"[^>]*transform="translate\([\d.]+ ([\d.]+)\)"[^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1]));
    // A row of text and a gap between the legend and the top of the plot.
    expect(Math.min(...tickLabels)).toBeGreaterThan(legendBottom + 24);
  });

  it('a time axis over minutes never repeats a label', async () => {
    const data = [{ at: '2026-11-30T07:29:10Z', rows: 120 }, { at: '2026-11-30T07:30:05Z', rows: 120 }];
    const labels = texts(await renderChart({ kind: 'line', title: 'Rows', data, x: { field: 'at', title: 'Measured' }, y: { field: 'rows', title: 'Rows' } }))
      .filter((t) => /^Nov 30 /.test(t));
    expect(labels.length).toBeGreaterThan(0);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('a field without a title names its axis, in words', async () => {
    const labels = texts(await renderChart({ ...line(), x: { field: 'day' }, y: { field: 'revenue', format: 'percent' } }));
    expect(labels).toEqual(expect.arrayContaining(['Day', 'Revenue (%)']));
    expect(['net_revenue', 'units__sold_', 'x'].map(fieldTitle)).toEqual(['Net revenue', 'Units sold', 'X']);
  });

  it('rules are drawn as labelled lines, and the axis reaches a rule above the data', async () => {
    const html = await renderChart(line({ rules: [{ y: 500, label: 'SLA' }, { y: 120, label: 'Floor' }] }));
    expect(count(html, /<g class="rule"><line [^>]*stroke="#b91c1c"/)).toBe(2);
    expect(texts(html)).toEqual(expect.arrayContaining(['SLA ($500)', 'Floor ($120)']));
    expect(texts(html)).toContain('$500');
    expect(await renderChart(line())).not.toContain('class="rule"');
  });
});

describe('renderChart: an accessible, self-contained SVG', () => {
  it('has role="img" named by its <title> and described by its <desc>, and scales by its viewBox', async () => {
    const html = await renderChart(line({ id: 'revenue' }));
    expect(html).toMatch(/^<figure class="chart" id="revenue"><figcaption>Revenue by day<\/figcaption><svg /);
    expect(html).toContain('viewBox="0 0 640 240"');
    expect(html).toContain('role="img" aria-labelledby="revenue-title" aria-describedby="revenue-desc"');
    expect(html).toContain('<title id="revenue-title">Revenue by day</title>');
    expect(html).toMatch(/<desc id="revenue-desc">[^<]+<\/desc>/);
    expect(await renderChart(line({ width: 300, height: 150 }))).toContain('viewBox="0 0 300 150"');
  });

  it('generates the description from the data: kind, y by x, points, x range, y min and max', async () => {
    const data = [...stores, { day: day(7), store: 'South', revenue: null }];
    const html = await renderChart(line({ data, series: 'store', rules: [{ y: 140, label: 'Target' }] }));
    expect(html).toContain(
      '<desc id="chart-' +
        html.match(/id="chart-([0-9a-f]+)"/)![1] +
        '-desc">Line chart of Revenue (USD) by Day, one line per store (North, South): 11 points (1 without a value); ' +
        'Day from 2025-01-01 to 2025-01-08; Revenue (USD) from $100.00 to $148.00; reference lines: Target at $140.00.</desc>',
    );
    expect(await renderChart(line({ description: 'Given text' }))).toContain('-desc">Given text</desc>');
  });

  it('holds no script, no external reference and no hover-only CSS; its text is real <text>', async () => {
    const html = await renderChart(line({ data: stores, series: 'store', rules: [{ y: 120, label: 'x' }] }));
    expect(html).not.toMatch(/<script|<style|<image|<foreignObject|@import|@font-face|ecmeta_/i);
    for (const ref of html.matchAll(/(?:href|src)="([^"]*)"|url\(([^)]*)\)/g)) expect(ref[1] ?? ref[2]).toMatch(/^#/);
    expect(count(html, /<text\b/)).toBeGreaterThan(10);
  });

  it('uses colours with 3:1 contrast on white for marks and 4.5:1 for text', () => {
    for (const colour of [...PALETTE, RULE_COLOUR, AXIS_COLOUR]) expect(contrast(colour), colour).toBeGreaterThanOrEqual(3);
    for (const colour of [TEXT_COLOUR, RULE_COLOUR]) expect(contrast(colour), colour).toBeGreaterThanOrEqual(4.5);
  });
});

describe('renderChart: the same input is the same bytes', () => {
  it('renders identically twice, whatever was rendered in between', async () => {
    const first = await renderChart(line({ data: stores, series: 'store' }));
    await renderChart(line({ kind: 'area' }));
    expect(await renderChart(line({ data: stores, series: 'store' }))).toBe(first);
  });

  it('gives charts of other data or another title other ids, and a given id wins', async () => {
    const ids = async (spec: ChartSpec) => new Set([...(await renderChart(spec)).matchAll(/id="([^"]+)"/g)].map((m) => m[1].split('-').slice(0, 2).join('-')));
    const a = await ids(line());
    const b = await ids(line({ data: daily(11) }));
    const c = await ids(line({ title: 'Other' }));
    expect(a.size).toBe(1);
    expect([...a].some((id) => b.has(id) || c.has(id))).toBe(false);
    // every id inside the SVG (clip paths too) starts with the figure's id
    const html = await renderChart(line({ id: 'sales' }));
    expect([...html.matchAll(/id="([^"]+)"/g)].map((m) => m[1]).every((id) => id === 'sales' || id.startsWith('sales-'))).toBe(true);
    expect(html).toContain('url(#sales-');
  });
});

describe('renderChart: hostile and missing data', () => {
  it('escapes text from the data: title, categories, series names, rule labels, description', async () => {
    const hostile = '<script>alert("x")</script>&';
    const html = await renderChart({
      kind: 'bar',
      title: hostile,
      data: [{ c: hostile, s: hostile, v: 1 }, { c: 'b', s: 'ok', v: 2 }],
      x: { field: 'c', title: hostile },
      y: { field: 'v', title: hostile },
      series: 's',
      rules: [{ y: 1, label: hostile }],
    });
    expect(html).not.toMatch(/<script|<\/script/i);
    expect(html).not.toMatch(/&(?!(?:#\d+|lt|gt|amp|quot|apos);)/);
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;</figcaption>');
  });

  it('a category or series name that looks like an ECharts template or rich text is shown as written', async () => {
    const html = await renderChart({ kind: 'bar', title: 'T', data: [{ c: '{a|b} {c}', s: '{b}', v: 1 }], x: { field: 'c' }, y: { field: 'v' }, series: 's' });
    expect(texts(html)).toEqual(expect.arrayContaining(['{a|b} {c}', '{b}']));
  });

  it.each([
    ['no rows', []],
    ['only NULL values', [{ day: day(0), revenue: null }]],
  ] as Array<[string, Array<Record<string, unknown>>]>)('%s renders a figure saying "No data"', async (_name, data) => {
    const html = await renderChart(line({ data, id: 'empty' }));
    expect(html).toMatch(/<svg [^>]*role="img"/);
    expect(texts(html)).toEqual(['No data']);
    expect(html).toContain('<title id="empty-title">Revenue by day</title>');
    expect(html).toMatch(/<desc id="empty-desc">[^<]*no data\.<\/desc>/);
    expect(marks(html)).toBe(0);
  });

  it('a NULL value is a gap in the line, not a zero', async () => {
    const data: Array<Record<string, unknown>> = daily(6).map((r) => ({ ...r, revenue: 100 }));
    data[2] = { ...data[2], revenue: null };
    const html = await renderChart(line({ data }));
    expect(marks(html)).toBe(5);
    const path = html.match(new RegExp(`<path d="([^"]+)" fill="none" stroke="${PALETTE[0]}"`))![1];
    expect(count(path, /M/)).toBe(2);
    // a zero would pull the y axis' minimum value into the description
    expect(html).toContain('Revenue (USD) from $100.00 to $100.00');
  });

  it('refuses an unknown kind or a bad id, naming the chart', async () => {
    await expect(renderChart(line({ kind: 'pie' as ChartSpec['kind'] }))).rejects.toThrow('chart "Revenue by day": unknown kind "pie"; expected one of line, bar, area');
    await expect(renderChart(line({ id: '1 x' }))).rejects.toThrow(/id "1 x" must start with a letter/);
  });
});

/** WCAG contrast ratio of a #rrggbb colour against white. */
function contrast(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
}

