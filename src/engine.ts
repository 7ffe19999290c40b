// The engine's front door: what the CLI and the actions call. It never imports @actions/*.
import { existsSync } from 'node:fs';
import type { Project } from './project.js';
import type { Pipeline } from './config/types.js';
import { ConfigError, DataOpsError, formatDiagnostic, inResource, SourceError, UsageError, type Diagnostic } from './errors.js';
import { forEachConcurrently, Lock } from './ingest/concurrency.js';
import { findLandingFiles, loadBronze, parseBatchId, replayBronze, type BronzeBatch } from './ingest/bronze.js';
import { pruneLanding, removeStalePartials } from './ingest/landing.js';
import { fetchBatchLanding, pruneStagedLanding } from './ingest/landing-stage.js';
import { formatDrift } from './ingest/drift.js';
import { ModelError, type ModelBuild } from './models/gold.js';
import type { SilverLoad } from './models/silver.js';
import { transform, type TableChange } from './models/transform.js';
import { runPipelineChecks, type CheckOutcome } from './quality/checks.js';
import { sensitiveColumnsOf } from './governance/sensitive-fields.js';
import { mask } from './secrets.js';
import { createReader } from './sources/readers.js';
import type { FetchOptions } from './sources/http.js';
import { newRunId } from './state/meta.js';
import { applyRetention, formatRetention } from './state/retention.js';
import { recordTableSnapshots, snapshotTargets } from './state/snapshots.js';
import { failedSteps, finishSteps, INTERRUPTED, RUN_STEPS, startSteps, type RunStep, type StepOutcome } from './state/runs.js';
import { queryTagFor, type Warehouse } from './warehouse/adapter.js';
import { validateProject } from './validate.js';
import { withWarehouse, type Settings } from './settings.js';
import { backfillNote, checkBackfill, cursorNote } from './backfill.js';
import { formatBound, type TimeWindow } from './sources/window.js';
import { errorCode, Progress, silentLog, withFields, type Log } from './log.js';

export const STEPS = RUN_STEPS;
export type Step = RunStep;
export { INTERRUPTED };
// The settings and the connection are the front door's too.
export * from './settings.js';

export interface PipelineRun {
  pipeline: string;
  batches: BronzeBatch[];
  silverLoads: SilverLoad[];
  checks: CheckOutcome[];
  /** Masked message of the failure that stopped this pipeline, if any. */
  error?: string;
  /** A backfill's window, and what it fetched of each resource and where it left each cursor. */
  backfill?: { from: string; to: string; notes: string[] };
}

export interface RunResult {
  runId: string;
  pipelines: PipelineRun[];
  models: ModelBuild[];
  /** Models not built because an input table does not exist yet. */
  skippedModels: Array<{ model: string; missing: string[] }>;
  /** Tables the transform built for their definition (created, rebuilt) or their inputs, and why. */
  tableChanges: TableChange[];
  modelError?: string;
  /** Diagnostics with a place (bad SQL in a model), for annotations. */
  diagnostics: Diagnostic[];
  /** Steps of this run taken earlier (by another command or action) that failed: the root cause of what follows. */
  earlierFailures: Array<{ pipeline: string; step: string; error: string }>;
  /** False when this call failed, or the run it continues had already failed. */
  ok: boolean;
}

export interface RunOptions {
  pipelines?: string[];
  steps?: readonly Step[];
  runId?: string;
  http?: FetchOptions;
  /** Every event of the run, with its run id, pipeline, step and resource (text or JSON: the caller's choice). */
  log?: Log;
  /** The time freshness is measured against (default: the warehouse's clock). */
  now?: Date;
  /** Rebuild these tables from bronze whatever changed (`run --full-refresh`), or 'all' of them. */
  fullRefresh?: readonly string[] | 'all';
  /**
   * Re-load this batch from its landing file instead of calling the source (`run --replay <batch_id>`);
   * only its pipeline runs, and its other resources are not fetched.
   */
  replayBatch?: string;
  /**
   * A backfill (`dataops backfill`): the ingest fetches this window instead of what follows each cursor
   * (src/backfill.ts), and records its batches as a backfill of it; the cursor never moves back. The
   * transform and the checks then run as in any run; every incremental model the run builds computes the
   * window's rows again too.
   */
  window?: TimeWindow;
  /**
   * `dataops backfill --model`: only these gold models, for `window`, with what reads them; no pipeline
   * runs, and nothing is fetched.
   */
  models?: string[];
  /** Only these resources of the one selected pipeline are ingested (`backfill --resource`). */
  resources?: string[];
}

