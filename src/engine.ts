// The engine's front door: what the CLI and the actions call. It never imports @actions/*.
import { isAbsolute, join, resolve } from 'node:path';
import type { Env } from './config/pipeline.js';
import type { Project } from './config/project.js';
import type { Pipeline } from './config/types.js';
import { ConfigError, DataOpsError, UsageError, type Diagnostic } from './errors.js';
import { loadBronze, type BronzeBatch } from './ingest/bronze.js';
import { buildGold, planModels, selectModels, ModelError, type ModelBuild, type ModelPlan } from './models/gold.js';
import { buildSilver, type SilverLoad } from './models/silver.js';
import { runPipelineChecks, type CheckOutcome } from './quality/checks.js';
import { mask } from './secrets.js';
import { createReader } from './sources/readers.js';
import type { FetchOptions } from './sources/http.js';
import { ensureMetaSchema, finishRun, newRunId } from './state/meta.js';
import { sqlString, type Warehouse } from './warehouse/adapter.js';
import { DuckDBWarehouse } from './warehouse/duckdb.js';
import { validateProject } from './validate.js';

export const STEPS = ['ingest', 'transform', 'check'] as const;
export type Step = (typeof STEPS)[number];

export interface Settings {
  projectDir: string;
  /** DuckDB database file. */
  database: string;
  /** Where raw pages land as JSON lines (replayable). */
  landingDir: string;
  siteDir: string;
  env: Env;
}

export function resolveSettings(options: { projectDir?: string; database?: string; siteDir?: string; env?: Env } = {}): Settings {
  const env = options.env ?? process.env;
  const projectDir = resolve(options.projectDir ?? '.');
  const at = (p: string) => (isAbsolute(p) ? p : resolve(projectDir, p));
  const database = options.database ?? env.DATAOPS_DATABASE;
  return {
    projectDir,
    database: database === ':memory:' ? database : at(database ?? '.dataops/dev.duckdb'),
    landingDir: at(env.DATAOPS_LANDING_DIR ?? '.dataops/landing'),
    siteDir: at(options.siteDir ?? env.DATAOPS_SITE_DIR ?? '.dataops/site'),
    env,
  };
}

export async function openWarehouse(settings: Settings): Promise<Warehouse> {
  const warehouse = await DuckDBWarehouse.open(settings.database);
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
  const selected = selectPipelines(project, options.pipelines);
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
      const run: PipelineRun = { pipeline: pipeline.name, batches: [], silverLoads: [], checks: [] };
      runs.push(run);
      try {
        if (steps.has('ingest')) {
          for (const resource of pipeline.source.resources) {
            const reader = createReader(pipeline, resource.name, { warehouse, projectDir: settings.projectDir, http: options.http });
            const batch = await loadBronze(warehouse, pipeline, reader, { runId, landingDir: settings.landingDir });
            log(`${pipeline.name}.${resource.name}: received ${batch.received}, appended ${batch.bronzeRows} to bronze.${batch.table}`);
            run.batches.push(batch);
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

/** A run that several steps (or several action invocations) share keeps one row per pipeline. */
async function markRunning(warehouse: Warehouse, runId: string, pipeline: string): Promise<void> {
  const existing = await warehouse.query(`SELECT 1 FROM meta.runs WHERE run_id = ${sqlString(runId)} AND pipeline = ${sqlString(pipeline)}`);
  if (existing.length) {
    await warehouse.execute(`UPDATE meta.runs SET status = 'running', finished_at = NULL WHERE run_id = ${sqlString(runId)} AND pipeline = ${sqlString(pipeline)}`);
  } else {
    await warehouse.execute(`INSERT INTO meta.runs VALUES (${sqlString(runId)}, ${sqlString(pipeline)}, ${warehouse.dialect.now}, NULL, 'running', NULL)`);
  }
}

function describe(e: unknown): string {
  if (e instanceof DataOpsError) return mask(e.message);
  return mask(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
}

export function siteIndex(settings: Settings): string {
  return join(settings.siteDir, 'index.html');
}
