// The engine's front door: what the CLI and the actions call. It never imports @actions/*.
import { isAbsolute, join, resolve } from 'node:path';
import { parseDuration, type Env } from './config/pipeline.js';
import type { Project } from './config/project.js';
import type { Pipeline } from './config/types.js';
import { ConfigError, DataOpsError, UsageError, type Diagnostic } from './errors.js';
import { forEachConcurrently, Lock } from './ingest/concurrency.js';
import { findLandingFiles, loadBronze, parseBatchId, replayBronze, type BronzeBatch } from './ingest/bronze.js';
import { formatDrift } from './ingest/drift.js';
import { buildGold, planModels, selectModels, ModelError, type ModelBuild, type ModelPlan } from './models/gold.js';
import { buildSilver, type SilverLoad } from './models/silver.js';
import { runPipelineChecks, type CheckOutcome } from './quality/checks.js';
import { mask } from './secrets.js';
import { createReader } from './sources/readers.js';
import type { FetchOptions } from './sources/http.js';
import { ensureMetaSchema, finishRun, newRunId } from './state/meta.js';
import { queryTagFor, sqlString, type Warehouse } from './warehouse/adapter.js';
import { DuckDBWarehouse } from './warehouse/duckdb.js';
import { validateProject } from './validate.js';
import { readProjectFile } from './config/project-file.js';

export const STEPS = ['ingest', 'transform', 'check'] as const;
export type Step = (typeof STEPS)[number];

export const TARGETS = ['duckdb', 'snowflake'] as const;
export type Target = (typeof TARGETS)[number];

/**
 * Bronze skips exact copies of records fetched within this window: a re-run, a replay, a cursor's lag
 * window and a repeated page all fall well inside it, and the check never scans older rows.
 */
export const DEFAULT_COPY_WINDOW = '30d';

export interface Settings {
  projectDir: string;
  /** duckdb (the embedded default) or snowflake (connection from SNOWFLAKE_* variables). */
  target: Target;
  /** DuckDB database file. */
  database: string;
  /** DuckDB's memory_limit (dataops.yml duckdb.memory_limit), e.g. "1GB"; DuckDB's own default when unset. */
  duckdbMemoryLimit?: string;
  /** How far back a load looks in bronze for exact copies of its records (dataops.yml bronze.copy_window). */
  copyWindowSeconds: number;
  /** dataops.yml's names for the Snowflake connection variables (defaults: SNOWFLAKE_*). */
  snowflakeEnvNames: Record<string, string>;
  /** Where raw pages land as JSON lines (replayable). */
  landingDir: string;
  siteDir: string;
  env: Env;
}

export function resolveSettings(options: { projectDir?: string; database?: string; siteDir?: string; target?: string; env?: Env } = {}): Settings {
  const env = options.env ?? process.env;
  const projectDir = resolve(options.projectDir ?? '.');
  // Precedence: the command line, then the environment, then dataops.yml, then the defaults.
  const file = readProjectFile(projectDir);
  const target = options.target ?? env.DATAOPS_TARGET ?? file.target ?? 'duckdb';
  if (!(TARGETS as readonly string[]).includes(target)) throw new UsageError(`unknown target "${target}" (targets: ${TARGETS.join(', ')})`);
  const at = (p: string) => (isAbsolute(p) ? p : resolve(projectDir, p));
  const database = options.database ?? env.DATAOPS_DATABASE ?? file.duckdb?.path;
  return {
    projectDir,
    target: target as Target,
    snowflakeEnvNames: file.snowflake?.env ?? {},
    database: database === ':memory:' ? database : at(database ?? '.dataops/dev.duckdb'),
    duckdbMemoryLimit: file.duckdb?.memory_limit,
    copyWindowSeconds: parseDuration(file.bronze?.copy_window ?? DEFAULT_COPY_WINDOW),
    landingDir: at(env.DATAOPS_LANDING_DIR ?? '.dataops/landing'),
    siteDir: at(options.siteDir ?? env.DATAOPS_SITE_DIR ?? '.dataops/site'),
    env,
  };
}

export async function openWarehouse(settings: Settings): Promise<Warehouse> {
  // Loaded only when used: each driver is large, and snowflake-sdk warns on load under Node 20.
  const warehouse =
    settings.target === 'snowflake'
      ? await (await import('./warehouse/snowflake.js')).openSnowflakeFromEnv(settings.env, { names: settings.snowflakeEnvNames })
      : await DuckDBWarehouse.open(settings.database, { memoryLimit: settings.duckdbMemoryLimit });
  await ensureMetaSchema(warehouse);
  return warehouse;
}