/**
 * Validates the whole project first (nothing is written when it is invalid), then runs the selected
 * steps for the selected pipelines. A failing pipeline does not stop the others; its bronze stays and
 * its cursor does not move, so the next run resumes. Each step's outcome is recorded in the run's record
 * (state/runs.ts), whichever command or action takes the step.
 */
export async function runProject(settings: Settings, options: RunOptions = {}): Promise<RunResult> {
  const validation = await validateProject(settings.projectDir, settings.env);
  const project = validation.project;
  const errors = validation.diagnostics.filter((d) => d.severity === 'error');
  if (errors.some((d) => d.code !== 'env_unset')) throw new ConfigError(errors);
  if (options.replayBatch !== undefined && options.window) throw new UsageError('a replay loads a batch as it was fetched; it takes no backfill window');
  const replay = options.replayBatch === undefined ? undefined : await replayTarget(project, settings, options.replayBatch, options.pipelines);
  if (options.models) checkModelBackfill(project, options);
  const selected = options.models ? [] : replay ? [replay.pipeline] : selectPipelines(project, options.pipelines);
  if (options.window || options.resources) checkBackfill(selected, options.resources);
  const steps: RunStep[] = options.models ? ['transform'] : RUN_STEPS.filter((s) => (options.steps ?? RUN_STEPS).includes(s));
  checkFullRefresh(project, selected, options.fullRefresh);
  const runId = options.runId ?? newRunId();
  const log = withFields(options.log ?? silentLog, { run_id: runId });
  // Only a step that calls the source needs its secrets: transform, check and a replay never do.
  if (steps.includes('ingest') && !replay) {
    const selectedFiles = new Set(selected.map((p) => p.file));
    const missingEnv = errors.filter((d) => selectedFiles.has(d.file));
    if (missingEnv.length > 0) {
      await recordUnrunnable(settings, runId, selected.filter((p) => missingEnv.some((d) => d.file === p.file)), steps, missingEnv);
      throw new ConfigError(missingEnv);
    }
  }

  const use = { runId, command: 'run', pipelines: selected.map((p) => p.name), log };
  return withWarehouse(settings, async (warehouse) => {
    const runs: PipelineRun[] = [];
    const outcomes = new Map<string, StepOutcome[]>();
    for (const pipeline of selected) {
      await startSteps(warehouse, runId, pipeline.name, steps);
      warehouse.setQueryTag?.(queryTagFor(pipeline.name, runId));
      const run: PipelineRun = { pipeline: pipeline.name, batches: [], silverLoads: [], checks: [] };
      runs.push(run);
      const done: StepOutcome[] = [];
      outcomes.set(pipeline.name, done);
      if (steps.includes('ingest')) {
        const startedAt = new Date();
        await removeStalePartials(settings.landingDir, pipeline.name, runId);
        try {
          // Landing files are kept as long as bronze's copy check looks back, in the folder and the stage
          // (not before a replay, which may be of an older batch whose files are still there).
          // retention.landing, when set, replaces the copy window (the retention step below removes them).
          const keepSince = new Date(Date.now() - (settings.retentionSeconds?.landing ?? settings.copyWindowSeconds) * 1000);
          if (!replay && settings.retentionSeconds?.landing === undefined) await pruneLanding(settings.landingDir, pipeline.name, keepSince);
          if (!replay) await pruneStagedLanding(warehouse, pipeline.name, keepSince);
          if (!replay) await retentionStep(warehouse, project, settings, pipeline.name, withFields(log, { pipeline: pipeline.name, step: 'ingest' }));
          await ingest(warehouse, pipeline, run, { settings, runId, replay, http: options.http, window: options.window, resources: options.resources, log: withFields(log, { pipeline: pipeline.name, step: 'ingest' }) });
          done.push({ step: 'ingest', state: 'success', startedAt, finishedAt: new Date() });
        } catch (e) {
          run.error = describe(e);
          log(`${pipeline.name}: ingest FAILED: ${run.error}`, { level: 'error', event: 'failure', pipeline: pipeline.name, step: 'ingest', error_code: errorCode(e) });
          done.push({ step: 'ingest', state: 'failed', error: run.error, startedAt, finishedAt: new Date() });
        }
      }
    }

    let models: ModelBuild[] = [];
    let skippedModels: RunResult['skippedModels'] = [];
    let tableChanges: TableChange[] = [];
    let modelError: string | undefined;
    const diagnostics: Diagnostic[] = [];
    if (steps.includes('transform')) {
      // After a failed ingest the transform is pointless: skipped, not failed (the ingest is the cause).
      const ready = runs.filter((r) => !r.error);
      for (const run of runs.filter((r) => r.error)) outcomes.get(run.pipeline)!.push({ step: 'transform', state: 'skipped' });
      const transformLog = withFields(log, { step: 'transform' });
      const transformStarted = new Date();
      const built = await transform(warehouse, project.graph, {
        pipelines: ready.map((r) => r.pipeline),
        fullRefresh: options.fullRefresh,
        range: options.window,
        models: options.models,
        runId,
        log: transformLog,
      });
      tableChanges = built.changes;
      if (built.modelError !== undefined) {
        modelError = describe(built.modelError);
        if (built.modelError instanceof ModelError) diagnostics.push(built.modelError.diagnostic);
        transformLog(`gold: FAILED: ${modelError}`, { level: 'error', event: 'failure', error_code: errorCode(built.modelError) });
      }
      ({ models, skippedModels } = built);
      // One transform builds every pipeline's tables and the gold models: each pipeline's step spans it.
      const transformTime = { startedAt: transformStarted, finishedAt: new Date() };
      for (const run of ready) {
        run.silverLoads = built.silverLoads.get(run.pipeline) ?? [];
        const failure = built.failed.get(run.pipeline);
        if (failure !== undefined) {
          run.error = describe(failure);
          // A silver SQL model's error has a place, as a gold model's has.
          if (failure instanceof ModelError) diagnostics.push(failure.diagnostic);
          transformLog(`${run.pipeline}: transform FAILED: ${run.error}`, { level: 'error', event: 'failure', pipeline: run.pipeline, error_code: errorCode(failure) });
        }
        // The gold models a pipeline feeds are part of its transform step.
        const error = run.error ?? (modelError && `gold models: ${modelError}`);
        outcomes.get(run.pipeline)!.push(error ? { step: 'transform', state: 'failed', error, ...transformTime } : { step: 'transform', state: 'success', ...transformTime });
      }
      const accepted = ready.flatMap((r) => r.silverLoads).reduce((n, l) => n + l.accepted, 0);
      const rejected = ready.flatMap((r) => r.silverLoads).reduce((n, l) => n + l.rejected, 0);
      transformLog(`transform: ${built.silverLoads.size} pipelines, ${models.length} models built; ${accepted} accepted, ${rejected} rejected`, {
        event: 'step', counts: { models: models.length, accepted, rejected }, duration_ms: transformTime.finishedAt.getTime() - transformStarted.getTime(),
      });
    }
    if (steps.includes('check')) {
      for (const run of runs) {
        const pipeline = selected.find((p) => p.name === run.pipeline)!;
        warehouse.setQueryTag?.(queryTagFor(pipeline.name, runId));
        const startedAt = new Date();
        run.checks = await runPipelineChecks(warehouse, pipeline, { runId, sensitive: (table) => sensitiveColumnsOf(project.pipelines, table, project.models) }, options.now);
        const finishedAt = new Date();
        outcomes.get(run.pipeline)!.push({ ...checkOutcome(run.checks), startedAt, finishedAt });
        const count = (...statuses: string[]) => run.checks.filter((c) => statuses.includes(c.status)).length;
        const counts = { passed: count('pass'), warned: count('warn'), failed: count('fail', 'error') };
        log(`${pipeline.name}: checks ${counts.passed} passed, ${counts.warned} warned, ${counts.failed} failed`, {
          level: counts.failed ? 'error' : counts.warned ? 'warn' : 'info', event: 'step', pipeline: pipeline.name, step: 'check', counts, duration_ms: finishedAt.getTime() - startedAt.getTime(),
        });
      }
    }
    if (steps.includes('transform') || steps.includes('check')) {
      // Every selected pipeline's tables, whether its steps succeeded or not: a failed run is a point of the
      // freshness trend too (the lag keeps growing). And every gold model, which these steps build or check.
      const targets = snapshotTargets(project.graph, selected, project.pipelines.flatMap((p) => p.freshness));
      try {
        await recordTableSnapshots(warehouse, runId, targets, options.now);
      } catch (e) {
        // The history is for reading; not keeping one point of it never fails the run.
        log(`history: the tables' sizes and freshness were not recorded for this run: ${describe(e)}`);
      }
    }
    const earlierFailures: RunResult['earlierFailures'] = [];
    for (const [pipeline, done] of outcomes) {
      await finishSteps(warehouse, runId, pipeline, done);
      for (const f of await failedSteps(warehouse, runId, pipeline, steps)) earlierFailures.push({ pipeline, ...f });
    }
    const checksOk = runs.every((r) => r.checks.every((c) => c.status === 'pass' || c.status === 'warn'));
    const ok = checksOk && !modelError && runs.every((r) => !r.error) && earlierFailures.length === 0;
    return { runId, pipelines: runs, models, skippedModels, tableChanges, modelError, diagnostics, earlierFailures, ok };
  }, use);
}

