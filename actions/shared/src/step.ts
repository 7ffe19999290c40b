// What the three actions do around the engine: run one step, then report it as outputs, annotations and
// a job summary, and turn the result (or an error) into one failure message for main.ts to fail with.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { loadProject, PIPELINES_DIR } from '../../../src/project.js';
import type { TimeWindow } from '../../../src/backfill.js';
import { resolveSettings, runProject, withWarehouse, type RunResult, type Settings, type Step } from '../../../src/engine.js';
import { ConfigError, DataOpsError, formatLocation, type Diagnostic } from '../../../src/errors.js';
import type { CheckOutcome } from '../../../src/quality/checks.js';
import { isConserved, tallyPipeline } from '../../../src/report/tally.js';
import { writeStepSummary } from '../../../src/report/summary.js';
import { mask } from '../../../src/secrets.js';
import { newRunId } from '../../../src/state/meta.js';
import { readStatus } from '../../../src/state/status.js';
import type { StatusReport } from '../../../src/state/types.js';
import { annotateChecks, annotateDiagnostics } from './annotations.js';
import { InputError, RUN_INPUTS, RUN_OUTPUTS, type RunOutputs, type RunSettings } from './inputs.js';
import { announceSecrets, logLine } from './masking.js';
import { renderFailureSummary, renderStepSummary } from './step-summary.js';
import type { RunTotals, StepRun } from './step-run.js';

export type { RunTotals, StepRun } from './step-run.js';

export type FailOn = 'error' | 'warn' | 'never';
export const FAIL_ON: readonly FailOn[] = ['error', 'warn', 'never'];

/** The engine's settings for the inputs; a bad dataops.yml is annotated on its line before it fails the step. */
export function resolveStepSettings(input: Pick<RunSettings, 'projectDir'> & Partial<Pick<RunSettings, 'database' | 'target'>>): Settings {
  try {
    return resolveSettings({ projectDir: input.projectDir, database: input.database, target: input.target, env: process.env });
  } catch (e) {
    if (e instanceof ConfigError) annotateDiagnostics(input.projectDir, e.diagnostics);
    throw e;
  }
}

export async function runStep(action: string, input: RunSettings, steps: readonly Step[], options: { window?: TimeWindow } = {}): Promise<StepRun> {
  const settings = resolveStepSettings(input);
  if (!existsSync(join(settings.projectDir, PIPELINES_DIR))) {
    throw new InputError(RUN_INPUTS.project.name, `${settings.projectDir} has no ${PIPELINES_DIR}/ folder; set it to the folder that holds pipelines/ and sql/`);
  }
  // Known before the run starts and set at once, so a later step (the quality gate) can continue this run's
  // record even when this step fails before it finishes.
  const runId = input.runId || newRunId();
  core.setOutput(RUN_OUTPUTS.runId, runId);
  let result: RunResult;
  try {
    result = await runProject(settings, { pipelines: input.pipelines, steps, runId, window: options.window, log: logLine });
  } catch (e) {
    if (e instanceof ConfigError) annotateDiagnostics(settings.projectDir, e.diagnostics);
    throw e;
  }
  announceSecrets();
  const project = await loadProject(settings.projectDir, settings.env);
  // This run only: never what an earlier run restored from a cache did.
  const report = await withWarehouse(settings, (w) => readStatus(w, project, { runId }), { command: action, log: logLine });
  return { action, settings, result, report };
}

/** Sets the outputs, annotates what failed where, and appends the job summary. */
export async function reportStep(step: StepRun, outputs: RunOutputs): Promise<RunTotals> {
  const totals = runTotals(step);
  core.setOutput(outputs.runId, step.result.runId);
  core.setOutput(outputs.loaded, totals.loaded);
  core.setOutput(outputs.accepted, totals.accepted);
  core.setOutput(outputs.rejected, totals.rejected);
  core.setOutput(outputs.checksPassed, totals.checksPassed);
  core.setOutput(outputs.checksWarned, totals.checksWarned);
  core.setOutput(outputs.checksFailed, totals.checksFailed);

  annotateDiagnostics(step.settings.projectDir, step.result.diagnostics, 'SQL model failed');
  annotateChecks(step.settings.projectDir, stepChecks(step.result));
  core.info(
    `run ${step.result.runId}: ${totals.loaded} loaded, ${totals.accepted} accepted, ${totals.rejected} rejected; ` +
      `checks ${totals.checksPassed} passed, ${totals.checksWarned} warned, ${totals.checksFailed} failed`,
  );
  await writeStepSummary(renderStepSummary(step, selectedReport(step), totals), process.env);
  return totals;
}

