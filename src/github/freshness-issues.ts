// Freshness breaches as GitHub issues: one open issue per table in the `error` state, opened once and
// closed with a comment when the table is fresh again, so the on-call sees each stale table exactly once.
// The issues themselves are kept by alert-issues.ts, as the failed runs' and checks' are.
import { freshnessAlerts } from '../alerts/alerts.js';
import type { TableStatus } from '../state/types.js';
import { ALERT_LABELS, syncAlertIssues } from './alert-issues.js';
import type { GitHub, Repo } from './client.js';

export { freshnessIssueTitle } from '../alerts/alerts.js';

export const FRESHNESS_LABEL = ALERT_LABELS.freshness;

export interface FreshnessSync {
  opened: Array<{ table: string; number: number; url: string }>;
  closed: Array<{ table: string; number: number; url: string }>;
  /** Tables still in error whose issue was already open. */
  alreadyOpen: Array<{ table: string; number: number; url: string }>;
}

export interface FreshnessSyncOptions {
  /** Link to the run that measured the freshness, for the issue and the closing comment. */
  runUrl?: string;
}

/**
 * Brings the issues in line with the given tables: each table in `error` has one open issue, and each
 * open issue whose table is now `fresh` or `warn` is closed. Tables not given are left alone, so a job
 * that ran one pipeline never touches another pipeline's issues; `unknown` (an empty or missing table)
 * neither opens nor closes one.
 */
export async function syncFreshnessIssues(github: GitHub, repo: Repo, tables: readonly TableStatus[], options: FreshnessSyncOptions = {}): Promise<FreshnessSync> {
  const alerts = freshnessAlerts(tables, options);
  if (alerts.length === 0) return { opened: [], closed: [], alreadyOpen: [] };
  const synced = await syncAlertIssues(github, repo, alerts);
  const byTable = (list: typeof synced.opened) => list.map((i) => ({ table: i.alert.key, number: i.number, url: i.url }));
  return { opened: byTable(synced.opened), closed: byTable(synced.closed), alreadyOpen: byTable(synced.alreadyOpen) };
}
