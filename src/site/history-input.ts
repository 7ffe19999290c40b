// The operations history the site shows (src/state/history.ts, src/state/run-record.ts), read in one go:
// every series per run for the last week and per day before it, and the full record of each run of that
// week, which gets a page of its own.
import { historyWindow, readCheckHistory, readDriftTimeline, readRejectedTrends, readRunTrends, readTableTrends, type CheckHistory, type DriftEvent, type HistoryOptions, type HistoryWindow, type RejectedTrendPoint, type RunTrendPoint, type TableTrendPoint } from '../state/history.js';
import { readRunRecords, type RunRecord } from '../state/run-record.js';
import type { Warehouse } from '../warehouse/adapter.js';

export interface OperationsHistory {
  window: HistoryWindow;
  /** By pipeline. */
  runs: ReadonlyMap<string, RunTrendPoint[]>;
  /** By table. */
  tables: ReadonlyMap<string, TableTrendPoint[]>;
  /** By table. */
  rejected: ReadonlyMap<string, RejectedTrendPoint[]>;
  /** By pipeline. */
  checks: ReadonlyMap<string, CheckHistory[]>;
  /** By pipeline. */
  drift: ReadonlyMap<string, DriftEvent[]>;
  /** The runs of the window's recent days, newest first: each has a page. */
  records: readonly RunRecord[];
}

export async function readOperationsHistory(warehouse: Warehouse, options: HistoryOptions = {}): Promise<OperationsHistory> {
  const window = await historyWindow(warehouse, options);
  return {
    window,
    runs: await readRunTrends(warehouse, window),
    tables: await readTableTrends(warehouse, window),
    rejected: await readRejectedTrends(warehouse, window),
    checks: await readCheckHistory(warehouse, window),
    drift: await readDriftTimeline(warehouse, window),
    records: await readRunRecords(warehouse, { window }),
  };
}

/** "the last 7 days (runs one by one) and the 359 days before (by day)": what a history section covers. */
export function describePeriod(window: HistoryWindow): string {
  const older = window.days - window.recentDays;
  const recent = `${window.recentDays === 1 ? 'the last day' : `the last ${window.recentDays} days`} (each run)`;
  return older > 0 ? `${recent} and the ${older} days before (by day), to ${window.until.slice(0, 16).replace('T', ' ')} UTC` : `${recent}, to ${window.until.slice(0, 16).replace('T', ' ')} UTC`;
}
