// What a pull request touches: from the files it changes to the pipelines the PR gate runs and the gold
// models it rebuilds, so a PR that edits one model does not reload every source.
import { PIPELINES_DIR, type Project } from '../project.js';
import { bronzeTableName } from '../config/types.js';
import { DataOpsError, formatDiagnostic } from '../errors.js';
import { selectModels } from '../models/gold.js';
import { compareProjects, TABLE_CHANGES, type ChangedTable } from '../models/change-plan.js';

/** Why a pipeline the change touches is not built: its variables are unset, its file does not load, or it is gone. */
export type SkipCause = 'env_unset' | 'invalid' | 'removed';

export interface SkippedPipeline {
  /** The pipeline's name; for a file that does not load (or is gone), the file's name without `.yml`. */
  pipeline: string;
  file: string;
  cause: SkipCause;
  reason: string;
}

export interface PrScope {
  /** Changed files, relative to the project folder, as given. */
  files: string[];
  /** Pipelines whose file changed. */
  changedPipelines: string[];
  /** SQL models (silver and gold) whose file changed, and the models downstream of them. */
  changedModels: string[];
  /** Pipelines to run (ingest, transform, check), in project order; empty when nothing needs building. */
  pipelines: string[];
  /** Gold models that running those pipelines rebuilds. */
  models: string[];
  /** Set when every pipeline runs, saying why (e.g. the engine itself changed). */
  everything?: string;
  /**
   * Pipelines the change touches that are not built, each with the reason: a variable they read is unset
   * (a fork's pull request gets no secrets), their file does not load, or their file was removed.
   * `validate` reports the first two as well. Nothing the change touches is left out without a line here.
   */
  skipped: SkippedPipeline[];
  /**
   * With the base commit's project (`dataops changed --base-project`): the plan of the change, each table
   * and model it adds, removes or redefines, with the category, the reasons and what it rebuilds.
   */
  changes?: ChangedTable[];
  /** With the base commit's project: the pipelines to run that it declares too (what a build of the base transforms). */
  basePipelines?: string[];
}