/**
 * dataops.yml retention: for one pipeline, at the start of its ingest (so it runs every hour, whichever
 * command or action takes the step), logged with its counts. A failure is logged and the ingest goes on:
 * retention only removes, and the next run tries again.
 */
async function retentionStep(warehouse: Warehouse, project: Project, settings: Settings, pipeline: string, log: Log): Promise<void> {
  if (!settings.retentionSeconds || Object.keys(settings.retentionSeconds).length === 0) return;
  try {
    const counts = await applyRetention(warehouse, project.graph, { keep: settings.retentionSeconds, landingDir: settings.landingDir, pipelines: [pipeline] });
    const lines = formatRetention(counts.filter((c) => c.removed > 0 || c.note));
    for (const line of lines) log(line, { event: 'retention' });
  } catch (e) {
    log(`retention FAILED (nothing else is affected; the next run tries again): ${describe(e)}`, { level: 'warn', event: 'retention' });
  }
}

/** Source -> bronze for one pipeline: a replay of one landed batch, or a fetch of every resource. */
async function ingest(
  warehouse: Warehouse,
  pipeline: Pipeline,
  run: PipelineRun,
  context: {
    settings: Settings;
    runId: string;
    replay?: ReplayTarget;
    http?: FetchOptions;
    window?: TimeWindow;
    resources?: string[];
    log: Log;
  },
): Promise<void> {
  const { settings, runId, replay, window, log } = context;
  if (replay) {
    const reader = createReader(pipeline, replay.resource, { warehouse, projectDir: settings.projectDir });
    const landingFiles = replay.landingFiles ?? (await fetchBatchLanding(warehouse, settings.landingDir, { batchId: replay.batchId, pipeline: pipeline.name, resource: replay.resource }));
    const batch = await replayBronze(warehouse, pipeline, reader, { of: replay.batchId, landingFiles }, { runId, copyWindowSeconds: settings.copyWindowSeconds });
    log(`${pipeline.name}.${replay.resource}: replayed ${replay.batchId}: ${batch.received} records, appended ${batch.bronzeRows} to bronze.${batch.table}${rejectedNote(batch)}`, {
      event: 'batch', resource: replay.resource, counts: batchCounts(batch),
    });
    logDrift(log, batch);
    run.batches.push(batch);
    return;
  }
  // HTTP resources are fetched at once, up to the source's concurrency; sql and files readers use
  // the warehouse connection themselves, so they run one at a time. Each batch commits on its own.
  const resources: ReadonlyArray<{ name: string }> = pipeline.source.resources.filter((r) => !context.resources?.length || context.resources.includes(r.name));
  const concurrency = pipeline.source.kind === 'http' ? pipeline.source.concurrency : 1;
  const warehouseLock = new Lock();
  const notes: string[] = [];
  const note = (line: string) => (log(line), notes.push(line));
  if (window) run.backfill = { from: formatBound(window.from), to: formatBound(window.to), notes };
  for (const resource of window ? resources : []) note(backfillNote(pipeline, resource.name, window!));
  try {
    await forEachConcurrently(resources, concurrency, async (resource) => {
      const resourceLog = withFields(log, { resource: resource.name });
      const reader = createReader(pipeline, resource.name, { warehouse, projectDir: settings.projectDir, http: { log: resourceLog, ...context.http }, window });
      const started = Date.now();
      // A long fetch says how far it has come, at most once per interval (CI keeps each line; a terminal too).
      const progress = new Progress(settings.progressIntervalSeconds, (pages, records) =>
        resourceLog(`${pipeline.name}.${resource.name}: ${pages} pages, ${records} records so far`, { event: 'progress', counts: { pages, records }, duration_ms: Date.now() - started }));
      let batch: BronzeBatch;
      try {
        batch = await loadBronze(warehouse, pipeline, reader, { runId, landingDir: settings.landingDir, warehouseLock, copyWindowSeconds: settings.copyWindowSeconds, window, onPage: (n) => progress.page(n) });
      } catch (e) {
        // Every failure of a resource's batch names it, not only the source's own errors.
        const message = e instanceof DataOpsError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        throw new SourceError(inResource(resource.name, message));
      }
      resourceLog(`${pipeline.name}.${resource.name}: received ${batch.received}, appended ${batch.bronzeRows} to bronze.${batch.table}${rejectedNote(batch)}`, {
        event: 'batch', counts: { pages: progress.pages, ...batchCounts(batch) }, duration_ms: Date.now() - started,
      });
      const cursor = window && cursorNote(batch, reader.cursorField);
      if (cursor) note(cursor);
      logDrift(resourceLog, batch);
      run.batches.push(batch);
    });
  } finally {
    const order = resources.map((r) => r.name);
    run.batches.sort((a, b) => order.indexOf(a.resource) - order.indexOf(b.resource));
  }
}

