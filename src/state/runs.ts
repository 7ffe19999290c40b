// The run record: one row per (run, pipeline) in meta.runs and one per step in meta.run_steps. A run's
// steps may be taken by different commands or actions (ingest, then transform, then the quality gate,
// each continuing the same run id), so no step writes the run's status directly: each records its own
// outcome and the run's status and error are derived from all of them. A later step can add a failure
// but never erase an earlier one.
import { sqlString, timestampLiteral, type Warehouse } from '../warehouse/adapter.js';
import { lockHolder } from './run-lock.js';
import type { RunState, RunStepStatus, StepState } from './types.js';

/** The steps of a run, in the order they run: a failure of an earlier step is the root cause of later ones. */
export const RUN_STEPS = ['ingest', 'transform', 'check'] as const;
export type RunStep = (typeof RUN_STEPS)[number];

export const INTERRUPTED = 'interrupted: the step stopped before it finished (killed, cancelled or timed out); what it had committed is kept, and the next run goes on from there';

/**
 * What one step of one pipeline came to; `error` is set exactly when the step failed. `startedAt` and
 * `finishedAt` are when it really ran: a command opens every step of a run at once (startSteps) and records
 * them at the end, so without them each step would seem to span the whole command.
 */
export interface StepOutcome {
  step: RunStep;
  state: Exclude<StepState, 'running'>;
  error?: string;
  startedAt?: Date;
  finishedAt?: Date;
}

/**
 * Opens the run's record for a pipeline and marks the steps about to run as running. The caller holds the
 * pipeline (one process per DuckDB file, a lease per pipeline on Snowflake), so any step of it still
 * marked running was killed, cancelled or timed out: another run's, or an earlier step of this same run
 * (an ingest killed before the quality gate continued its run). Those are marked failed as interrupted
 * first, and so is any other run they leave running.
 */
export async function startSteps(warehouse: Warehouse, runId: string, pipeline: string, steps: readonly RunStep[]): Promise<void> {
  stepsInProgress.add(progressKey(runId, pipeline));
  const p = sqlString(pipeline);
  const r = sqlString(runId);
  const interrupted = sqlString(INTERRUPTED);
  await warehouse.execute(
    `UPDATE meta.run_steps SET status = 'failed', finished_at = ${warehouse.dialect.now}, error = ${interrupted}
     WHERE pipeline = ${p} AND status = 'running'`,
  );
  await warehouse.execute(
    `UPDATE meta.runs SET status = 'failed', finished_at = ${warehouse.dialect.now}, error = ${interrupted}
     WHERE pipeline = ${p} AND status = 'running' AND run_id <> ${r}`,
  );
  const existing = await warehouse.query(`SELECT 1 FROM meta.runs WHERE run_id = ${r} AND pipeline = ${p}`);
  if (existing.length === 0) {
    await warehouse.execute(`INSERT INTO meta.runs VALUES (${r}, ${p}, ${warehouse.dialect.now}, NULL, 'running', NULL)`);
  }
  for (const step of steps) {
    // A step taken again in the same run (a re-run of one action) replaces its earlier record.
    await warehouse.execute(`DELETE FROM meta.run_steps WHERE run_id = ${r} AND pipeline = ${p} AND step = ${sqlString(step)}`);
    await warehouse.execute(`INSERT INTO meta.run_steps VALUES (${r}, ${p}, ${sqlString(step)}, 'running', NULL, ${warehouse.dialect.now}, NULL)`);
  }
  await deriveRun(warehouse, runId, pipeline);
}

/** Records how each step ended, then derives the run's status and error from all of its steps. */
export async function finishSteps(warehouse: Warehouse, runId: string, pipeline: string, outcomes: readonly StepOutcome[]): Promise<void> {
  const p = sqlString(pipeline);
  const r = sqlString(runId);
  const at = (time: Date | undefined, otherwise: string) => (time ? timestampLiteral(warehouse.dialect, time) : otherwise);
  for (const o of outcomes) {
    await warehouse.execute(
      `UPDATE meta.run_steps SET status = ${sqlString(o.state)}, error = ${o.error === undefined ? 'NULL' : warehouse.dialect.quote(o.error)},
         started_at = ${at(o.startedAt, 'started_at')}, finished_at = ${at(o.finishedAt, warehouse.dialect.now)}
       WHERE run_id = ${r} AND pipeline = ${p} AND step = ${sqlString(o.step)}`,
    );
  }
  await deriveRun(warehouse, runId, pipeline);
  stepsInProgress.delete(progressKey(runId, pipeline));
}

