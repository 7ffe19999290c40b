// `dataops diff` without the command line: which tables of the project to compare and by which key,
// and how the two sides are opened (the target is the changed side; the base is read through it).
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { loadProject, type Project } from '../project.js';
import type { Settings } from '../engine.js';
import { ConfigError, UsageError, WarehouseError } from '../errors.js';
import { registerSourceSecrets as registerHttpSecrets } from '../sources/http-auth.js';
import type { Warehouse } from '../warehouse/adapter.js';
import { openDuckDBWhenFree } from '../warehouse/duckdb-lock.js';
import { touchedTables, type ChangedTable } from '../models/change-plan.js';
import type { DiffReport } from './render.js';
import { MASK_RULES, type MaskRuleName } from '../governance/masking.js';
import { sensitiveTables } from '../governance/read-masking.js';
import { diffTables, parseTableName, type DiffBase, type DiffOptions, type DiffSample, type TableDiff, type TableToDiff } from './table-diff.js';

/** The alias the base DuckDB file is attached under, read-only. */
export const DUCKDB_BASE_ALIAS = 'dataops_diff_base';

/**
 * Every silver and gold table of the project with its key: a silver mapping's `key` from its pipeline
 * file (with valid_from when it keeps history), a SQL model's `unique_key` option (or `modelKeys`, schema-qualified name -> columns, first).
 */
export function projectTablesToDiff(project: Project, modelKeys: Readonly<Record<string, readonly string[]>> = {}): TableToDiff[] {
  return [...project.graph.nodes('silver'), ...project.graph.nodes('gold')].map((n) =>
    // A table with history holds a row per version: the key and when the version began name one.
    'table' in n ? { table: n.name, key: n.table.history ? [...n.table.key, 'valid_from'] : n.table.key } : { table: n.name, key: modelKeys[n.name] ?? n.model.options.unique_key },
  );
}

export interface ProjectDiffOptions extends DiffOptions {
  /** The base side: a DuckDB file (relative to the project folder, as --database is), or a Snowflake database. */
  base: string;
  /** schema.table names; none: every silver and gold table of the project that is on either side. */
  tables?: readonly string[];
  /**
   * In place of `tables`: the plan of a change (`dataops diff --changes-from`), whose tables and what they
   * rebuild are compared, a table it adds as new. Those on neither side were not built here; they are
   * listed in the report's `not_built`, not an error.
   */
  changes?: readonly ChangedTable[];
  modelKeys?: Readonly<Record<string, readonly string[]>>;
  /** Where "waiting for ..." lines go. */
  log?: (line: string) => void;
}

export async function diffProject(settings: Settings, options: ProjectDiffOptions): Promise<DiffReport> {
  const project = await loadProject(settings.projectDir, settings.env);
  const failures = project.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'env_unset');
  if (failures.length) throw new ConfigError(failures);
  registerSourceSecrets(project);
  const declared = projectTablesToDiff(project, options.modelKeys);
  if (options.changes && options.tables?.length) throw new UsageError('name the tables to compare, or give the change they are read from, not both');
  const named = options.changes ? touchedTables(options.changes) : options.tables?.length ? options.tables : undefined;
  const added = new Set(options.changes?.filter((c) => c.change === 'added').map((c) => c.table));
  const requests: TableToDiff[] = named
    ? named.map((table) => {
        parseTableName(table);
        const request = declared.find((d) => d.table === table.toLowerCase()) ?? { table };
        return added.has(table) ? { ...request, newInChange: true } : request;
      })
    : declared;
  const sides = await openDiffSides(settings, options.base, options.log);
  try {
    const tables = requests.length ? await diffTables(sides.warehouse, sides.base, requests, options) : [];
    const missing = tables.filter((t) => !t.exists.base && !t.exists.changed);
    const sensitive = sensitiveTables(project.pipelines, project.models);
    const shown = tables.filter((t) => t.exists.base || t.exists.changed).map((t) => maskDiffSamples(t, sensitive.get(t.table)));
    const report: DiffReport = { base: sides.labels.base, changed: sides.labels.changed, tables: shown };
    if (options.changes) return { ...report, not_built: missing.map((t) => t.table) };
    if (named && missing.length) {
      throw new UsageError(`${missing.map((t) => t.table).join(', ')}: on neither side (${sides.labels.base}, ${sides.labels.changed})`);
    }
    return report;
  } finally {
    await sides.warehouse.close();
  }
}

