// Report pages in the site: a Dashboards index by section linking every page (relative links, so the
// site works from file://), each page inside the layout, and a page that failed marked as such.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ReportPage } from '../../../src/reports/index.js';
import { buildSite } from '../../../src/site/build.js';
import { statusReport } from '../../fixtures/status/report.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'dataops-dashboards-'));
});
afterEach(() => rm(work, { recursive: true, force: true }));

const page = (p: Partial<ReportPage> & { path: string; title: string }): ReportPage => ({
  section: '', sourceFile: 'reports/x.md', tablesRead: [], bodyHtml: `<h1>${p.title}</h1>\n`, ...p,
});

it('publishes report pages under Dashboards, with an index by section', async () => {
  const reportPages = [
    page({ path: 'reports/daily-sales.html', title: 'Daily sales' }),
    page({ path: 'reports/broken.html', title: 'broken', error: { file: 'reports/broken.md', line: 3, col: 1, severity: 'error', message: 'x' } }),
    page({ path: 'reports/stores/seaport.html', title: 'Seaport', section: 'stores' }),
  ];
  const out = path.join(work, 'site');
  const site = await buildSite({ report: statusReport, reportPages }, out);
  expect(site.files.map((f) => path.relative(out, f)).filter((f) => f.startsWith('reports'))).toEqual([
    'reports/index.html', 'reports/daily-sales.html', 'reports/broken.html', 'reports/stores/seaport.html',
  ]);
  const index = await readFile(path.join(out, 'reports/index.html'), 'utf8');
  expect(index).toContain('<a href="daily-sales.html">Daily sales</a>');
  expect(index).toContain('<a href="broken.html">broken</a> <span class="badge bad">could not be built</span>');
  expect(index).toContain('<h2 id="section-stores">Stores</h2><ul><li><a href="stores/seaport.html">Seaport</a>');
  const store = await readFile(path.join(out, 'reports/stores/seaport.html'), 'utf8');
  expect(store).toContain('<title>Seaport · Dashboards</title>');
  expect(store).toContain('<a href="../index.html">Dashboards</a>');
  expect(store).toContain('<div class="raw"><h1>Seaport</h1>\n</div>');
  const overview = await readFile(path.join(out, 'index.html'), 'utf8');
  expect(overview).toContain('<a href="reports/index.html">Dashboards</a>');
});

it.each([
  ['stores', 'Stores'],
  ['daily-sales', 'Daily sales'],
  ['by_region/north', 'By region / north'],
])('a section folder %s is headed %s', async (folder, heading) => {
  const { sectionHeading } = await import('../../../src/site/pages/dashboards.js');
  expect(sectionHeading(folder)).toBe(heading);
});
