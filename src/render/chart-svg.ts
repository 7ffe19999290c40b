// Draws a prepared chart as an SVG string with ECharts' server-side renderer, then makes the SVG fit for a static
// page: ids prefixed by the chart's own id (ECharts numbers its instances, which would make bytes differ from one
// build to the next and ids collide on a page), data marks given class="mark", hover-only CSS and ECharts'
// hydration attributes dropped, and role="img" with <title> and <desc> added.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { formatTick, type NumberFormat } from './number-format.js';

/** The kinds of chart the site draws (chart.ts re-exports it with the spec). */
export type ChartKind = 'line' | 'bar' | 'area';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, SVGRenderer]);

export type XType = 'time' | 'category' | 'number';

export interface ChartSeries {
  name: string;
  points: Array<{ x: number | string; y: number | null }>;
}

export interface PreparedChart {
  kind: ChartKind;
  xType: XType;
  /** The category axis' values in order of first appearance. */
  categories?: string[];
  series: ChartSeries[];
  legend: boolean;
  stacked: boolean;
  xTitle: string;
  yTitle: string;
  yFormat: NumberFormat;
  rules: ReadonlyArray<{ y: number; label: string }>;
  /** Rows without a usable x value. */
  skipped: number;
}

interface Frame {
  id: string;
  title: string;
  description: string;
  width: number;
  height: number;
}

// Colours with at least 3:1 contrast on white for marks (WCAG 1.4.11) and 4.5:1 for text (1.4.3); they stay
// apart for the common kinds of colour blindness as far as eight hues can. Tested in chart.test.ts.
export const PALETTE = ['#1d5fbf', '#c2410c', '#15803d', '#7c3aed', '#be185d', '#0e7490', '#a16207', '#475569'];
export const TEXT_COLOUR = '#333333';
export const AXIS_COLOUR = '#595959';
export const RULE_COLOUR = '#b91c1c';
const GRID_COLOUR = '#e5e5e5';
const FONT = { fontSize: 12, fontFamily: 'system-ui, sans-serif', color: TEXT_COLOUR };

// Above this many points a line shows no dot per point (the bytes would outweigh what dots add); a point whose
// neighbours are both missing keeps its dot, or it would not show at all.
export const MAX_DOTTED_POINTS = 120;

type SeriesOption = Record<string, unknown>;

/** The ECharts series for each kind of chart, keyed by kind. */
const SERIES_BY_KIND: { [K in ChartKind]: (chart: PreparedChart, series: ChartSeries, colour: string) => SeriesOption } = {
  line: (chart, series, colour) => lineSeries(chart, series, colour),
  area: (chart, series, colour) => ({ ...lineSeries(chart, series, colour), areaStyle: { color: colour, opacity: 0.25 } }),
  bar: (chart, series, colour) => ({
    type: 'bar',
    name: series.name,
    data: seriesData(chart, series),
    itemStyle: { color: colour },
    barMaxWidth: 48,
    ...(chart.stacked ? { stack: 'total' } : {}),
  }),
};

function lineSeries(chart: PreparedChart, series: ChartSeries, colour: string): SeriesOption {
  const data = seriesData(chart, series);
  const dotted = series.points.length <= MAX_DOTTED_POINTS;
  return {
    type: 'line',
    name: series.name,
    data: data.map((value, i) => (dotted || isolated(data, i) ? value : { value, symbol: 'none' })),
    showSymbol: true,
    showAllSymbol: true,
    symbol: 'circle',
    symbolSize: 5,
    connectNulls: false,
    lineStyle: { color: colour, width: 2 },
    itemStyle: { color: colour, borderColor: colour },
    ...(chart.stacked ? { stack: 'total' } : {}),
  };
}

type Datum = number | null | [number | string, number | null];

const yOf = (d: Datum | undefined): number | null | undefined => (Array.isArray(d) ? d[1] : d);

function isolated(data: Datum[], i: number): boolean {
  return yOf(data[i]) !== null && yOf(data[i - 1]) == null && yOf(data[i + 1]) == null;
}