/** The failure message for this step's result, or undefined when the step succeeded. */
export function runFailure(step: StepRun, failOn: FailOn = 'error'): string | undefined {
  // The root cause first: a step of this run that failed before this action's (the ingest before the gate).
  const problems = step.result.earlierFailures.map((f) => `${f.pipeline}: ${f.step} failed earlier in this run: ${f.error}`);
  for (const p of step.result.pipelines) if (p.error) problems.push(`${p.pipeline}: ${p.error}`);
  if (step.result.modelError) problems.push(`gold models: ${step.result.modelError}`);
  const failing = stepChecks(step.result).filter((c) => failsGate(c, failOn));
  if (failing.length) {
    const shown = failing.slice(0, 5).map((c) => `${c.table} ${c.check} (${c.file}:${c.line})`);
    const more = failing.length > shown.length ? ` and ${failing.length - shown.length} more` : '';
    const what = failOn === 'warn' ? 'failed or warned' : 'failed';
    problems.push(`${failing.length} check${failing.length === 1 ? '' : 's'} ${what} (fail-on: ${failOn}): ${shown.join(', ')}${more}`);
  }
  return problems.length ? `${step.action} failed: ${problems.join('; ')}` : undefined;
}

function failsGate(check: CheckOutcome, failOn: FailOn): boolean {
  if (failOn === 'never' || check.status === 'pass') return false;
  return check.status !== 'warn' || failOn === 'warn';
}

/**
 * Runs the action's work and always sets the `outcome` output. Returns the one failure message, masked,
 * for main.ts to pass to core.setFailed; an error's stack goes to the debug log only.
 */
export async function settle(action: string, outputs: RunOutputs, work: () => Promise<string | undefined>): Promise<string | undefined> {
  let failure: string | undefined;
  try {
    failure = await work();
  } catch (e) {
    failure = `${action} failed: ${describeError(e)}`;
    if (e instanceof Error && !(e instanceof DataOpsError) && e.stack) core.debug(mask(e.stack));
    try {
      await writeStepSummary(renderFailureSummary(action, mask(failure)), process.env);
    } catch (summaryError) {
      core.warning(`could not write the job summary: ${mask(String(summaryError))}`);
    }
  }
  announceSecrets();
  core.setOutput(outputs.outcome, failure ? 'failure' : 'success');
  return failure === undefined ? undefined : mask(failure);
}

function describeError(e: unknown): string {
  if (e instanceof ConfigError) return describeDiagnostics(e.diagnostics);
  if (e instanceof DataOpsError) return e.message;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * One line for a whole invalid project. The annotations carry each place; here the same message from
 * several files (one unset variable used by every pipeline) is said once, with its places.
 */
export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  const byMessage = new Map<string, string[]>();
  for (const d of diagnostics) byMessage.set(d.message, [...(byMessage.get(d.message) ?? []), formatLocation(d)]);
  const groups = [...byMessage].map(([message, places]) => `${message} (${places.join(', ')})`);
  const shown = groups.slice(0, 3).join('; ');
  const more = groups.length > 3 ? `; and ${groups.length - 3} more problems, see the annotations` : '';
  return `the project is invalid: ${shown}${more}`;
}

function stepChecks(result: RunResult): CheckOutcome[] {
  return result.pipelines.flatMap((p) => p.checks);
}

function runTotals(step: StepRun): RunTotals {
  const totals: RunTotals = { loaded: 0, accepted: 0, rejected: 0, checksPassed: 0, checksWarned: 0, checksFailed: 0 };
  for (const run of step.result.pipelines) {
    const status = step.report.pipelines.find((p) => p.name === run.pipeline);
    if (status?.last_run?.run_id === step.result.runId) {
      const tally = tallyPipeline(status);
      totals.loaded += tally.loaded;
      totals.accepted += tally.accepted;
      totals.rejected += tally.rejected;
    } else {
      // A newer run has started since: count only what this step did.
      for (const b of run.batches) totals.loaded += b.bronzeRows;
      for (const l of run.silverLoads) {
        totals.accepted += l.accepted;
        totals.rejected += l.rejected;
      }
    }
    for (const c of run.checks) {
      if (c.status === 'pass') totals.checksPassed += 1;
      else if (c.status === 'warn') totals.checksWarned += 1;
      else totals.checksFailed += 1;
    }
  }
  return totals;
}

/** The status narrowed to the pipelines this step ran, so the summary's headline matches the outputs. */
function selectedReport(step: StepRun): StatusReport {
  const names = new Set(step.result.pipelines.map((p) => p.pipeline));
  const pipelines = step.report.pipelines.filter((p) => names.has(p.name));
  return { ...step.report, pipelines, conservation_ok: pipelines.every((p) => p.silver_loads.every(isConserved)) };
}
