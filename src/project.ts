// The whole project: every pipeline under pipelines/ and every model under sql/, with the rules that
// need all of them at once (unique names, tables that exist, no cycles).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, lineLocator, nameList, type Diagnostic } from './errors.js';
import { buildGraph, silverModelOwners, type ProjectGraph } from './graph/graph.js';
import { parseModel, type SqlModel } from './config/sql-model.js';
import { parseSqlCheck, SQL_CHECKS_DIR } from './config/sql-check.js';
import { MODEL_FILE_LIMIT, PIPELINE_FILE_LIMIT, readConfigFile } from './config/config-file.js';
import { loadPipeline, type Env } from './config/pipeline.js';
import { bronzeTableName, HISTORY_COLUMNS, type Pipeline } from './config/types.js';
import type { YamlSource } from './config/yaml-source.js';
import { checkColumns } from './quality/check-kinds.js';
import { cronProblem } from './schedule.js';

export interface Project {
  dir: string;
  pipelines: Pipeline[];
  models: SqlModel[];
  /** Every resource, table, model and check, with what each reads (src/graph). */
  graph: ProjectGraph;
  diagnostics: Diagnostic[];
}

export const PIPELINES_DIR = 'pipelines';
/** The model folders, in build order: the folder is the layer (and the schema). */
export const MODEL_DIRS = ['sql/silver', 'sql/gold'] as const;

export async function loadProject(dir: string, env: Env = process.env): Promise<Project> {
  const diagnostics: Diagnostic[] = [];
  const pipelines: Pipeline[] = [];
  const sources = new Map<string, YamlSource>();
  for (const file of await listFiles(dir, PIPELINES_DIR, /\.ya?ml$/)) {
    const read = readConfigFile(dir, file, PIPELINE_FILE_LIMIT);
    if (read.diagnostic) {
      diagnostics.push(read.diagnostic);
      continue;
    }
    const loaded = loadPipeline(file, read.text, env);
    diagnostics.push(...loaded.diagnostics);
    if (loaded.pipeline && loaded.source) {
      pipelines.push(loaded.pipeline);
      sources.set(loaded.pipeline.name, loaded.source);
    }
  }
  const models: SqlModel[] = [];
  for (const file of (await Promise.all(MODEL_DIRS.map((sub) => listFiles(dir, sub, /\.sql$/)))).flat()) {
    const read = readConfigFile(dir, file, MODEL_FILE_LIMIT);
    if (read.diagnostic) {
      diagnostics.push(read.diagnostic);
      continue;
    }
    const parsed = parseModel(file, read.text);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.model) models.push(parsed.model);
  }
  diagnostics.push(...(await loadSqlChecks(dir, pipelines, models)));
  diagnostics.push(...projectRules(pipelines, sources, models));
  const graph = buildGraph(pipelines, models);
  if (graph.cycle) {
    const first = models.find((m) => m.name === graph.cycle![0])!;
    diagnostics.push({ file: first.file, line: 1, col: 1, severity: 'error', message: `models depend on each other in a cycle: ${graph.cycle.join(' -> ')}` });
  }
  return { dir, pipelines, models, graph, diagnostics };
}

/**
 * The custom checks of sql/checks, each added to the checks of the pipeline whose run checks it: the one it
 * names, else the one that loads its table or, for a gold table, the one pipeline the table is built from.
 */
async function loadSqlChecks(dir: string, pipelines: Pipeline[], models: SqlModel[]): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const files = await listFiles(dir, SQL_CHECKS_DIR, /\.sql$/);
  if (files.length === 0) return diagnostics;
  const graph = buildGraph(pipelines, models);
  for (const file of files) {
    const read = readConfigFile(dir, file, MODEL_FILE_LIMIT);
    if (read.diagnostic) {
      diagnostics.push(read.diagnostic);
      continue;
    }
    const parsed = parseSqlCheck(file, read.text);
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.found) continue;
    const { check, pipeline: named } = parsed.found;
    const at = (message: string): Diagnostic => ({ file, line: 1, col: 1, severity: 'error', message });
    if (!graph.get(check.table)) {
      diagnostics.push(at(`table: unknown table "${check.table}" (known: ${nameList([...declaredTables(pipelines, models).keys()].sort(), 50)})`));
      continue;
    }
    const feeding = [...new Set([...graph.upstream([check.table])].flatMap((n) => graph.ownerOf(n) ?? []))].sort();
    const owner = named ?? (feeding.length === 1 ? feeding[0] : undefined);
    const pipeline = pipelines.find((p) => p.name === owner);
    if (!pipeline) {
      diagnostics.push(at(named !== undefined
        ? `pipeline: unknown pipeline "${named}" (pipelines: ${nameList(pipelines.map((p) => p.name))})`
        : `${check.table} is built from ${feeding.length ? `several pipelines (${feeding.join(', ')})` : 'no pipeline'}: say whose run checks it (e.g. -- pipeline: ${feeding[0] ?? pipelines[0]?.name ?? 'retail_pos'})`));
      continue;
    }
    pipeline.checks.push(check);
  }
  return diagnostics;
}

