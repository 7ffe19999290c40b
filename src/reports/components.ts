// Report components, keyed by tag name. Each entry declares its attributes (which are required, which
// must name a column of its query) and renders itself from its query's rows. A new component is one
// more entry here: `validate` and the README's list read the same declarations.
import { escapeHtml } from '../report/format.js';
import { fieldTitle, formatNumber, NUMBER_FORMATS, renderChartWithData, renderTable, type ChartKind, type NumberFormat } from './site-parts.js';

export type Row = Record<string, unknown>;

/**
 * query: the name of a SQL block of the page. column: a column of the component's query.
 * sort: "column [asc|desc]". formats: "column:format, ...". columns: "a, b, c". where: "column = value".
 */
export type AttributeKind = 'query' | 'column' | 'text' | 'format' | 'boolean' | 'integer' | 'sort' | 'formats' | 'columns' | 'where';

export interface AttributeSpec {
  kind: AttributeKind;
  required?: boolean;
  description: string;
}

/** Attribute values after {row.col} and {params.x} were put in; a bare attribute is "true". */
export interface ComponentInput {
  rows: Row[];
  attributes: Record<string, string>;
}

export interface ComponentSpec {
  description: string;
  attributes: Record<string, AttributeSpec>;
  render(input: ComponentInput): Promise<string>;
}

const data: AttributeSpec = { kind: 'query', required: true, description: 'the SQL block whose rows it shows' };
const where: AttributeSpec = { kind: 'where', description: 'only the rows where a column equals a value, e.g. "store_key = {store.store_key}" in a loop' };
const title: AttributeSpec = { kind: 'text', description: 'shown above it' };
const format: AttributeSpec = { kind: 'format', description: `number format: ${NUMBER_FORMATS.join(', ')}` };

function chart(kind: ChartKind, description: string, stackable: boolean): ComponentSpec {
  return {
    description,
    attributes: {
      data,
      x: { kind: 'column', required: true, description: 'the column along the horizontal axis (dates make a time axis)' },
      y: { kind: 'column', required: true, description: 'the column of the values' },
      series: { kind: 'column', description: 'a column whose values make one line or bar group each, with a legend' },
      title,
      format,
      ...(stackable ? { stacked: { kind: 'boolean', description: 'stack the series' } as AttributeSpec } : {}),
      where,
    },
    render: ({ rows, attributes: a }) =>
      renderChartWithData({
        kind,
        title: a.title ?? `${fieldTitle(a.y)} by ${fieldTitle(a.x).toLowerCase()}`,
        data: rows,
        // The chart module infers the axis (dates make a time axis, numbers a numeric one, the rest categories)
        // and names it after its column, in words.
        x: { field: a.x },
        y: { field: a.y, format: a.format as NumberFormat | undefined },
        series: a.series,
        stacked: a.stacked === 'true',
      }),
  };
}

export const COMPONENTS: Record<string, ComponentSpec> = {
  BigValue: {
    description: 'one number, the first row\'s, with its change against a comparison value',
    attributes: {
      data,
      value: { kind: 'column', required: true, description: 'the column of the number' },
      comparison: { kind: 'column', description: 'the column of the previous period\'s number; the change is shown as +12.3% ▲ / −4.0% ▼' },
      title,
      format,
      where,
    },
    render: async ({ rows, attributes: a }) => {
      const row = rows[0] ?? {};
      const value = row[a.value];
      const heading = a.title ? `<span class="big-value-title">${escapeHtml(a.title)}</span>` : '';
      const change = a.comparison === undefined ? '' : `<span class="big-value-change">${escapeHtml(changeText(value, row[a.comparison]))}</span>`;
      return `<p class="big-value">${heading}<span class="big-value-number">${escapeHtml(formatNumber(value, a.format as NumberFormat | undefined))}</span>${change}</p>`;
    },
  },
  LineChart: chart('line', 'a line per series over x', false),
  BarChart: chart('bar', 'bars of y per x, grouped or stacked by series', true),
  AreaChart: chart('area', 'areas of y over x, stacked by series', true),
  DataTable: {
    description: 'the rows as a table, sorted and limited, with number formats per column',
    attributes: {
      data,
      columns: { kind: 'columns', description: 'the columns to show, in order (default: all)' },
      sort: { kind: 'sort', description: 'e.g. "revenue desc" (default: the query\'s order)' },
      limit: { kind: 'integer', description: 'at most this many rows' },
      formats: { kind: 'formats', description: 'e.g. "revenue:usd, units:integer"' },
      title: { kind: 'text', description: 'the table\'s caption' },
      where,
    },
    render: async ({ rows, attributes: a }) => {
      let shown = rows;
      if (a.sort) {
        const [column, direction] = parseSort(a.sort);
        const sign = direction === 'desc' ? -1 : 1;
        shown = [...rows].sort((l, r) => sign * compareValues(l[column], r[column]));
      }
      if (a.limit) shown = shown.slice(0, Number(a.limit));
      const formats = new Map(a.formats ? parseFormats(a.formats).map((f) => [f.column, f.format] as const) : []);
      const names = a.columns ? splitList(a.columns).map((c) => c.text) : Object.keys(rows[0] ?? {});
      return renderTable({ caption: a.title ?? `Rows of ${a.data}`, columns: names.map((name) => ({ name, format: formats.get(name) })), rows: shown });
    },
  },
};

/** "+12.3% ▲", "−4.0% ▼", "0.0% (no change)"; "no comparison" when the previous value is 0 or missing. */
export function changeText(value: unknown, previous: unknown): string {
  const [now, before] = [toNumber(value), toNumber(previous)];
  if (now === undefined || before === undefined || before === 0) return 'no comparison';
  const change = (now - before) / Math.abs(before);
  const percent = `${Math.abs(change * 100).toFixed(1)}%`;
  if (percent === '0.0%') return '0.0% (no change)';
  return change > 0 ? `+${percent} ▲` : `\u2212${percent} ▼`;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function compareValues(l: unknown, r: unknown): number {
  if (l === r) return 0;
  if (l === null || l === undefined) return 1;
  if (r === null || r === undefined) return -1;
  if (typeof l === 'number' && typeof r === 'number') return l - r;
  return String(l) < String(r) ? -1 : 1;
}

/** A comma-separated list, each item with its offset in the text. */
export function splitList(text: string): Array<{ text: string; offset: number }> {
  const out: Array<{ text: string; offset: number }> = [];
  for (const m of text.matchAll(/[^,]+/g)) {
    const lead = m[0].length - m[0].trimStart().length;
    if (m[0].trim()) out.push({ text: m[0].trim(), offset: m.index + lead });
  }
  return out;
}

export function parseSort(text: string): [string, 'asc' | 'desc'] {
  const [column, direction] = text.trim().split(/\s+/);
  return [column, direction?.toLowerCase() === 'desc' ? 'desc' : 'asc'];
}

export function parseFormats(text: string): Array<{ column: string; format: NumberFormat; offset: number; formatOffset: number }> {
  return splitList(text).map((item) => {
    const colon = item.text.indexOf(':');
    const column = (colon < 0 ? item.text : item.text.slice(0, colon)).trim();
    const rest = colon < 0 ? '' : item.text.slice(colon + 1);
    return { column, format: rest.trim() as NumberFormat, offset: item.offset, formatOffset: item.offset + colon + 1 + (rest.length - rest.trimStart().length) };
  });
}

export function parseWhere(text: string): { column: string; value: string } | undefined {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(text);
  return m ? { column: m[1], value: m[2] } : undefined;
}