/** The check step fails when an error-severity check fails or cannot run; warnings never fail it. */
function checkOutcome(checks: readonly CheckOutcome[]): StepOutcome {
  const failing = checks.filter((c) => c.status === 'fail' || c.status === 'error');
  if (failing.length === 0) return { step: 'check', state: 'success' };
  const shown = failing.slice(0, 5).map((c) => `${c.table} ${c.check} (${c.status === 'error' ? c.message : `${c.failing_rows} failing rows`})`);
  const more = failing.length > shown.length ? `; and ${failing.length - shown.length} more` : '';
  return { step: 'check', state: 'failed', error: `${failing.length} check${failing.length === 1 ? '' : 's'} failed: ${shown.join('; ')}${more}` };
}

/**
 * A run that cannot start (a secret its source needs is unset) still gets a failed record in a warehouse
 * that has history, so status and the site never show the previous run as the last word; a DuckDB file is
 * never created just for that. Best effort: the ConfigError is what the caller reports either way.
 */
async function recordUnrunnable(settings: Settings, runId: string, pipelines: Pipeline[], steps: readonly RunStep[], diagnostics: Diagnostic[]): Promise<void> {
  if (settings.target === 'duckdb' && !existsSync(settings.database)) return;
  try {
    await withWarehouse(settings, async (warehouse) => {
      for (const pipeline of pipelines) {
        const error = mask(diagnostics.filter((d) => d.file === pipeline.file).map(formatDiagnostic).join('\n'));
        await startSteps(warehouse, runId, pipeline.name, steps);
        await finishSteps(warehouse, runId, pipeline.name, steps.map((step, i) => (i === 0 ? { step, state: 'failed', error } : { step, state: 'skipped' })));
      }
    }, { runId, command: 'run', pipelines: pipelines.map((p) => p.name) });
  } catch {
    // The warehouse cannot be reached either; the error the caller throws says why the run did not start.
  }
}

