// The static report site published to GitHub Pages. Every page kind (src/site/pages) contributes its pages
// from the site's input; each page is rendered inside the one layout, written to a staging folder, and the
// folder is swapped in only when every page rendered: a failure half-way leaves the published site as it was.
// Plain HTML with one inline stylesheet and inline SVG: readable with no JavaScript, nothing fetched at view
// time, works from file://.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

import type { RunHistoryPoint } from '../state/types.js';
import type { SiteInput } from './input.js';
import { Layout } from './layout.js';
import { pagePaths } from './links.js';
import { OverviewPage } from './pages/overview.js';
import { LineagePage } from './pages/lineage.js';
import { PipelinePage } from './pages/pipeline.js';
import { TablePage } from './pages/table.js';
import { TablesIndexPage } from './pages/tables-index.js';
import { DashboardPage, DashboardsIndex } from './pages/dashboards.js';
import { RunPage } from './pages/run.js';


export interface SitePage {
  /** Where the page is written, relative to the site root, e.g. "pipelines/retail_pos.html". */
  path: string;
  title: string;
  content: () => VNode;
}

/** A page kind: the pages it contributes for one build. The site is the concatenation of these, in order. */
export type PageKind = (input: SiteInput) => SitePage[];

/** A day of hourly runs: enough to see a trend without turning the page into a log. */
const RECENT_RUNS = 24;

const PAGE_KINDS: readonly PageKind[] = [
  ({ report, operations }) => [{ path: pagePaths.overview, title: `Data-ops status: ${report.target.database}`, content: () => <OverviewPage report={report} operations={operations} /> }],
  ({ report, history = [], operations }) => {
    const recent = recentRunsByPipeline(history);
    return report.pipelines.map((pipeline) => ({
      path: pagePaths.pipeline(pipeline.name),
      title: `${pipeline.name} · Data-ops status`,
      content: () => <PipelinePage report={report} pipeline={pipeline} history={recent.get(pipeline.name) ?? []} operations={operations} />,
    }));
  },
  ({ catalog }) => [{ path: pagePaths.tables, title: 'Tables · Data-ops status', content: () => <TablesIndexPage tables={catalog} /> }],
  ({ catalog }) => (catalog ?? []).map((table) => ({ path: pagePaths.table(table.name), title: `${table.name} · Data-ops status`, content: () => <TablePage table={table} /> })),
  ({ lineage }) => [{ path: pagePaths.lineage, title: 'Lineage · Data-ops status', content: () => <LineagePage lineage={lineage} /> }],
  ({ reportPages = [] }) => [
    { path: pagePaths.dashboards, title: 'Dashboards', content: () => <DashboardsIndex pages={reportPages} /> },
    ...reportPages.map((page) => ({ path: page.path, title: `${page.title} · Dashboards`, content: () => <DashboardPage page={page} /> })),
  ],
  // A page per run of the history's recent days: the runs the site lists one by one.
  ({ operations }) => (operations?.records ?? []).map((record) => ({
    path: pagePaths.run(record.run_id),
    title: `Run ${record.run_id} · Data-ops status`,
    content: () => <RunPage record={record} />,
  })),
];

export interface BuiltSite {
  indexPath: string;
  /** Every file written, as absolute paths inside the final output folder. */
  files: string[];
}

export async function buildSite(input: SiteInput, outDir: string): Promise<BuiltSite> {
  const pages = PAGE_KINDS.flatMap((kind) => kind(input));
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  // Built beside the target (same file system, so the final rename is atomic).
  const staging = await mkdtemp(path.join(parent, `.${path.basename(target)}.building-`));
  try {
    for (const page of pages) {
      const file = path.join(staging, page.path);
      // Page paths come from pagePaths, whose names are percent-encoded; this is the last guard.
      if (!file.startsWith(staging + path.sep)) throw new Error(`site page ${page.path} would be written outside the site`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, renderPage(page, input.report.generated_at));
    }
    await swapInto(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return { indexPath: path.join(target, pagePaths.overview), files: pages.map((page) => path.join(target, page.path)) };
}

export function renderPage(page: SitePage, generatedAt: string): string {
  return `<!doctype html>\n${renderToString(<Layout path={page.path} title={page.title} generatedAt={generatedAt}>{page.content()}</Layout>)}\n`;
}

/** rename() cannot replace a non-empty folder, so the old site steps aside first and comes back on failure. */
async function swapInto(staging: string, target: string): Promise<void> {
  const previous = `${staging}.previous`;
  let moved = false;
  try {
    await rename(target, previous);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await rename(staging, target);
  } catch (error) {
    if (moved) await rename(previous, target);
    throw error;
  }
  if (moved) await rm(previous, { recursive: true, force: true });
}

function recentRunsByPipeline(history: readonly RunHistoryPoint[]): Map<string, RunHistoryPoint[]> {
  const byPipeline = new Map<string, RunHistoryPoint[]>();
  for (const point of history) {
    const runs = byPipeline.get(point.pipeline);
    if (runs) runs.push(point);
    else byPipeline.set(point.pipeline, [point]);
  }
  for (const [name, runs] of byPipeline) {
    // ISO 8601 UTC strings sort chronologically as text.
    runs.sort((a, b) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : 0));
    byPipeline.set(name, runs.slice(0, RECENT_RUNS));
  }
  return byPipeline;
}