export async function withWarehouse<T>(settings: Settings, fn: (w: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await openWarehouse(settings);
  try {
    return await fn(warehouse);
  } finally {
    await warehouse.close();
  }
}

export interface PipelineRun {
  pipeline: string;
  batches: BronzeBatch[];
  silverLoads: SilverLoad[];
  checks: CheckOutcome[];
  /** Masked message of the failure that stopped this pipeline, if any. */
  error?: string;
}

export interface RunResult {
  runId: string;
  pipelines: PipelineRun[];
  models: ModelBuild[];
  /** Models not built because an input table does not exist yet. */
  skippedModels: ModelPlan['skipped'];
  modelError?: string;
  /** Diagnostics with a place (bad SQL in a model), for annotations. */
  diagnostics: Diagnostic[];
  ok: boolean;
}

export interface RunOptions {
  pipelines?: string[];
  steps?: readonly Step[];
  runId?: string;
  http?: FetchOptions;
  log?: (line: string) => void;
  /** The time freshness is measured against (default: the warehouse's clock). */
  now?: Date;
  /**
   * Re-load this batch from its landing file instead of calling the source (`run --replay <batch_id>`);
   * only its pipeline runs, and its other resources are not fetched.
   */
  replayBatch?: string;
}

/**
 * Validates the whole project first (nothing is written when it is invalid), then runs the selected
 * steps for the selected pipelines. A failing pipeline does not stop the others; its bronze stays and
 * its cursor does not move, so the next run resumes.
 */
export async function runProject(settings: Settings, options: RunOptions = {}): Promise<RunResult> {
  const log = options.log ?? (() => undefined);
  const validation = await validateProject(settings.projectDir, settings.env);
  const project = validation.project;
  const errors = validation.diagnostics.filter((d) => d.severity === 'error');
  if (errors.some((d) => d.code !== 'env_unset')) throw new ConfigError(errors);
  const replay = options.replayBatch === undefined ? undefined : await replayTarget(project, settings, options.replayBatch, options.pipelines);
  const selected = replay ? [replay.pipeline] : selectPipelines(project, options.pipelines);
  // A pipeline that will not run does not need its secrets set.
  const selectedFiles = new Set(selected.map((p) => p.file));
  const missingEnv = errors.filter((d) => selectedFiles.has(d.file));
  if (missingEnv.length > 0) throw new ConfigError(missingEnv);
  const steps = new Set(options.steps ?? STEPS);
  const runId = options.runId ?? newRunId();

  return withWarehouse(settings, async (warehouse) => {
    const runs: PipelineRun[] = [];
    for (const pipeline of selected) {
      await markRunning(warehouse, runId, pipeline.name);
      warehouse.setQueryTag?.(queryTagFor(pipeline.name, runId));
      const run: PipelineRun = { pipeline: pipeline.name, batches: [], silverLoads: [], checks: [] };
      runs.push(run);
      try {
        if (steps.has('ingest') && replay) {
          const reader = createReader(pipeline, replay.resource, { warehouse, projectDir: settings.projectDir });
          const batch = await replayBronze(warehouse, pipeline, reader, { of: replay.batchId, landingFiles: replay.landingFiles }, { runId, copyWindowSeconds: settings.copyWindowSeconds });
          log(`${pipeline.name}.${replay.resource}: replayed ${replay.batchId}: ${batch.received} records, appended ${batch.bronzeRows} to bronze.${batch.table}${rejectedNote(batch)}`);
          logDrift(log, batch);
          run.batches.push(batch);
        } else if (steps.has('ingest')) {
          // HTTP resources are fetched at once, up to the source's concurrency; sql and files readers use
          // the warehouse connection themselves, so they run one at a time. Each batch commits on its own.
          const resources: ReadonlyArray<{ name: string }> = pipeline.source.resources;
          const concurrency = pipeline.source.kind === 'http' ? pipeline.source.concurrency : 1;
          const warehouseLock = new Lock();
          try {
            await forEachConcurrently(resources, concurrency, async (resource) => {
              const reader = createReader(pipeline, resource.name, { warehouse, projectDir: settings.projectDir, http: options.http });
              const batch = await loadBronze(warehouse, pipeline, reader, { runId, landingDir: settings.landingDir, warehouseLock, copyWindowSeconds: settings.copyWindowSeconds });
              log(`${pipeline.name}.${resource.name}: received ${batch.received}, appended ${batch.bronzeRows} to bronze.${batch.table}${rejectedNote(batch)}`);
              logDrift(log, batch);
              run.batches.push(batch);
            });
          } finally {
            const order = resources.map((r) => r.name);
            run.batches.sort((a, b) => order.indexOf(a.resource) - order.indexOf(b.resource));
          }
        }
        if (steps.has('transform')) {
          run.silverLoads = await buildSilver(warehouse, pipeline, runId);
          for (const l of run.silverLoads) log(`${l.table}: ${l.accepted} accepted (${l.inserted} new, ${l.updated} updated), ${l.rejected} rejected`);
        }
      } catch (e) {
        run.error = describe(e);
        log(`${pipeline.name}: FAILED: ${run.error}`);
      }
    }

    let models: ModelBuild[] = [];
    let skippedModels: ModelPlan['skipped'] = [];
    let modelError: string | undefined;
    const diagnostics: Diagnostic[] = [];
    if (steps.has('transform')) {
      warehouse.setQueryTag?.(queryTagFor('gold', runId));
      const fromAll = !options.pipelines?.length;
      const silverTables = selected.flatMap((p) => p.silver.map((t) => `silver.${t.name}`));
      try {
        const plan = await planModels(project, selectModels(project, fromAll ? undefined : silverTables), warehouse);
        skippedModels = plan.skipped;
        for (const s of plan.skipped) log(`${s.model}: skipped, waiting for ${s.missing.join(', ')} (no run has loaded it yet)`);
        models = await buildGold(warehouse, plan.build, runId);
        for (const m of models) log(`${m.model}: ${m.rows} rows`);
      } catch (e) {
        modelError = describe(e);
        if (e instanceof ModelError) diagnostics.push(e.diagnostic);
        log(`gold: FAILED: ${modelError}`);
      }
    }
    if (steps.has('check')) {
      for (const run of runs) {
        const pipeline = selected.find((p) => p.name === run.pipeline)!;
        warehouse.setQueryTag?.(queryTagFor(pipeline.name, runId));
        run.checks = await runPipelineChecks(warehouse, pipeline, runId, options.now);
      }
    }
    for (const run of runs) await finishRun(warehouse, runId, run.pipeline, run.error ?? modelError);
    const checksOk = runs.every((r) => r.checks.every((c) => c.status === 'pass' || c.status === 'warn'));
    return { runId, pipelines: runs, models, skippedModels, modelError, diagnostics, ok: checksOk && !modelError && runs.every((r) => !r.error) };
  });
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

function logDrift(log: (line: string) => void, batch: BronzeBatch): void {
  if (batch.schemaChanges.length) log(`${batch.pipeline}.${batch.resource}: schema drift since the previous batch: ${formatDrift(batch.schemaChanges)}`);
}

async function replayTarget(
  project: Project,
  settings: Settings,
  batchId: string,
  names: string[] | undefined,
): Promise<{ pipeline: Pipeline; resource: string; batchId: string; landingFiles: string[] }> {
  const parsed = parseBatchId(batchId);
  const pipeline = parsed && project.pipelines.find((p) => p.name === parsed.pipeline);
  if (!parsed || !pipeline || !pipeline.source.resources.some((r) => r.name === parsed.resource)) {
    throw new UsageError(`cannot replay "${batchId}": expected <run>.<pipeline>.<resource> naming a resource of this project (as in meta.batches)`);
  }
  if (names?.length && (names.length > 1 || names[0] !== pipeline.name)) {
    throw new UsageError(`--replay ${batchId} runs pipeline ${pipeline.name} only; do not name other pipelines`);
  }
  const landingFiles = await findLandingFiles(settings.landingDir, batchId, { pipeline: pipeline.name, resource: parsed.resource });
  return { pipeline, resource: parsed.resource, batchId, landingFiles };
}

/** A run that several steps (or several action invocations) share keeps one row per pipeline. */
async function markRunning(warehouse: Warehouse, runId: string, pipeline: string): Promise<void> {
  // Runs of one pipeline never overlap (one concurrency group per pipeline in the workflows; one writer
  // per DuckDB file), so another run still marked running was killed, cancelled or timed out.
  await warehouse.execute(
    `UPDATE meta.runs SET status = 'failed', finished_at = ${warehouse.dialect.now}, error = ${sqlString(INTERRUPTED)}
     WHERE pipeline = ${sqlString(pipeline)} AND status = 'running' AND run_id <> ${sqlString(runId)}`,
  );
  const existing = await warehouse.query(`SELECT 1 FROM meta.runs WHERE run_id = ${sqlString(runId)} AND pipeline = ${sqlString(pipeline)}`);
  if (existing.length) {
    await warehouse.execute(`UPDATE meta.runs SET status = 'running', finished_at = NULL WHERE run_id = ${sqlString(runId)} AND pipeline = ${sqlString(pipeline)}`);
  } else {
    await warehouse.execute(`INSERT INTO meta.runs VALUES (${sqlString(runId)}, ${sqlString(pipeline)}, ${warehouse.dialect.now}, NULL, 'running', NULL)`);
  }
}

export const INTERRUPTED = 'interrupted: the run stopped before it finished (killed, cancelled or timed out); a later run went on from its last committed batch';

function describe(e: unknown): string {
  if (e instanceof DataOpsError) return mask(e.message);
  return mask(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
}

export function siteIndex(settings: Settings): string {
  return join(settings.siteDir, 'index.html');
}
