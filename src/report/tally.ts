// Counts every report view shows (site, job summary, console), computed once here so the three never
// disagree about what "loaded", "rejected" or "failed" means.

import type { CheckResult, PipelineStatus, SilverLoadStatus, StatusReport, TableStatus } from '../state/types.js';

export interface PipelineTally {
  /** Records appended to bronze by the last run. */
  loaded: number;
  accepted: number;
  rejected: number;
  inserted: number;
  updated: number;
  checksPassed: number;
  checksWarned: number;
  /** Checks that failed or could not run (status "error"). */
  checksFailed: number;
  conserved: boolean;
}

export interface ReportTally {
  loaded: number;
  accepted: number;
  rejected: number;
  checksPassed: number;
  checksWarned: number;
  checksFailed: number;
  failedRuns: number;
  freshnessWarn: number;
  freshnessError: number;
  conserved: boolean;
  /** False when anything should fail a run: a failed run, a failed check, broken conservation, an error-level freshness breach. */
  ok: boolean;
  /** What a headline says: fail when not ok, warn when ok but a check warned or a table is late, else ok. */
  state: ReportState;
}

export type ReportState = 'ok' | 'warn' | 'fail';

/** A load is broken if the engine says so or if its own numbers disagree; the report should never hide either. */
export function isConserved(load: SilverLoadStatus): boolean {
  return load.conserved && load.bronze === load.accepted + load.rejected;
}

export function isFailingCheck(check: CheckResult): boolean {
  return check.status === 'fail' || check.status === 'error';
}

export function isFreshnessBreach(table: TableStatus): boolean {
  return table.freshness?.state === 'warn' || table.freshness?.state === 'error';
}

export function tallyPipeline(pipeline: PipelineStatus): PipelineTally {
  const tally: PipelineTally = {
    loaded: 0, accepted: 0, rejected: 0, inserted: 0, updated: 0,
    checksPassed: 0, checksWarned: 0, checksFailed: 0, conserved: true,
  };
  for (const batch of pipeline.batches) {
    tally.loaded += batch.bronze_rows;
    // Rejected before bronze: they never reach a silver load.
    tally.rejected += batch.rejected;
  }
  for (const load of pipeline.silver_loads) {
    tally.accepted += load.accepted;
    tally.rejected += load.rejected;
    tally.inserted += load.inserted;
    tally.updated += load.updated;
    if (!isConserved(load)) tally.conserved = false;
  }
  for (const check of pipeline.checks) {
    if (check.status === 'pass') tally.checksPassed += 1;
    else if (check.status === 'warn') tally.checksWarned += 1;
    else tally.checksFailed += 1;
  }
  return tally;
}

export function tallyReport(report: StatusReport): ReportTally {
  const total: ReportTally = {
    loaded: 0, accepted: 0, rejected: 0, checksPassed: 0, checksWarned: 0, checksFailed: 0,
    failedRuns: 0, freshnessWarn: 0, freshnessError: 0, conserved: report.conservation_ok, ok: true, state: 'ok',
  };
  for (const pipeline of report.pipelines) {
    const tally = tallyPipeline(pipeline);
    total.loaded += tally.loaded;
    total.accepted += tally.accepted;
    total.rejected += tally.rejected;
    total.checksPassed += tally.checksPassed;
    total.checksWarned += tally.checksWarned;
    total.checksFailed += tally.checksFailed;
    if (!tally.conserved) total.conserved = false;
    if (pipeline.last_run?.status === 'failed') total.failedRuns += 1;
  }
  for (const table of report.tables) {
    if (table.freshness?.state === 'warn') total.freshnessWarn += 1;
    if (table.freshness?.state === 'error') total.freshnessError += 1;
  }
  total.ok = total.conserved && total.failedRuns === 0 && total.checksFailed === 0 && total.freshnessError === 0;
  total.state = !total.ok ? 'fail' : total.checksWarned > 0 || total.freshnessWarn > 0 ? 'warn' : 'ok';
  return total;
}

const checkOrder: Record<CheckResult['status'], number> = { error: 0, fail: 0, warn: 1, pass: 2 };

/** Failing checks first, then warnings, then passes; stable within each group. */
export function sortChecksBySeverity<C extends CheckResult>(checks: readonly C[]): C[] {
  return [...checks].sort((a, b) => checkOrder[a.status] - checkOrder[b.status]);
}
