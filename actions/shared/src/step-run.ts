// What one action's step of a run came to, shared by the step's runner and its job summary.
import type { RunResult, Settings, Step } from '../../../src/engine.js';
import type { StatusReport } from '../../../src/state/types.js';

export interface StepRun {
  /** The action's name, for messages and titles. */
  action: string;
  settings: Settings;
  /** The steps this action took (its own part of the run). */
  steps: readonly Step[];
  result: RunResult;
  /** The whole project's status after the step. */
  report: StatusReport;
}

/** Counts of the run (run-id) so far over the selected pipelines; checks are those this step ran. */
export interface RunTotals {
  loaded: number;
  accepted: number;
  rejected: number;
  checksPassed: number;
  checksWarned: number;
  checksFailed: number;
}

/** Steps of this run, taken by an earlier action, that failed: what this step's problems follow from. */
export function earlierFailures(step: StepRun): Array<{ pipeline: string; step: string; error: string }> {
  const ran = new Set(step.result.pipelines.map((p) => p.pipeline));
  return step.report.pipelines
    .filter((p) => ran.has(p.name) && p.last_run?.run_id === step.result.runId)
    .flatMap((p) => p.last_run!.steps
      .filter((s) => s.status === 'failed' && !(step.steps as readonly string[]).includes(s.step))
      .map((s) => ({ pipeline: p.name, step: s.step, error: s.error ?? 'failed' })));
}