/** `backfill --model` names gold models, a range, and no pipeline. */
function checkModelBackfill(project: Project, options: RunOptions): void {
  const models = project.graph.nodes('gold').map((n) => n.name);
  const unknown = options.models!.filter((m) => !models.includes(m));
  if (unknown.length) throw new UsageError(`--model: unknown model${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (models: ${models.join(', ')})`);
  if (!options.window) throw new UsageError('--model needs the range to build again: --from and --to');
  if (options.pipelines?.length || options.resources?.length) throw new UsageError('backfill --model builds models from the tables they read; name pipelines (to fetch again) or --model, not both');
}

/** `--full-refresh` names silver and gold tables; a silver table only of a pipeline this run runs. */
function checkFullRefresh(project: Project, selected: Pipeline[], tables: RunOptions['fullRefresh']): void {
  if (tables === undefined || tables === 'all') return;
  const buildable = [...project.graph.nodes('silver'), ...project.graph.nodes('gold')].map((n) => n.name);
  for (const table of tables) {
    if (!buildable.includes(table)) throw new UsageError(`--full-refresh: unknown table "${table}" (silver and gold tables: ${buildable.join(', ')})`);
    const owner = project.graph.ownerOf(table);
    if (owner && !selected.some((p) => p.name === owner)) throw new UsageError(`--full-refresh: ${table} is loaded by pipeline ${owner}, which this run does not run; name it too`);
  }
}

