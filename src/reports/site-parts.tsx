// What report pages borrow from the site: its number formats (src/site/number-format.ts), its charts
// (src/site/chart.ts) and its Table component. A chart keeps its rows readable as numbers too: the table of
// its data sits under it, folded in a <details>, for readers who want the figures or do not see the SVG.
import { renderToString } from 'preact-render-to-string';
import { escapeHtml } from '../report/format.js';
import { renderChart, type ChartSpec } from '../render/chart.js';
import { Table } from '../render/table.js';
import { formatNumber, type NumberFormat } from '../render/number-format.js';

export { formatNumber, NUMBER_FORMATS, type NumberFormat } from '../render/number-format.js';
export { fieldTitle, type ChartKind, type ChartSpec } from '../render/chart.js';

/** The chart's figure, then its data as a table in a <details> (closed, so it costs the reader nothing). */
export async function renderChartWithData(spec: ChartSpec): Promise<string> {
  const columns = [spec.x.field, ...(spec.series ? [spec.series] : []), spec.y.field];
  const table = renderTable({
    caption: `The data of the chart: ${spec.y.field} by ${spec.x.field}`,
    columns: columns.map((name) => ({ name, format: name === spec.y.field ? spec.y.format : undefined })),
    rows: spec.data,
  });
  return `${await renderChart(spec)}<details class="chart-data"><summary>The numbers of “${escapeHtml(spec.title)}”</summary>${table}</details>`;
}

export interface TableColumn {
  name: string;
  title?: string;
  format?: NumberFormat;
}

/** The rows as the site's Table: a caption, a header row, numeric columns right-aligned. */
export function renderTable(table: { caption: string; columns: readonly TableColumn[]; rows: ReadonlyArray<Record<string, unknown>> }): string {
  const numeric = table.columns.map((c) => c.format !== undefined || table.rows.some((r) => isNumber(r[c.name])));
  return renderToString(
    <Table caption={table.caption} columns={table.columns.map((c, i) => (numeric[i] ? { label: c.title ?? c.name, numeric: true as const } : c.title ?? c.name))}>
      {table.rows.map((r) => (
        <tr>{table.columns.map((c, i) => <td class={numeric[i] ? 'n' : undefined}>{cellText(r[c.name], c.format)}</td>)}</tr>
      ))}
    </Table>,
  );
}

const isNumber = (value: unknown): boolean => typeof value === 'number' || typeof value === 'bigint';

function cellText(value: unknown, format?: NumberFormat): string {
  if (format || isNumber(value) || value === null || value === undefined) return formatNumber(value, format);
  return String(value);
}