/** A category series holds one value per category (null where it has none); others hold [x, y] pairs. */
function seriesData(chart: PreparedChart, series: ChartSeries): Datum[] {
  if (chart.categories) {
    const byX = new Map(series.points.map((p) => [p.x as string, p.y]));
    return chart.categories.map((c) => byX.get(c) ?? null);
  }
  if (!chart.stacked) return series.points.map((p) => [p.x, p.y]);
  // Stacks add up by position, so every stacked series holds the same x values; a series with no row at an x
  // adds nothing there (a row whose value is NULL stays a gap).
  const xs = [...new Set(chart.series.flatMap((s) => s.points.map((p) => p.x as number)))].sort((a, b) => a - b);
  const byX = new Map(series.points.map((p) => [p.x as number, p.y]));
  return xs.map((x) => [x, byX.has(x) ? byX.get(x)! : 0]);
}

function buildOption(chart: PreparedChart, legendTop: number): Record<string, unknown> {
  const ys = chart.series.flatMap((s) => s.points.flatMap((p) => (p.y === null ? [] : [p.y])));
  const ruleYs = chart.rules.map((r) => r.y);
  const top = Math.max(...ys, ...ruleYs);
  const bottom = Math.min(...ys, ...ruleYs);
  const axisLine = { lineStyle: { color: AXIS_COLOUR } };
  const timeSpan = chart.xType === 'time' ? spanOf(chart) : 0;
  return {
    animation: false,
    useUTC: true,
    backgroundColor: '#ffffff',
    textStyle: FONT,
    grid: { left: 12, right: 24, top: chart.legend ? legendTop : 16, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    legend: chart.legend
      ? { top: 4, left: 'center', textStyle: FONT, itemWidth: 18, itemHeight: 10, itemGap: LEGEND_GAP, data: chart.series.map((s) => s.name) }
      : undefined,
    xAxis: {
      type: chart.xType === 'number' ? 'value' : chart.xType,
      data: chart.categories,
      name: chart.xTitle,
      nameLocation: 'middle',
      nameGap: X_NAME_GAP,
      nameTextStyle: FONT,
      axisLine,
      axisTick: { lineStyle: { color: AXIS_COLOUR } },
      axisLabel: {
        color: TEXT_COLOUR,
        hideOverlap: true,
        formatter: chart.xType === 'time' ? (ms: number) => timeLabel(ms, timeSpan) : chart.xType === 'number' ? (v: number) => formatTick(v) : undefined,
      },
      splitLine: { show: false },
      // No two ticks closer than the labels tell apart: a day (labels are dates) or a minute (dates with the time).
      ...(chart.xType === 'time' ? { minInterval: timeSpan >= 2 * DAY ? DAY : MINUTE } : {}),
      ...(chart.xType === 'number' ? { scale: true } : {}),
    },
    yAxis: {
      type: 'value',
      name: chart.yTitle,
      nameLocation: 'middle',
      nameGap: 52,
      nameTextStyle: FONT,
      axisLine: { show: true, ...axisLine },
      axisLabel: { color: TEXT_COLOUR, formatter: (v: number) => formatTick(v, chart.yFormat) },
      splitLine: { lineStyle: { color: GRID_COLOUR } },
      // Room for a rule beyond the data; ECharts rounds the rest.
      ...(ruleYs.length && top > Math.max(0, ...ys) ? { max: niceCeil(top) } : {}),
      ...(ruleYs.length && bottom < Math.min(0, ...ys) ? { min: -niceCeil(-bottom) } : {}),
      ...(chart.yFormat === 'integer' ? { minInterval: 1 } : {}),
      ...(chart.yFormat === 'duration' ? durationTicks(Math.min(0, bottom), Math.max(0, top)) : {}),
    },
    series: chart.series.map((s, i) => SERIES_BY_KIND[chart.kind](chart, s, PALETTE[i % PALETTE.length])),
  };
}

const MINUTE = 60_000;
const DAY = 86_400_000;

// ECharts lays text out on widths estimated from Arial's (it has no canvas on the server); browsers draw
// system-ui, about 12% wider on Debian (DejaVu Sans). Text is laid out with that much room to spare.
const BROWSER_TEXT_WIDER = 1.15;
const LEGEND_GAP = 20;
const LABEL_FONT = `${FONT.fontSize}px ${FONT.fontFamily}`;
const MAX_LABEL_LINES = 3;
const TURNED_LABEL_WIDTH = 120;
const LABEL_LINE_HEIGHT = 14;
const X_NAME_GAP = 28;

const ONE_ROW_LEGEND_TOP = 40;
const LEGEND_ICON = 18 + 5;
const LEGEND_ROW_HEIGHT = 14;

/** The legend's height as ECharts lays it out: entries packed into rows as wide as the chart, less its padding. */
function legendHeight(names: readonly string[], width: number): number {
  const room = width - 10;
  let rows = 1;
  let used = 0;
  for (const name of names) {
    const entry = LEGEND_ICON + echarts.format.getTextRect(name, LABEL_FONT).width;
    if (used > 0 && used + LEGEND_GAP + entry > room) {
      rows++;
      used = entry;
    } else used += (used > 0 ? LEGEND_GAP : 0) + entry;
  }
  return rows * LEGEND_ROW_HEIGHT + (rows - 1) * LEGEND_GAP;
}

/** A label's width in the browser, from ECharts' estimate. */
function labelWidth(text: string): number {
  return echarts.format.getTextRect(text, LABEL_FONT).width * BROWSER_TEXT_WIDER;
}

/** The lines a label takes wrapped on words to `room` pixels, or Infinity when a word alone is wider. */
function wrappedLines(label: string, room: number): number {
  let lines = 1;
  let line = '';
  for (const word of label.split(/\s+/).filter(Boolean)) {
    if (labelWidth(word) > room) return Infinity;
    const joined = line ? `${line} ${word}` : word;
    if (line && labelWidth(joined) > room) {
      lines++;
      line = word;
    } else line = joined;
  }
  return lines;
}

/**
 * Every category gets its label (ECharts would hide each one that overlaps the one before, leaving bars
 * nobody can name): wrapped on words to its slot, at most three lines; when the slots are too narrow for
 * that, turned 45 degrees and cut with an ellipsis (the full names are in the chart's data table). Only where
 * even turned labels would overlap (dozens of categories) does ECharts still hide some. The axis title moves
 * down below the labels.
 */
function categoryAxis(categories: readonly string[], plotWidth: number): Record<string, unknown> {
  const room = plotWidth / Math.max(1, categories.length);
  const lines = Math.max(1, ...categories.map((c) => wrappedLines(c, room)));
  if (lines <= MAX_LABEL_LINES) {
    return {
      nameGap: 14 + lines * LABEL_LINE_HEIGHT,
      axisLabel: { interval: 0, width: Math.floor(room / BROWSER_TEXT_WIDER), overflow: 'break', lineHeight: LABEL_LINE_HEIGHT, hideOverlap: true },
    };
  }
  const turned = Math.min(TURNED_LABEL_WIDTH, Math.max(...categories.map(labelWidth)));
  return {
    nameGap: Math.ceil(16 + Math.SQRT1_2 * (turned + LABEL_LINE_HEIGHT)),
    axisLabel: { interval: 0, rotate: 45, width: TURNED_LABEL_WIDTH, overflow: 'truncate', hideOverlap: true },
  };
}

function spanOf(chart: PreparedChart): number {
  const xs = chart.series.flatMap((s) => s.points.map((p) => p.x as number));
  return xs.length ? Math.max(...xs) - Math.min(...xs) : 0;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Jan 5" (with the year on January 1 or when the span passes a year), "Jan 5 14:00" within two days. */
function timeLabel(ms: number, span: number): string {
  const d = new Date(ms);
  const day = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  if (span < 2 * DAY) return `${day} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  const newYear = d.getUTCMonth() === 0 && d.getUTCDate() === 1;
  return span > 365 * DAY || newYear ? `${day}, ${d.getUTCFullYear()}` : day;
}

// Seconds between duration ticks people read easily: 1s ... 30s, 1m ... 30m, 1h ... 12h, 1d, 2d, 7d, 30d.
const DURATION_STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000];

/** Ticks on whole minutes, hours or days ("1h", "2h"), not wherever decimal steps fall ("16m 40s"). */
function durationTicks(bottom: number, top: number): { min: number; max: number; interval: number } {
  const step = DURATION_STEPS.find((s) => (top - bottom) / s <= 6) ?? niceCeil((top - bottom) / 6);
  const max = Math.max(step, Math.ceil(top / step) * step);
  return { min: Math.floor(bottom / step) * step, max, interval: step };
}

/** The smallest of 1, 2, 2.5, 5 times a power of ten at or above the value. */
function niceCeil(value: number): number {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= value)!;
  return step * power;
}

interface GridView {
  getModel(): { getComponent(type: string): { coordinateSystem: { getRect(): { x: number; y: number; width: number; height: number } } } };
}

/** The chart's SVG, ready to inline in a page; a chart with no values is a figure that says "No data". */
export function drawChartSvg(chart: PreparedChart, frame: Frame): string {
  const hasValues = chart.series.some((s) => s.points.some((p) => p.y !== null));
  if (!hasValues) return noDataSvg(frame);
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width: frame.width, height: frame.height });
  try {
    // A legend of many entries wraps to several rows: the plot starts below them, and the chart grows by them.
    const legendTop = chart.legend ? legendHeight(chart.series.map((s) => s.name), frame.width) + 24 : 0;
    if (legendTop > ONE_ROW_LEGEND_TOP) {
      frame = { ...frame, height: frame.height + legendTop - ONE_ROW_LEGEND_TOP };
      instance.resize({ width: frame.width, height: frame.height });
    }
    instance.setOption(buildOption(chart, Math.max(legendTop, ONE_ROW_LEGEND_TOP)));
    const gridRect = () => (instance as unknown as GridView).getModel().getComponent('grid').coordinateSystem.getRect();
    if (chart.categories) {
      // The chart grows by the room its labels take beyond one line, so the plot keeps its height.
      const axis = categoryAxis(chart.categories, gridRect().width);
      instance.setOption({ xAxis: axis });
      frame = { ...frame, height: frame.height + (axis.nameGap as number) - X_NAME_GAP };
      instance.resize({ width: frame.width, height: frame.height });
    }
    const rect = gridRect();
    const rules = chart.rules.map((rule) => ({ ...rule, py: instance.convertToPixel({ yAxisIndex: 0 }, rule.y) as number }));
    const body = cleanBody(instance.renderToSVGString(), frame.id);
    return svgRoot(frame, body + rulesSvg(rules, rect, chart.yFormat));
  } finally {
    instance.dispose();
  }
}

function noDataSvg(frame: Frame): string {
  const { width, height } = frame;
  const text = `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" dominant-baseline="central" font-family="${FONT.fontFamily}" font-size="14" fill="${TEXT_COLOUR}">No data</text>`;
  return svgRoot(
    { ...frame, description: `${frame.description.replace(/\.$/, '')}${/no data/i.test(frame.description) ? '' : ': no data'}.` },
    `<rect width="${width}" height="${height}" fill="#ffffff" stroke="${GRID_COLOUR}"/>${text}`,
  );
}

function svgRoot(frame: Frame, body: string): string {
  const { id, width, height } = frame;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
    `style="max-width:100%;height:auto" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc">` +
    `<title id="${id}-title">${escapeText(frame.title)}</title><desc id="${id}-desc">${escapeText(frame.description)}</desc>` +
    `${body}</svg>`
  );
}

/** ECharts' SVG without its root element, made deterministic and static. */
function cleanBody(svg: string, id: string): string {
  const open = svg.indexOf('>', svg.indexOf('<svg')) + 1;
  const close = svg.lastIndexOf('</svg>');
  return svg
    .slice(open, close)
    .replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, '')
    .replace(/<(\w+)\b([^>]*?)(\/?)>/g, (_tag, name: string, attrs: string, selfClosing: string) => {
      const mark = /ecmeta_ssr_type="chart"/.test(attrs) && /ecmeta_data_index=/.test(attrs);
      const kept = attrs
        .replace(/\s(?:ecmeta_\w+|class|pointer-events)="[^"]*"/g, '')
        .replace(/\bzr\d+-/g, `${id}-`)
        .trimEnd();
      return `<${name}${kept}${mark ? ' class="mark"' : ''}${selfClosing}>`;
    })
    .replace(/\n/g, '');
}

function rulesSvg(rules: Array<{ label: string; y: number; py: number }>, rect: { x: number; width: number }, format: NumberFormat): string {
  return rules
    .map(({ label, y, py }) => {
      const at = Math.round(py) + 0.5;
      const text = `${label} (${formatTick(y, format)})`;
      return (
        `<g class="rule"><line x1="${rect.x}" x2="${rect.x + rect.width}" y1="${at}" y2="${at}" stroke="${RULE_COLOUR}" stroke-width="1.5" stroke-dasharray="6 3"/>` +
        `<text x="${rect.x + rect.width - 4}" y="${at - 4}" text-anchor="end" font-family="${FONT.fontFamily}" font-size="12" fill="${RULE_COLOUR}" stroke="#ffffff" stroke-width="3" paint-order="stroke">${escapeText(text)}</text></g>`
      );
    })
    .join('');
}

function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
