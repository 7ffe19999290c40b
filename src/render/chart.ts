// Charts for the report site: a spec in, an HTML <figure> with an inline SVG out. Pages must read with no
// JavaScript and fetch nothing, so the SVG is drawn here, at build time, by ECharts' server-side renderer
// (chosen against vega-lite + vega by measurement: bench/README.md, "Charts"). This file turns the spec's rows
// into series and words; chart-svg.ts owns everything ECharts-specific.
import { createHash } from 'node:crypto';
import { DataOpsError } from '../errors.js';
import { drawChartSvg, type ChartKind, type ChartSeries, type PreparedChart, type XType } from './chart-svg.js';
import { formatNumber, toNumeric, type NumberFormat } from './number-format.js';

export type { ChartKind };
export const CHART_KINDS: readonly ChartKind[] = ['line', 'bar', 'area'];

export interface ChartSpec {
  kind: ChartKind;
  /** Shown above the chart and as the SVG's accessible name. */
  title: string;
  /** Accessible text; when absent, generated from the data. */
  description?: string;
  data: ReadonlyArray<Record<string, unknown>>;
  x: { field: string; title?: string; type?: XType };
  /** `format` is also used for the axis labels. */
  y: { field: string; title?: string; format?: NumberFormat };
  /** A column whose values make one line / bar group each (with a legend). */
  series?: string;
  /** Bar and area. */
  stacked?: boolean;
  /** Horizontal reference lines, e.g. an SLA. */
  rules?: ReadonlyArray<{ y: number; label: string }>;
  /** Defaults 640 x 240; the SVG scales to its container. */
  width?: number;
  height?: number;
  /**
   * The figure's id, the prefix of every id inside the SVG. Defaults to a hash of the title and data, so the
   * same chart is the same bytes; give one when a page shows two charts with the same title and data.
   */
  id?: string;
}

export const DEFAULT_WIDTH = 640;
export const DEFAULT_HEIGHT = 240;

/** An HTML <figure> with the inline <svg> (role="img", <title>, <desc>) and a <figcaption>. */
export async function renderChart(spec: ChartSpec): Promise<string> {
  checkSpec(spec);
  const id = spec.id ?? chartId(spec);
  const prepared = prepare(spec);
  const description = spec.description ?? describe(spec, prepared);
  const svg = drawChartSvg(prepared, {
    id,
    title: spec.title,
    description,
    width: spec.width ?? DEFAULT_WIDTH,
    height: spec.height ?? DEFAULT_HEIGHT,
  });
  return `<figure class="chart" id="${escapeXml(id)}"><figcaption>${escapeXml(spec.title)}</figcaption>${svg}</figure>`;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function checkSpec(spec: ChartSpec): void {
  const problem = (what: string) => new DataOpsError(`chart "${spec.title}": ${what}`);
  if (!CHART_KINDS.includes(spec.kind)) throw problem(`unknown kind "${spec.kind}"; expected one of ${CHART_KINDS.join(', ')}`);
  if (spec.id !== undefined && !/^[A-Za-z][\w-]*$/.test(spec.id)) {
    throw problem(`id "${spec.id}" must start with a letter and hold only letters, digits, "-" and "_"`);
  }
  for (const [name, value] of [['width', spec.width], ['height', spec.height]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 120 && value <= 4000)) {
      throw problem(`${name} ${value} must be a number of pixels from 120 to 4000`);
    }
  }
  for (const rule of spec.rules ?? []) {
    if (!Number.isFinite(rule.y)) throw problem(`rule "${rule.label}" has y ${rule.y}; expected a finite number`);
  }
}

/** "chart-" and 12 hex digits of a hash over everything that changes the chart. */
function chartId(spec: ChartSpec): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ ...spec, data: undefined }, jsonValue));
  for (const row of spec.data) hash.update(JSON.stringify(row, jsonValue));
  return `chart-${hash.digest('hex').slice(0, 12)}`;
}

const jsonValue = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

// ---- rows to series ----------------------------------------------------------------------------------------