/** Steps of a run that failed, other than `except` (the ones the caller just took), in step order. */
export async function failedSteps(warehouse: Warehouse, runId: string, pipeline: string, except: readonly RunStep[]): Promise<Array<{ step: string; error: string }>> {
  const rows = await warehouse.query<{ step: string; error: string | null }>(
    `SELECT step, error FROM meta.run_steps WHERE run_id = ${sqlString(runId)} AND pipeline = ${sqlString(pipeline)} AND status = 'failed'`,
  );
  return rows
    .filter((r) => !(except as readonly string[]).includes(r.step))
    .sort((a, b) => stepIndex(a.step) - stepIndex(b.step))
    .map((r) => ({ step: r.step, error: r.error ?? 'failed' }));
}

/**
 * A run is as bad as its worst step: failed if any step failed, running while any runs, else success.
 * Its error lists the failed steps in step order, so the root cause comes first.
 */
export function worstOf(steps: ReadonlyArray<{ step: string; status: StepState; error: string | null }>): { status: RunState; error: string | null } {
  const ordered = [...steps].sort((a, b) => stepIndex(a.step) - stepIndex(b.step));
  const failed = ordered.filter((s) => s.status === 'failed');
  if (failed.length) return { status: 'failed', error: failed.map((s) => `${s.step}: ${s.error ?? 'failed'}`).join('\n') };
  if (ordered.some((s) => s.status === 'running')) return { status: 'running', error: null };
  return { status: 'success', error: null };
}

async function deriveRun(warehouse: Warehouse, runId: string, pipeline: string): Promise<void> {
  const p = sqlString(pipeline);
  const r = sqlString(runId);
  const steps = await warehouse.query<{ step: string; status: StepState; error: string | null; finished_at: unknown }>(
    `SELECT step, status, error, finished_at FROM meta.run_steps WHERE run_id = ${r} AND pipeline = ${p}`,
  );
  const { status, error } = worstOf(steps);
  // A pipeline's run ends when its last step did, not when the command that also ran other pipelines ended.
  const ends = steps.flatMap((s) => (s.finished_at == null ? [] : [asDate(s.finished_at)]));
  const latest = ends.length ? new Date(Math.max(...ends.map((d) => d.getTime()))) : undefined;
  const finished = latest ? timestampLiteral(warehouse.dialect, latest) : warehouse.dialect.now;
  await warehouse.execute(
    `UPDATE meta.runs SET status = ${sqlString(status)}, error = ${error === null ? 'NULL' : warehouse.dialect.quote(error)},
       finished_at = ${status === 'running' ? 'NULL' : finished}
     WHERE run_id = ${r} AND pipeline = ${p}`,
  );
}

function stepIndex(step: string): number {
  const i = (RUN_STEPS as readonly string[]).indexOf(step);
  return i === -1 ? RUN_STEPS.length : i;
}

/** A timestamp read back from the warehouse: both adapters give ISO text in UTC (warehouse/*.ts). */
function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

/** The runs and pipelines whose steps this process has started and not yet finished. */
const stepsInProgress = new Set<string>();
const progressKey = (runId: string, pipeline: string) => `${runId}\u0000${pipeline}`;

/**
 * Whether a run of a pipeline recorded as running is still going. Only the holder of a pipeline writes its
 * record, so it is alive only when this process is taking its steps or, where many processes write
 * (Snowflake), when it holds the pipeline's lease. On DuckDB a reader has the file to itself: a run marked
 * running that is not this process's was killed, cancelled or timed out.
 */
export async function isRunAlive(warehouse: Warehouse, runId: string, pipeline: string): Promise<boolean> {
  if (stepsInProgress.has(progressKey(runId, pipeline))) return true;
  if (warehouse.capabilities.exclusiveWriter) return false;
  // No lock table to ask (a meta schema from before it): the record is all there is to go by.
  if (!(await warehouse.tableExists('meta.locks'))) return true;
  return (await lockHolder(warehouse, pipeline))?.run_id === runId;
}

/**
 * A run as a reader should see it: one recorded as running whose process is gone is failed, its unfinished
 * steps interrupted, as the next step or run of its pipeline will record it (readers never write).
 */
export async function withoutDeadSteps<R extends { run_id: string; status: RunState; error: string | null }>(
  warehouse: Warehouse, pipeline: string, run: R, steps: readonly RunStepStatus[],
): Promise<{ run: R; steps: RunStepStatus[] }> {
  if (run.status !== 'running' || (await isRunAlive(warehouse, run.run_id, pipeline))) return { run, steps: [...steps] };
  const settled = steps.map((s) => (s.status === 'running' ? { ...s, status: 'failed' as const, error: INTERRUPTED } : s));
  // As the next run records it: interrupted, after any step that had failed before.
  const error = steps.some((s) => s.status === 'failed') ? worstOf(settled).error : INTERRUPTED;
  return { run: { ...run, status: 'failed', error }, steps: settled };
}
