// What the site is built from, read from the warehouse and the project before any page renders, so a
// build either has everything or fails before writing anything. Each page kind's data is read here.
import type { Project } from '../project.js';
import { readHistory, readStatus } from '../state/status.js';
import type { RunHistoryPoint, StatusReport } from '../state/types.js';
import type { Warehouse } from '../warehouse/adapter.js';
import { readOperationsHistory, type OperationsHistory } from './history-input.js';

export interface SiteInput {
  report: StatusReport;
  /** Past runs of every pipeline, in any order; each pipeline page shows its most recent ones. */
  history?: readonly RunHistoryPoint[];
  /** Runs, checks, tables and drift over time (the last week run by run, days before); each recent run gets a page. */
  operations?: OperationsHistory;
}

export async function readSiteInput(warehouse: Warehouse, project: Project): Promise<SiteInput> {
  return { report: await readStatus(warehouse, project), history: await readHistory(warehouse), operations: await readOperationsHistory(warehouse) };
}
