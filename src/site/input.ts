// What the site is built from, read from the warehouse and the project before any page renders, so a
// build either has everything or fails before writing anything. Each page kind's data is read here.
import type { Project } from '../project.js';
import { readHistory, readStatus } from '../state/status.js';
import type { RunHistoryPoint, StatusReport } from '../state/types.js';
import type { Warehouse } from '../warehouse/adapter.js';
import { readCatalog, type CatalogTable } from './catalog.js';
import { lineageGraph, type LineageGraph } from './lineage.js';
import { LINEAGE_PAGE_LINKS } from './pages/lineage.js';
import { renderReportPages, type ReportPage } from '../reports/index.js';
import { readOperationsHistory, type OperationsHistory } from './history-input.js';

export interface SiteInput {
  report: StatusReport;
  /** Past runs of every pipeline, in any order; each pipeline page shows its most recent ones. */
  history?: readonly RunHistoryPoint[];
  /** Every table of the project (site/catalog.ts); without it the tables index says it was not read. */
  catalog?: readonly CatalogTable[];
  /** The project's lineage with its report pages, its links as the lineage page reaches them (pages/lineage.tsx). */
  lineage?: LineageGraph;
  /** The pages of reports/, their queries already run on the warehouse (src/reports). */
  reportPages?: readonly ReportPage[];
  /** Runs, checks, tables and drift over time (the last week run by run, days before); each recent run gets a page. */
  operations?: OperationsHistory;
}

export async function readSiteInput(warehouse: Warehouse, project: Project): Promise<SiteInput> {
  const report = await readStatus(warehouse, project);
  const reportPages = await renderReportPages(warehouse, project);
  return {
    report,
    history: await readHistory(warehouse),
    catalog: await readCatalog(warehouse, project, { status: report, reports: reportPages }),
    lineage: lineageGraph(project.graph, reportPages, LINEAGE_PAGE_LINKS),
    reportPages,
    operations: await readOperationsHistory(warehouse),
  };
}