/**
 * The samples with the table's sensitive columns masked by their rules: a diff goes to a pull request's
 * comment, read by people. Its comparison ran on clear values (a changed email counts as a change).
 */
export function maskDiffSamples(diff: TableDiff, columns: ReadonlyMap<string, MaskRuleName> | undefined): TableDiff {
  if (!columns?.size) return diff;
  const value = (column: string, v: string | null): string | null => {
    const rule = columns.get(column.toLowerCase());
    return rule === undefined || v === null ? v : (MASK_RULES[rule].mask(v) as string | null);
  };
  const masked = (row: Record<string, string | null>) => Object.fromEntries(Object.entries(row).map(([c, v]) => [c, value(c, v)]));
  const samples = diff.samples.map((s): DiffSample =>
    s.kind === 'changed'
      ? { ...s, key: masked(s.key), changes: s.changes.map((c) => ({ ...c, before: value(c.column, c.before), after: value(c.column, c.after) })) }
      : { ...s, row: masked(s.row) });
  return { ...diff, samples };
}

/** Source credentials that may have reached the data (an echoed token) are masked in the samples too. */
function registerSourceSecrets(project: Project): void {
  for (const p of project.pipelines) if (p.source.kind === 'http') registerHttpSecrets(p.source);
}

export interface DiffSides {
  /** The changed side's connection, which also reads the base side. */
  warehouse: Warehouse;
  base: DiffBase;
  labels: { base: string; changed: string };
}

/**
 * The changed side is the target as every command opens it, but nothing is written to it (not even the
 * meta schema). The base is a DuckDB file attached read-only, or a Snowflake database in the same account.
 */
export async function openDiffSides(settings: Settings, base: string, log?: (line: string) => void): Promise<DiffSides> {
  if (settings.target === 'snowflake') {
    if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(base)) throw new UsageError(`--base ${JSON.stringify(base)}: expected the production database's name (a plain identifier, e.g. ANALYTICS)`);
    const { openSnowflakeFromEnv, snowflakeSettingsFromEnv } = await import('../warehouse/snowflake.js');
    const changed = snowflakeSettingsFromEnv(settings.env, settings.snowflakeEnvNames).database;
    if (changed.toUpperCase() === base.toUpperCase()) throw new UsageError(`--base ${base} is the database being compared; point SNOWFLAKE_DATABASE at the pull request's clone (dataops env create)`);
    const warehouse = await openSnowflakeFromEnv(settings.env, { names: settings.snowflakeEnvNames });
    return { warehouse, base: { catalog: base.toUpperCase() }, labels: { base: `Snowflake database ${base.toUpperCase()}`, changed: warehouse.location } };
  }
  const basePath = isAbsolute(base) ? base : resolve(settings.projectDir, base);
  if (settings.database === ':memory:' || !existsSync(settings.database)) {
    throw new UsageError(`no DuckDB database at ${settings.database}: nothing to compare (build the pull request's tables first, or name its copy with --database)`);
  }
  if (!existsSync(basePath)) throw new UsageError(`--base ${base}: no DuckDB database at ${basePath}`);
  if (realpathSync(basePath) === realpathSync(settings.database)) throw new UsageError(`--base ${base} is the database being compared (--database ${settings.database})`);
  const warehouse = await openDuckDBWhenFree(settings.database, {
    memoryLimit: settings.duckdbMemoryLimit,
    command: 'diff',
    waitSeconds: settings.readWaitSeconds,
    waitHint: '--wait <duration>',
    log,
  });
  try {
    await warehouse.attachReadOnly(DUCKDB_BASE_ALIAS, basePath);
  } catch (e) {
    await warehouse.close();
    const why = (e as Error).message.split('\n')[0];
    const held = /Conflicting lock is held in (.+?) \(PID (\d+)\)/.exec(why);
    throw new WarehouseError(`cannot open the base database ${basePath} read-only: ${held ? `another process (pid ${held[2]}) has it open` : why}`);
  }
  return { warehouse, base: { catalog: DUCKDB_BASE_ALIAS }, labels: { base: basePath, changed: settings.database } };
}
