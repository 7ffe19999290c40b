// What report pages borrow from the site: number formats, charts and tables. The site framework
// (src/site/) and its chart module are being built at the same time; until they land on main these are
// small stand-ins with the same interface, so that swapping them is a change of this file only.
import { escapeHtml } from '../report/site.js';

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

/** Stand-in for the framework's Table component: a caption, a header row, numbers right-aligned. */
export function renderTable(table: { caption?: string; columns: readonly TableColumn[]; rows: ReadonlyArray<Record<string, unknown>> }): string {
  const numeric = (c: TableColumn) => c.format !== undefined || table.rows.some((r) => typeof r[c.name] === 'number');
  const align = (c: TableColumn) => (numeric(c) ? ' class="num"' : '');
  const head = table.columns.map((c) => `<th scope="col"${align(c)}>${escapeHtml(c.title ?? c.name)}</th>`).join('');
  const body = table.rows
    .map((r) => `<tr>${table.columns.map((c) => `<td${align(c)}>${escapeHtml(cellText(r[c.name], c.format))}</td>`).join('')}</tr>`)
    .join('');
  const caption = table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : '';
  return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function cellText(value: unknown, format?: NumberFormat): string {
  if (format || typeof value === 'number' || value === null || value === undefined) return formatNumber(value, format);
  return String(value);
}
