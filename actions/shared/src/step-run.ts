// What one action's step of a run came to, shared by the step's runner and its job summary.
import type { RunResult, Settings } from '../../../src/engine.js';
import type { StatusReport } from '../../../src/state/types.js';

export interface StepRun {
  /** The action's name, for messages and titles. */
  action: string;
  settings: Settings;
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
