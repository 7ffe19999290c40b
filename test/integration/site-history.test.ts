// The site at a year of hourly history (8,760 runs of each of the demo's pipelines) stays small: the index
// under 1 MB and every page under 2 MB, because history beyond the last week is one point per day. Every
// run the site lists one by one has its page, and every link to a run page leads to one. (Sizes only: how
// fast it builds is bench:site's to measure.)
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadProject } from '../../src/project.js';
import { buildSite } from '../../src/site/build.js';
import { readSiteInput, type SiteInput } from '../../src/site/input.js';
import { formatTick } from '../../src/render/number-format.js';
import { demoWithHistory } from '../helpers/history.js';
import { withDatabase } from '../helpers/project.js';

const MB = 1024 * 1024;

/** The chart figure with this id on a page (src/render/chart.ts). */
function figure(html: string, id: string): string {
  const found = new RegExp(`<figure class="chart" id="${id}">.*?</figure>`, 's').exec(html);
  if (!found) throw new Error(`no chart ${id}`);
  return found[0];
}
const marks = (chart: string) => (chart.match(/class="mark"/g) ?? []).length;
/** The points a chart says (in its <desc>) it has a value for. */
function claimedValues(chart: string): number {
  const [, points, missing] = /<desc [^>]*>[^<]*?: ([\d,]+) points(?: \(([\d,]+) without a value\))?/.exec(chart) ?? [];
  if (points === undefined) throw new Error(`a chart that does not say its points: ${chart.slice(0, 300)}`);
  return Number(points.replace(/,/g, '')) - Number((missing ?? '0').replace(/,/g, ''));
}
let demo: Awaited<ReturnType<typeof demoWithHistory>>;
let siteDir: string;
let input: SiteInput;
let pages: Map<string, string>;

beforeAll(async () => {
  demo = await demoWithHistory(8760);
  const project = await loadProject(demo.project.dir, demo.project.settings.env);
  input = await withDatabase(demo.project.settings, (w) => readSiteInput(w, project));
  siteDir = join(demo.project.dir, '.dataops', 'site');
  await buildSite(input, siteDir);
  const files = (await readdir(siteDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  pages = new Map(await Promise.all(files.map(async (e) => [relative(siteDir, join(e.parentPath, e.name)), await readFile(join(e.parentPath, e.name), 'utf8')] as const)));
}, 300_000);

afterAll(async () => {
  await demo?.close();
});

describe('the site at a year of hourly history', () => {
  test('the index is under 1 MB and every page under 2 MB', () => {
    const bytes = (page: string) => Buffer.byteLength(pages.get(page)!);
    expect(bytes('index.html')).toBeLessThan(1 * MB);
    const over = [...pages.keys()].filter((page) => bytes(page) >= 2 * MB);
    expect(over).toEqual([]);
  });

  test('shows the whole year: every pipeline page counts its 8,760 earlier runs and the real one, and says the period', () => {
    for (const pipeline of input.report.pipelines) {
      const points = input.operations!.runs.get(pipeline.name)!;
      expect(points.reduce((n, p) => n + p.runs, 0)).toBe(8761);
      expect(points.filter((p) => p.period === 'day').length).toBeLessThanOrEqual(366);
      const html = pages.get(`pipelines/${pipeline.name}.html`)!;
      expect(html).toContain('the last 7 days (each run) and the 359 days before (by day)');
      expect(html).toMatch(/class="strip"/);
    }
    expect(pages.get('index.html')).toMatch(/Runs over time.*over the last 7 days \(each run\)/s);
  });

  test('each run of the last week has a page, and every link to a run page leads to one', () => {
    const runPages = [...pages.keys()].filter((p) => p.startsWith('runs/'));
    expect(runPages.length).toBe(input.operations!.records.length);
    expect(runPages.length).toBeGreaterThanOrEqual(24 * 6);
    let links = 0;
    for (const [page, html] of pages) {
      for (const [, href] of html.matchAll(/href="([^"#]*runs\/[^"#]+)"/g)) {
        links += 1;
        const target = relative(siteDir, resolve(siteDir, dirname(page), decodeURIComponent(href)));
        expect(pages.has(target), `${page} links to ${href}`).toBe(true);
      }
    }
    expect(links).toBeGreaterThan(runPages.length);
  });

  test('each pipeline page draws its run durations: one bar per run of the last week and per day before it, as many as each chart claims', () => {
    for (const pipeline of input.report.pipelines) {
      const html = pages.get(`pipelines/${pipeline.name}.html`)!;
      const points = input.operations!.runs.get(pipeline.name)!;
      const recent = figure(html, 'chart-run-duration');
      const byDay = figure(html, 'chart-run-duration-by-day');
      expect(claimedValues(recent)).toBe(points.filter((p) => p.period === 'run' && p.duration_seconds !== null).length);
      expect(claimedValues(byDay)).toBe(points.filter((p) => p.period === 'day' && p.duration_seconds !== null).length);
      expect(claimedValues(byDay)).toBeGreaterThan(300);
      for (const chart of [recent, byDay]) expect(marks(chart)).toBe(claimedValues(chart));
      expect(html).toMatch(/Outcome of each run, oldest on the left .*: last \d+ runs: \d+ failed, \d+ succeeded; 359 days before: \d+ worst failed, \d+ all succeeded/);
    }
  });

  test('a table page charts its rows, its freshness lag against the SLA and its rejected rows by reason, with its resource\'s drift', () => {
    const html = pages.get('tables/silver.transactions.html')!;
    const table = input.catalog!.find((t) => t.name === 'silver.transactions')!;
    const lag = figure(html, 'chart-freshness-lag');
    expect(lag).toContain(`Warning (${formatTick(table.freshness!.warn_after_seconds, 'duration')})`);
    expect(lag).toContain(`Error (${formatTick(table.freshness!.error_after_seconds, 'duration')})`);
    expect(lag.match(/<g class="rule">/g)).toHaveLength(2);
    expect(claimedValues(figure(html, 'chart-rows'))).toBe(input.operations!.tables.get('silver.transactions')!.length);
    const rejected = figure(html, 'chart-rejected');
    expect(rejected).toMatch(/Bar chart \(stacked\) of Rejected rows by Day \(UTC\), one bar per reason/);
    expect(marks(rejected)).toBeGreaterThan(0);
    expect(html).toContain('Schema drift of the resource transactions (retail_pos)');
  });

  test("a failed run's page shows its failed step's error in full", () => {
    const failed = input.operations!.records.find((r) => r.status === 'failed');
    expect(failed).toBeDefined();
    const html = pages.get(`runs/${failed!.run_id}.html`)!;
    expect(html).toContain('SourceError: transactions: the API answered 503 Service Unavailable 5 times');
    expect(html).toMatch(/skipped/);
  });
});
