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
import { demoWithHistory } from '../helpers/history.js';
import { withDatabase } from '../helpers/project.js';

const MB = 1024 * 1024;
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

  test("a failed run's page shows its failed step's error in full", () => {
    const failed = input.operations!.records.find((r) => r.status === 'failed');
    expect(failed).toBeDefined();
    const html = pages.get(`runs/${failed!.run_id}.html`)!;
    expect(html).toContain('SourceError: transactions: the API answered 503 Service Unavailable 5 times');
    expect(html).toMatch(/skipped/);
  });
});
