// What report pages borrow from the site: number formats, charts and tables. Tables are the site's Table
// component; the chart module (src/site/chart.ts) and its number formats are being built at the same time,
// so until they land on main these are small stand-ins with the same interface, and swapping them is a
// change of this file only.
import { renderToString } from 'preact-render-to-string';
import { escapeHtml } from '../report/format.js';
import { Table } from '../site/components.js';

export type NumberFormat = 'integer' | 'number' | 'decimal1' | 'decimal2' | 'usd' | 'percent' | 'duration';
export const NUMBER_FORMATS: readonly NumberFormat[] = ['integer', 'number', 'decimal1', 'decimal2', 'usd', 'percent', 'duration'];

export type ChartKind = 'line' | 'bar' | 'area';
export interface ChartSpec {
  kind: ChartKind;
  title: string;
  description?: string;
  data: ReadonlyArray<Record<string, unknown>>;
  x: { field: string; title?: string; type?: 'time' | 'category' | 'number' };
  y: { field: string; title?: string; format?: NumberFormat };
  series?: string;
  stacked?: boolean;
  rules?: ReadonlyArray<{ y: number; label: string }>;
  width?: number;
  height?: number;
}

const FORMATTERS: Record<NumberFormat, (n: number) => string> = {
  integer: (n) => Math.round(n).toLocaleString('en-US'),
  number: (n) => n.toLocaleString('en-US', { maximumFractionDigits: 2 }),
  decimal1: (n) => n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
  decimal2: (n) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  usd: (n) => n.toLocaleString('en-US', { style: 'currency', currency: 'USD' }),
  percent: (n) => `${(n * 100).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`,
  duration: (n) => {
    const s = Math.round(n);
    const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
    return h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
  },
};

/** en-US text of a value; NULL is "—"; a value that is not a number is shown as it is. */
export function formatNumber(value: unknown, format?: NumberFormat): string {
  if (value === null || value === undefined) return '—';
  const n = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : NaN;
  if (Number.isNaN(n)) return String(value);
  return FORMATTERS[format ?? 'number'](n);
}

/**
 * Stand-in for src/site/chart.ts's renderChart: the figure with its caption and the data as a table,
 * readable without the SVG.
 */
export async function renderChart(spec: ChartSpec): Promise<string> {
  const columns = [spec.x.field, ...(spec.series ? [spec.series] : []), spec.y.field];
  const table = renderTable({
    caption: `The data of the chart: ${spec.y.field} by ${spec.x.field}`,
    columns: columns.map((name) => ({ name, format: name === spec.y.field ? spec.y.format : undefined })),
    rows: spec.data,
  });
  return `<figure class="chart chart-${spec.kind}"><figcaption>${escapeHtml(spec.title)}</figcaption>${table}</figure>`;
}

export interface TableColumn {
  name: string;
  title?: string;
  format?: NumberFormat;
}

/** The rows as the site's Table: a caption, a header row, numeric columns right-aligned. */
export function renderTable(table: { caption: string; columns: readonly TableColumn[]; rows: ReadonlyArray<Record<string, unknown>> }): string {
  const numeric = table.columns.map((c) => c.format !== undefined || table.rows.some((r) => typeof r[c.name] === 'number'));
  return renderToString(
    <Table caption={table.caption} columns={table.columns.map((c, i) => (numeric[i] ? { label: c.title ?? c.name, numeric: true as const } : c.title ?? c.name))}>
      {table.rows.map((r) => (
        <tr>{table.columns.map((c, i) => <td class={numeric[i] ? 'n' : undefined}>{cellText(r[c.name], c.format)}</td>)}</tr>
      ))}
    </Table>,
  );
}

function cellText(value: unknown, format?: NumberFormat): string {
  if (format || typeof value === 'number' || value === null || value === undefined) return formatNumber(value, format);
  return String(value);
}