function selectPipelines(project: Project, names: string[] | undefined): Pipeline[] {
  if (!names?.length) return project.pipelines;
  const known = project.pipelines.map((p) => p.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new UsageError(`unknown pipeline${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (pipelines: ${known.join(', ')})`);
  return project.pipelines.filter((p) => names.includes(p.name));
}

function rejectedNote(batch: BronzeBatch): string {
  return batch.rejected ? `, rejected ${batch.rejected} (see meta.rejected for bronze.${batch.table})` : '';
}

function logDrift(log: Log, batch: BronzeBatch): void {
  if (batch.schemaChanges.length) {
    log(`${batch.pipeline}.${batch.resource}: schema drift since the previous batch: ${formatDrift(batch.schemaChanges)}`, { level: 'warn', event: 'schema_drift', counts: { changes: batch.schemaChanges.length } });
  }
}

function batchCounts(batch: BronzeBatch): Record<string, number> {
  return { received: batch.received, appended: batch.bronzeRows, rejected: batch.rejected };
}

interface ReplayTarget {
  pipeline: Pipeline;
  resource: string;
  batchId: string;
  /** Undefined when the folder has none: a warehouse with a stage may keep them (fetched in the run). */
  landingFiles?: string[];
}

async function replayTarget(project: Project, settings: Settings, batchId: string, names: string[] | undefined): Promise<ReplayTarget> {
  const parsed = parseBatchId(batchId);
  const pipeline = parsed && project.pipelines.find((p) => p.name === parsed.pipeline);
  if (!parsed || !pipeline || !pipeline.source.resources.some((r) => r.name === parsed.resource)) {
    throw new UsageError(`cannot replay "${batchId}": expected <run>.<pipeline>.<resource> naming a resource of this project (as in meta.batches)`);
  }
  if (names?.length && (names.length > 1 || names[0] !== pipeline.name)) {
    throw new UsageError(`--replay ${batchId} runs pipeline ${pipeline.name} only; do not name other pipelines`);
  }
  const where = { pipeline: pipeline.name, resource: parsed.resource };
  // Snowflake keeps the files in its stage too; elsewhere, no local file is a usage error before the run.
  const landingFiles = settings.target === 'snowflake'
    ? await findLandingFiles(settings.landingDir, batchId, where).catch((e: unknown) => (e instanceof UsageError ? undefined : Promise.reject(e)))
    : await findLandingFiles(settings.landingDir, batchId, where);
  return { pipeline, resource: parsed.resource, batchId, landingFiles };
}

function describe(e: unknown): string {
  if (e instanceof DataOpsError) return mask(e.message);
  return mask(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
}