/** Changes here alter how every pipeline runs, so they rebuild everything. */
const ENGINE_PATHS = [/^src\//, /^bin\//, /^schemas\//, /^package(-lock)?\.json$/];

/**
 * A changed pipeline runs itself. A changed model needs the pipelines that load the silver tables it
 * reads, directly or through its gold parents: on a fresh PR database those are what build its inputs,
 * and running them rebuilds the model and everything downstream of it.
 */
export function prScope(project: Project, changedFiles: readonly string[], base?: Project): PrScope {
  const files = [...new Set(changedFiles.map((f) => f.replace(/\\/g, '/').replace(/^\.\//, '')))].filter(Boolean).sort();
  const changedPipelines = project.pipelines.filter((p) => files.includes(p.file)).map((p) => p.name);
  const { graph } = project;
  const directModels = project.models.filter((m) => files.includes(m.file)).map((m) => m.name);
  const below = graph.downstream(directModels);
  const changedModels = graph.order.filter((n) => below.has(n) && 'model' in graph.get(n)!);

  const engine = files.find((f) => ENGINE_PATHS.some((p) => p.test(f)));
  let everything = engine ? `${engine} changed: it affects every pipeline` : undefined;

  const needed = new Set(changedPipelines);
  // A custom check (sql/checks) is run by its pipeline's run.
  for (const p of project.pipelines) if (p.checks.some((c) => c.file !== undefined && files.includes(c.file))) needed.add(p.name);
  for (const model of directModels) {
    // The pipelines that load what the model reads, directly or through its gold parents.
    const inputs = [...graph.upstream([model])].filter((n) => graph.get(n)?.layer === 'silver' || graph.get(n)?.layer === 'bronze');
    const readsUnknown = [...graph.upstream([model])].some((n) => graph.get(n) === undefined);
    if (inputs.length === 0 || readsUnknown) {
      // A model that reads no pipeline's table (or one no pipeline loads) has no smaller set to run.
      everything ??= `${project.models.find((m) => m.name === model)!.file} reads no table a single pipeline loads`;
    }
    for (const table of inputs) needed.add(graph.ownerOf(table)!);
  }

  const touched = everything ? project.pipelines : project.pipelines.filter((p) => needed.has(p.name));
  const skipped: SkippedPipeline[] = [];
  const pipelines: string[] = [];
  for (const p of touched) {
    const unset = project.diagnostics.find((d) => d.code === 'env_unset' && d.file === p.file);
    if (unset) skipped.push({ pipeline: p.name, file: p.file, cause: 'env_unset', reason: unset.message });
    else pipelines.push(p.name);
  }
  skipped.push(...unloadedPipelines(project, files, everything !== undefined));
  const silverTables = graph.nodes('silver').filter((n) => pipelines.includes(n.pipeline!)).map((n) => n.name);
  const models = pipelines.length === 0 ? [] : selectModels(graph, everything ? undefined : silverTables).map((m) => m.name);
  const scope: PrScope = { files, changedPipelines, changedModels, pipelines, models, skipped, ...(everything ? { everything } : {}) };
  if (base) {
    scope.changes = compareProjects(base, project);
    scope.basePipelines = pipelines.filter((p) => base.pipelines.some((b) => b.name === p));
  }
  return scope;
}

/**
 * Pipeline files the change touches that are not in the project: one that does not load (its errors are
 * the project's diagnostics), and one the change removed. Touched means changed, or any when every
 * pipeline runs.
 */
function unloadedPipelines(project: Project, files: readonly string[], everything: boolean): SkippedPipeline[] {
  const loaded = new Set(project.pipelines.map((p) => p.file));
  const isPipelineFile = (f: string) => new RegExp(`^${PIPELINES_DIR}/[^/]+\\.ya?ml$`).test(f);
  const firstError = new Map<string, (typeof project.diagnostics)[number]>();
  for (const d of project.diagnostics) {
    if (d.severity === 'error' && isPipelineFile(d.file) && !loaded.has(d.file) && !firstError.has(d.file)) firstError.set(d.file, d);
  }
  const touched = new Set([...files.filter(isPipelineFile), ...(everything ? firstError.keys() : [])]);
  const skipped: SkippedPipeline[] = [];
  for (const file of [...touched].sort()) {
    if (loaded.has(file)) continue;
    const pipeline = file.slice(PIPELINES_DIR.length + 1).replace(/\.ya?ml$/, '');
    const error = firstError.get(file);
    skipped.push(
      error
        ? { pipeline, file, cause: 'invalid', reason: `${file} does not load (dataops validate lists every problem); first: ${formatDiagnostic(error)}` }
        : { pipeline, file, cause: 'removed', reason: `${file} is not in the project any more (removed or renamed): nothing to build` },
    );
  }
  return skipped;
}

/**
 * A scope as `dataops changed --json` prints it, read back by a later step (the quality gate's
 * `scope-file`), so that the one step that sees the sources' variables decides what runs.
 */
export function parsePrScope(text: string, file: string): PrScope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataOpsError(`${file}: not JSON (${(e as Error).message}); expected the output of \`dataops changed --json\``);
  }
  const problem = (what: string) => new DataOpsError(`${file}: ${what}; expected the output of \`dataops changed --json\``);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw problem('not a JSON object');
  const scope = value as Record<string, unknown>;
  for (const key of ['files', 'changedPipelines', 'changedModels', 'pipelines', 'models'] as const) {
    if (!isStringList(scope[key])) throw problem(`"${key}" is not a list of strings`);
  }
  if (scope.everything !== undefined && typeof scope.everything !== 'string') throw problem('"everything" is not a string');
  const skipped = scope.skipped;
  const causes: readonly unknown[] = ['env_unset', 'invalid', 'removed'] satisfies SkipCause[];
  const validSkip = (s: unknown) => {
    const entry = s as Record<string, unknown> | null;
    return !!entry && typeof entry.pipeline === 'string' && typeof entry.file === 'string' && typeof entry.reason === 'string' && causes.includes(entry.cause);
  };
  if (!Array.isArray(skipped) || !skipped.every(validSkip)) {
    throw problem('"skipped" is not a list of { pipeline, file, cause: env_unset | invalid | removed, reason }');
  }
  if (scope.basePipelines !== undefined && !isStringList(scope.basePipelines)) throw problem('"basePipelines" is not a list of strings');
  const changes = scope.changes;
  if (changes !== undefined) {
    if (!Array.isArray(changes)) throw problem('"changes" is not a list');
    changes.forEach((change, i) => {
      const entry = change as Record<string, unknown> | null;
      const valid = !!entry && typeof entry.table === 'string' && (entry.layer === 'silver' || entry.layer === 'gold') &&
        TABLE_CHANGES.includes(entry.change as ChangedTable['change']) && isStringList(entry.reasons) && isStringList(entry.rebuilds);
      if (!valid) throw problem(`"changes"[${i}] is not { table, layer: silver | gold, change: ${TABLE_CHANGES.join(' | ')}, reasons: [...], rebuilds: [...] }`);
    });
  }
  return value as PrScope;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((x) => typeof x === 'string');
}