async function listFiles(root: string, sub: string, pattern: RegExp): Promise<string[]> {
  try {
    const names = await readdir(join(root, sub));
    return names.filter((n) => pattern.test(n)).sort().map((n) => `${sub}/${n}`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw new ConfigError([{ file: sub, line: 1, col: 1, severity: 'error', message: `${sub} is a file; it must be a folder` }]);
    throw e;
  }
}

/** Every table the project defines, schema-qualified, with its columns where they are known statically. */
export function declaredTables(pipelines: Pipeline[], models: SqlModel[]): Map<string, string[] | undefined> {
  const tables = new Map<string, string[] | undefined>();
  for (const p of pipelines) {
    for (const r of p.source.resources) tables.set(`bronze.${bronzeTableName(p.name, r.name)}`, ['_batch_id', '_source', '_fetched_at', '_record_hash', '_record']);
    for (const t of p.silver) tables.set(`silver.${t.name}`, [...t.columns.map((c) => c.name), ...(t.history ? HISTORY_COLUMNS : []), '_batch_id', '_record_hash', '_loaded_at']);
  }
  for (const m of models) tables.set(m.name, undefined);
  return tables;
}

function projectRules(pipelines: Pipeline[], sources: Map<string, YamlSource>, models: SqlModel[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seenPipelines = new Map<string, Pipeline>();
  const seenSilver = new Map<string, Pipeline>();
  for (const p of pipelines) {
    const yaml = sources.get(p.name)!;
    const other = seenPipelines.get(p.name);
    if (other) out.push(yaml.diagnosticFor(['name'], `pipeline name "${p.name}" is already used by ${other.file}`));
    seenPipelines.set(p.name, p);
    for (const t of p.silver) {
      const owner = seenSilver.get(t.name);
      if (owner && owner !== p) out.push(yaml.diagnosticFor(['silver', t.name], `silver table "${t.name}" is already defined in ${owner.file}`, { key: true }));
      seenSilver.set(t.name, p);
    }
  }
  for (const p of pipelines) {
    const problem = p.schedule ? cronProblem(p.schedule) : null;
    if (problem) out.push(sources.get(p.name)!.diagnosticFor(['schedule'], `schedule: ${JSON.stringify(p.schedule)} is not a valid cron expression (${problem})`));
  }
  const tables = declaredTables(pipelines, models);
  const known = nameList([...tables.keys()].sort(), 50);
  const columnSets = new Map([...tables].map(([table, columns]) => [table, columns && new Set(columns)]));
  for (const p of pipelines) {
    const yaml = sources.get(p.name)!;
    const checked = new Set(p.checks.map((c) => c.table));
    for (const table of new Set([...checked, ...p.freshness.map((f) => f.table)])) {
      if (!tables.has(table)) {
        const section = checked.has(table) ? 'checks' : 'freshness';
        out.push(yaml.diagnosticFor([section, table], `${section}: unknown table "${table}" (known: ${known})`, { key: true }));
      }
    }
    p.checks.forEach((check) => {
      const columns = columnSets.get(check.table);
      if (!columns) return;
      for (const column of checkColumns(check.spec)) {
        if (!columns.has(column)) {
          out.push({ file: p.file, line: check.line, col: 1, severity: 'error', message: `checks.${check.table}: unknown column "${column}" (columns: ${nameList(tables.get(check.table)!)})` });
        }
      }
      if (check.spec.kind === 'relationships' && !tables.has(check.spec.to.table)) {
        out.push({ file: p.file, line: check.line, col: 1, severity: 'error', message: `checks.${check.table}: relationships.to names unknown table "${check.spec.to.table}" (known: ${known})` });
      }
    });
  }
  for (const m of models) {
    const locate = lineLocator(m.text);
    for (const ref of m.references) {
      if (!tables.has(ref.table)) {
        out.push({ file: m.file, ...locate(ref.offset), severity: 'error', message: `unknown table "${ref.table}" (known: ${known})` });
      } else if (m.layer === 'silver' && ref.table.startsWith('gold.')) {
        out.push({ file: m.file, ...locate(ref.offset), severity: 'error', message: `${ref.table}: a silver model reads bronze and silver tables; gold is built from silver, after it` });
      }
    }
  }
  out.push(...silverModelRules(pipelines, sources, models));
  return out;
}

/**
 * A silver SQL model and a pipeline's silver table never share a name (an error at both), and each
 * silver model reads the bronze of exactly one pipeline, whose run builds it.
 */
function silverModelRules(pipelines: Pipeline[], sources: Map<string, YamlSource>, models: SqlModel[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const mapped = new Map<string, Pipeline>(pipelines.flatMap((p) => p.silver.map((t) => [`silver.${t.name}`, p] as const)));
  const silverModels = models.filter((m) => m.layer === 'silver');
  for (const m of silverModels) {
    const pipeline = mapped.get(m.name);
    if (!pipeline) continue;
    const table = m.name.slice('silver.'.length);
    out.push({ file: m.file, line: 1, col: 1, severity: 'error', message: `${m.name} is also a silver table of pipeline ${pipeline.name} (${pipeline.file}): a table is declared once, by a mapping or by a SQL model` });
    out.push(sources.get(pipeline.name)!.diagnosticFor(['silver', table], `silver table "${table}" is also declared by ${m.file}: a table is declared once, by a mapping or by a SQL model`, { key: true }));
  }
  const owners = silverModelOwners(pipelines, silverModels);
  for (const m of silverModels) {
    const found = owners.get(m.name);
    if (!found) continue;
    const locate = lineLocator(m.text);
    if (found.size === 0) {
      out.push({ file: m.file, line: 1, col: 1, severity: 'error', message: `${m.name} reads no pipeline's bronze table, directly or through silver: a silver model is built by the run of the pipeline whose bronze it reads; a model over other models belongs in sql/gold` });
    } else if (found.size > 1) {
      const [, second] = [...found.values()];
      const ref = m.references.find((r) => r.table === second)!;
      const via = [...found].map(([pipeline, table]) => `${pipeline} (${table})`).join(', ');
      out.push({ file: m.file, ...locate(ref.offset), severity: 'error', message: `${m.name} reads tables of several pipelines: ${via}; a silver model belongs to one pipeline, whose run builds it: read the others' tables from a model in sql/gold` });
    }
  }
  return out;
}

export { checkColumns };
