// The time and size of the report site's charts: N line charts of 365 daily points and N grouped bar charts
// of 30 bars by 4 series, through renderChart (ECharts' server-side SVG renderer plus the module's own
// clean-up), as the site builds them. The peer library (vega-lite + vega) was measured once; bench/README.md.
//
//   npm run bench:charts -- [--charts 200] [--json]
import { renderChart, type ChartSpec } from '../src/render/chart.js';
import { flag, hasFlag } from './flags.js';

const charts = Number(flag('charts', '200'));
const DAY = 86_400_000;

function lineSpec(seed: number): ChartSpec {
  let revenue = 1000 + seed;
  const data = Array.from({ length: 365 }, (_, i) => {
    revenue += ((i * 7919 + seed * 31) % 201) - 100;
    return { day: new Date(Date.UTC(2025, 0, 1) + i * DAY).toISOString().slice(0, 10), revenue };
  });
  return { kind: 'line', title: `Revenue by day ${seed}`, data, x: { field: 'day', title: 'Day' }, y: { field: 'revenue', title: 'Revenue', format: 'usd' } };
}

function barSpec(seed: number): ChartSpec {
  const data = [];
  for (let i = 0; i < 30; i++) {
    for (const region of ['north', 'south', 'east', 'west']) data.push({ store: `Store ${i}`, region, units: (i * 37 + seed * 13 + region.length * 11) % 500 });
  }
  return { kind: 'bar', title: `Units by store ${seed}`, data, x: { field: 'store', title: 'Store' }, y: { field: 'units', title: 'Units', format: 'integer' }, series: 'region' };
}

async function measure(specs: ChartSpec[]): Promise<{ ms: number; cpuS: number; bytesPerChart: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let bytes = 0;
  for (const spec of specs) bytes += Buffer.byteLength(await renderChart(spec));
  const used = process.cpuUsage(cpu);
  return { ms: Math.round(performance.now() - start), cpuS: +((used.user + used.system) / 1e6).toFixed(2), bytesPerChart: Math.round(bytes / specs.length) };
}

const lines = Array.from({ length: charts }, (_, i) => lineSpec(i));
const bars = Array.from({ length: charts }, (_, i) => barSpec(i));
await renderChart(lines[0]); // the first chart pays for ECharts' own set-up
const results = { charts, line: await measure(lines), bar: await measure(bars) };

if (hasFlag('json')) console.log(JSON.stringify(results, null, 2));
else {
  for (const kind of ['line', 'bar'] as const) {
    const r = results[kind];
    console.log(`${charts} ${kind} charts: ${r.ms} ms (${(r.ms / charts).toFixed(1)} ms each, ${r.cpuS} CPU s), ${(r.bytesPerChart / 1024).toFixed(1)} KiB each`);
  }
}
