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
import { TableTrendsSection } from './pages/table-trends.js';
import type { CatalogTable } from './catalog.js';
import { renderCharts, runDurationCharts, tableHistoryOf, tableTrendCharts } from './history-charts.js';
import type { OperationsHistory } from './history-input.js';
import { RejectedIndexPage, RejectedTablePage } from './pages/rejected.js';


export interface SitePage {
  /** Where the page is written, relative to the site root, e.g. "pipelines/retail_pos.html". */
  path: string;
  title: string;
  /**
   * The page's body. It may be async: charts (src/site/chart.ts) render to SVG asynchronously, so a page kind
   * renders its charts here, just before the page, and hands them to its component, which stays a pure
   * function of its props. Called once per build, one page at a time, so a page's charts are not all held at once.
   */
  content: () => VNode | Promise<VNode>;
}

/** A page kind: the pages it contributes for one build. The site is the concatenation of these, in order. */
export type PageKind = (input: SiteInput) => SitePage[];

/** A day of hourly runs: enough to see a trend without turning the page into a log. */
const RECENT_RUNS = 24;

const PAGE_KINDS: readonly PageKind[] = [
  ({ report, operations, catalog }) => [{
    path: pagePaths.overview,
    title: `Data-ops status: ${report.target.database}`,
    content: () => <OverviewPage report={report} operations={operations} tablePages={new Set(catalog?.map((t) => t.name))} />,
  }],
  ({ report, history = [], operations, rejected, catalog }) => {
    const recent = recentRunsByPipeline(history);
    const rejectedPages = new Set(rejected?.tables.map((t) => t.table));
    const tablePages = new Set(catalog?.map((t) => t.name));
    return report.pipelines.map((pipeline) => ({
      path: pagePaths.pipeline(pipeline.name),
      title: `${pipeline.name} · Data-ops status`,
      content: async () => {
        const charts = operations ? await renderCharts(runDurationCharts(pipeline.name, operations.runs.get(pipeline.name) ?? [], operations.window)) : [];
        return <PipelinePage report={report} pipeline={pipeline} history={recent.get(pipeline.name) ?? []} operations={operations} charts={charts} rejectedPages={rejectedPages} tablePages={tablePages} />;
      },
    }));
  },
  ({ catalog }) => [{ path: pagePaths.tables, title: 'Tables · Data-ops status', content: () => <TablesIndexPage tables={catalog} /> }],
  ({ catalog, operations, rejected }) => (catalog ?? []).map((table) => {
    const kept = rejected?.tables.find((t) => t.table === table.name);
    return {
      path: pagePaths.table(table.name),
      title: `${table.name} · Data-ops status`,
      content: async () => <TablePage table={table} trends={operations && await tableTrends(table, operations)} rejectedRows={kept?.rows} />,
    };
  }),
  // The rejected-rows explorer: its index always (the nav links it), a page per table with rows kept.
  ({ rejected, catalog, operations }) => {
    const runPages = new Set(operations?.records.map((r) => r.run_id));
    const tablePages = new Set(catalog?.map((t) => t.name));
    return [
      { path: pagePaths.rejected, title: 'Rejected rows · Data-ops status', content: () => <RejectedIndexPage explorer={rejected} /> },
      ...(rejected?.tables ?? []).map((table) => ({
        path: pagePaths.rejectedTable(table.table),
        title: `Rejected rows of ${table.table} · Data-ops status`,
        content: () => <RejectedTablePage table={table} samplesPerReason={rejected!.samplesPerReason} runPages={runPages} tablePages={tablePages} />,
      })),
    ];
  },
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
      await writeFile(file, await renderPage(page, input.report.generated_at));
    }
    await swapInto(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return { indexPath: path.join(target, pagePaths.overview), files: pages.map((page) => path.join(target, page.path)) };
}

export async function renderPage(page: SitePage, generatedAt: string): Promise<string> {
  const content = await page.content();
  return `<!doctype html>\n${renderToString(<Layout path={page.path} title={page.title} generatedAt={generatedAt}>{content}</Layout>)}\n`;
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

/** A table page's "Over time" section: its trends drawn, and the drift of the resources it is loaded from. */
async function tableTrends(table: CatalogTable, operations: OperationsHistory): Promise<VNode> {
  const history = tableHistoryOf(table, operations);
  const charts = await renderCharts(tableTrendCharts(history));
  // A bronze or silver table is loaded from its pipeline's resources; a gold model only reads tables.
  const resources = table.pipeline === undefined ? [] : table.sources.filter((s) => s.pipeline === table.pipeline).map((s) => s.resource);
  const drift = resources.length
    ? { pipeline: table.pipeline!, resources, events: (operations.drift.get(table.pipeline!) ?? []).filter((e) => resources.includes(e.resource)) }
    : undefined;
  return <TableTrendsSection history={history} charts={charts} drift={drift} pages={new Set(operations.records.map((r) => r.run_id))} />;
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
