// Which pipelines are due: the hourly workflow asks, and runs only those. A pipeline is due when its
// cron schedule fired since its last successful fetch (a run whose ingest step succeeded); with no run history (a fresh DuckDB in CI), when
// it fired within the last window (the workflow's own period).
import { Cron } from 'croner';
import type { Pipeline } from './config/types.js';
import type { Warehouse } from './warehouse/adapter.js';
import { sqlString } from './warehouse/adapter.js';

export interface DueDecision {
  pipeline: string;
  schedule: string | null;
  due: boolean;
  reason: string;
  /** The most recent time the schedule fired, ISO UTC. */
  last_scheduled: string | null;
  last_success: string | null;
}

/** Null when the expression is valid, else why not. */
export function cronProblem(expression: string): string | null {
  try {
    new Cron(expression, { timezone: 'UTC', paused: true });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export function lastScheduled(expression: string, now: Date): Date | null {
  const cron = new Cron(expression, { timezone: 'UTC', paused: true });
  // previousRuns is strict (< reference); a schedule firing exactly now counts as fired.
  if (cron.match(now) && now.getUTCSeconds() === 0 && now.getUTCMilliseconds() === 0) return now;
  return cron.previousRuns(1, now)[0] ?? null;
}

export async function planDue(pipelines: Pipeline[], options: { now?: Date; windowSeconds?: number; warehouse?: Warehouse } = {}): Promise<DueDecision[]> {
  const now = options.now ?? new Date();
  const windowSeconds = options.windowSeconds ?? 3600;
  const out: DueDecision[] = [];
  for (const p of pipelines) {
    const lastSuccess = options.warehouse ? await lastSuccessfulRun(options.warehouse, p.name) : null;
    if (!p.schedule) {
      out.push({ pipeline: p.name, schedule: null, due: false, reason: 'no schedule (runs only when asked)', last_scheduled: null, last_success: lastSuccess });
      continue;
    }
    const fired = lastScheduled(p.schedule, now);
    const firedIso = fired?.toISOString() ?? null;
    let due: boolean;
    let reason: string;
    if (!fired) {
      due = false;
      reason = 'the schedule has not fired yet';
    } else if (lastSuccess) {
      due = fired.getTime() > Date.parse(lastSuccess);
      reason = due ? `fired at ${firedIso}, after the last successful run` : `last successful run ${lastSuccess} is after the last firing`;
    } else {
      due = now.getTime() - fired.getTime() < windowSeconds * 1000;
      reason = due ? `fired at ${firedIso}, within the last ${windowSeconds}s` : `last fired at ${firedIso}, before the last ${windowSeconds}s`;
    }
    out.push({ pipeline: p.name, schedule: p.schedule, due, reason, last_scheduled: firedIso, last_success: lastSuccess });
  }
  return out;
}

/**
 * The newest run that fetched its source: its ingest step succeeded (the run may still have failed a
 * check; fetching again would not mend that), or, for runs recorded before steps were, it succeeded. A
 * run that only transformed or checked (`run --step check`) fetched nothing, and never makes a fetch wait.
 */
async function lastSuccessfulRun(warehouse: Warehouse, pipeline: string): Promise<string | null> {
  const p = sqlString(pipeline);
  const stepsOf = `FROM meta.run_steps s WHERE s.run_id = r.run_id AND s.pipeline = r.pipeline`;
  const [row] = await warehouse.query<{ started_at: string | null }>(
    `SELECT MAX(r.started_at) AS started_at FROM meta.runs r
     WHERE r.pipeline = ${p} AND (EXISTS (SELECT 1 ${stepsOf} AND s.step = 'ingest' AND s.status = 'success')
       OR (r.status = 'success' AND NOT EXISTS (SELECT 1 ${stepsOf})))`,
  );
  return row?.started_at ?? null;
}
