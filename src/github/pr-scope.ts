// What a pull request touches: from the files it changes to the pipelines the PR gate runs and the gold
// models it rebuilds, so a PR that edits one model does not reload every source.
import type { Project } from '../config/project.js';
import { bronzeTableName } from '../config/types.js';
import { selectModels } from '../models/gold.js';

export interface PrScope {
  /** Changed files, relative to the project folder, as given. */
  files: string[];
  /** Pipelines whose file changed. */
  changedPipelines: string[];
  /** Gold models whose file changed, and the models downstream of them. */
  changedModels: string[];
  /** Pipelines to run (ingest, transform, check), in project order; empty when nothing needs building. */
  pipelines: string[];
  /** Gold models that running those pipelines rebuilds. */
  models: string[];
  /** Set when every pipeline runs, saying why (e.g. the engine itself changed). */
  everything?: string;
  /**
   * Pipelines the change touches that cannot run here because a variable they read is unset (a fork's
   * pull request gets no secrets); `validate` reports the variable too.
   */
  skipped: Array<{ pipeline: string; reason: string }>;
}

/** Changes here alter how every pipeline runs, so they rebuild everything. */
const ENGINE_PATHS = [/^src\//, /^bin\//, /^schemas\//, /^package(-lock)?\.json$/];

/**
 * A changed pipeline runs itself. A changed model needs the pipelines that load the silver tables it
 * reads, directly or through its gold parents: on a fresh PR database those are what build its inputs,
 * and running them rebuilds the model and everything downstream of it.
 */
export function prScope(project: Project, changedFiles: readonly string[]): PrScope {
  const files = [...new Set(changedFiles.map((f) => f.replace(/\\/g, '/').replace(/^\.\//, '')))].filter(Boolean).sort();
  const changedPipelines = project.pipelines.filter((p) => files.includes(p.file)).map((p) => p.name);
  const directModels = project.models.filter((m) => files.includes(m.file)).map((m) => m.name);
  const changedModels = project.modelOrder.filter((n) => project.modelDag.downstream(directModels).has(n));

  const engine = files.find((f) => ENGINE_PATHS.some((p) => p.test(f)));
  let everything = engine ? `${engine} changed: it affects every pipeline` : undefined;

  const needed = new Set(changedPipelines);
  const ownerOf = new Map<string, string>();
  for (const p of project.pipelines) {
    for (const r of p.source.resources) ownerOf.set(`bronze.${bronzeTableName(p.name, r.name)}`, p.name);
    for (const t of p.silver) ownerOf.set(`silver.${t.name}`, p.name);
  }
  for (const model of directModels) {
    const owners = [...upstreamModels(project, model)].flatMap((name) => pipelineInputs(project, name).map((t) => ownerOf.get(t)));
    if (owners.length === 0 || owners.some((o) => o === undefined)) {
      // A model that reads no pipeline's table (or one no pipeline loads) has no smaller set to run.
      everything ??= `${project.models.find((m) => m.name === model)!.file} reads no table a single pipeline loads`;
    }
    for (const o of owners) if (o) needed.add(o);
  }

  const touched = everything ? project.pipelines : project.pipelines.filter((p) => needed.has(p.name));
  const skipped: PrScope['skipped'] = [];
  const pipelines: string[] = [];
  for (const p of touched) {
    const unset = project.diagnostics.find((d) => d.code === 'env_unset' && d.file === p.file);
    if (unset) skipped.push({ pipeline: p.name, reason: unset.message });
    else pipelines.push(p.name);
  }
  const silverTables = project.pipelines.filter((p) => pipelines.includes(p.name)).flatMap((p) => p.silver.map((t) => `silver.${t.name}`));
  const models = pipelines.length === 0 ? [] : selectModels(project, everything ? undefined : silverTables).map((m) => m.name);
  return { files, changedPipelines, changedModels, pipelines, models, skipped, ...(everything ? { everything } : {}) };
}

/** The model and every gold model it reads, directly or not. */
function upstreamModels(project: Project, model: string): Set<string> {
  const seen = new Set<string>();
  const queue = [model];
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...project.modelDag.dependencies(name));
  }
  return seen;
}

/** The bronze and silver tables a model reads: those a pipeline loads. */
function pipelineInputs(project: Project, model: string): string[] {
  const found = project.models.find((m) => m.name === model);
  return (found?.references ?? []).map((r) => r.table).filter((t) => t.startsWith('silver.') || t.startsWith('bronze.'));
}