function prepare(spec: ChartSpec): PreparedChart {
  const xType = spec.x.type ?? inferXType(spec.data.map((row) => row[spec.x.field]));
  const groups = new Map<string, Array<{ x: number | string; y: number | null }>>();
  let skipped = 0;
  for (const row of spec.data) {
    const x = toX(row[spec.x.field], xType);
    if (x === undefined) {
      skipped++;
      continue;
    }
    const name = spec.series === undefined ? '' : seriesName(row[spec.series]);
    const y = toNumeric(row[spec.y.field]);
    let points = groups.get(name);
    if (!points) groups.set(name, (points = []));
    points.push({ x, y: y === undefined ? null : Number(y) });
  }
  const categories = xType === 'category' ? distinct([...groups.values()].flatMap((p) => p.map((pt) => pt.x as string))) : undefined;
  const series: ChartSeries[] = [...groups].map(([name, points]) => ({
    name,
    points: xType === 'category' ? points : [...points].sort((a, b) => (a.x as number) - (b.x as number)),
  }));
  return {
    kind: spec.kind,
    xType,
    categories,
    series,
    legend: spec.series !== undefined,
    stacked: spec.stacked === true && spec.kind !== 'line',
    xTitle: spec.x.title ?? fieldTitle(spec.x.field),
    yTitle: withUnit(spec.y.title ?? fieldTitle(spec.y.field), spec.y.format),
    yFormat: spec.y.format ?? 'number',
    rules: spec.rules ?? [],
    skipped,
  };
}

function inferXType(values: unknown[]): XType {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return 'category';
  if (present.every((v) => v instanceof Date || (typeof v === 'string' && ISO_DATE.test(v)))) return 'time';
  if (present.every((v) => typeof v === 'number' || typeof v === 'bigint')) return 'number';
  return 'category';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The x value as the axis takes it: epoch milliseconds, a number or a category's text; undefined if unusable. */
function toX(value: unknown, type: XType): number | string | undefined {
  if (value === null || value === undefined) return undefined;
  if (type === 'category') return value instanceof Date ? isoDate(value.getTime()) : String(value);
  if (type === 'number') {
    const n = toNumeric(value);
    return n === undefined ? undefined : Number(n);
  }
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : parseDate(String(value));
  return Number.isFinite(ms) ? ms : undefined;
}

/** ISO dates without a zone are UTC, so a chart is the same on every machine. */
function parseDate(text: string): number {
  if (!ISO_DATE.test(text)) return NaN;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text) || text.length === 10;
  return Date.parse(zoned ? text : `${text.replace(' ', 'T')}Z`);
}

const seriesName = (value: unknown): string => (value === null || value === undefined ? '(none)' : String(value));

const distinct = (values: string[]): string[] => [...new Set(values)];

/** An axis named after its column, in words: `net_revenue` is "Net revenue". */
export function fieldTitle(field: string): string {
  const words = field.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function withUnit(title: string, format: NumberFormat | undefined): string {
  const unit = format === 'usd' ? 'USD' : format === 'percent' ? '%' : undefined;
  return unit && !title.includes(`(${unit})`) ? `${title} (${unit})` : title;
}

// ---- words for people who do not see the chart --------------------------------------------------------------

const KIND_WORDS: Record<ChartKind, string> = { line: 'Line chart', bar: 'Bar chart', area: 'Area chart' };

/** e.g. "Line chart of Revenue (USD) by Day, one line per store: 730 points, Day from 2025-01-01 to ... ." */
export function describe(spec: ChartSpec, chart: PreparedChart): string {
  const points = chart.series.flatMap((s) => s.points);
  const ys = points.flatMap((p) => (p.y === null ? [] : [p.y]));
  const kind = `${KIND_WORDS[spec.kind]}${chart.stacked ? ' (stacked)' : ''} of ${chart.yTitle} by ${chart.xTitle}`;
  if (ys.length === 0) return `${kind}: no data.`;
  const per = spec.series === undefined ? '' : `, one ${spec.kind === 'bar' ? 'bar' : 'line'} per ${spec.series} (${chart.series.map((s) => s.name).join(', ')})`;
  const missing = points.length - ys.length;
  const count = `${formatNumber(points.length, 'integer')} points${missing ? ` (${formatNumber(missing, 'integer')} without a value)` : ''}`;
  const xs = points.map((p) => p.x);
  const xRange =
    chart.xType === 'category'
      ? `${formatNumber(chart.categories!.length, 'integer')} ${chart.xTitle} values from ${chart.categories![0]} to ${chart.categories!.at(-1)}`
      : `${chart.xTitle} from ${xText(Math.min(...(xs as number[])), chart.xType)} to ${xText(Math.max(...(xs as number[])), chart.xType)}`;
  const yRange = `${chart.yTitle} from ${formatNumber(Math.min(...ys), chart.yFormat)} to ${formatNumber(Math.max(...ys), chart.yFormat)}`;
  const rules = chart.rules.length ? `; reference lines: ${chart.rules.map((r) => `${r.label} at ${formatNumber(r.y, chart.yFormat)}`).join(', ')}` : '';
  return `${kind}${per}: ${count}; ${xRange}; ${yRange}${rules}.`;
}

function xText(value: number, type: XType): string {
  return type === 'time' ? isoDate(value) : formatNumber(value);
}

/** "2025-01-05", or "2025-01-05 14:00" when the time is not midnight UTC. */
export function isoDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(11, 16) === '00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}
