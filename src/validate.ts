// `dataops validate`: every pipeline and SQL file, without touching the warehouse. After the static
// rules, the models (silver, then gold, in the graph's order) are planned for real on an empty in-memory
// DuckDB built from the pipelines' declared tables, which catches SQL errors and unknown columns with the
// file and line. Report pages (reports/**/*.md) are checked the same way: their queries planned on that
// database after the models, their components' columns against what each query gives.
import { checkColumns, declaredTables, loadProject, type Project } from './project.js';
import type { Env } from './config/pipeline.js';
import type { SqlModel } from './config/sql-model.js';
import { byPosition, capDiagnostics, nameList, type Diagnostic } from './errors.js';
import { bronzeDdl } from './ingest/bronze.js';
import { bronzeTableName, type DeclaredCheck } from './config/types.js';
import { checkName, failingRowsSql } from './quality/check-kinds.js';
import { modelDiagnostic } from './models/gold.js';
import { bronzeInput, restrictToBatches } from './models/batch-model.js';
import type { ModelNode } from './graph/graph.js';
import { silverDdl } from './models/silver.js';
import { ensureMetaSchema } from './state/meta.js';
import { DuckDBWarehouse } from './warehouse/duckdb.js';
import { sqlString } from './warehouse/adapter.js';
import { loadReports, planReports, type ReportFile } from './reports/index.js';

export interface Validation {
  project: Project;
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

export async function validateProject(dir: string, env: Env = process.env, options: { allowMissingEnv?: boolean } = {}): Promise<Validation> {
  const project = await loadProject(dir, env);
  const found = project.diagnostics.map((d) => (options.allowMissingEnv && d.code === 'env_unset' ? { ...d, severity: 'warning' as const } : d));
  const { reports, diagnostics: reportProblems } = await loadReports(project);
  const blocking = found.some((d) => d.severity === 'error');
  found.push(...reportProblems);
  if (!blocking) found.push(...(await planModels(project, reports)));
  // A file with thousands of problems shows its first ones and a count: the output stays readable and bounded.
  const diagnostics = capDiagnostics(withoutFollowOnErrors(project, found)).sort(byPosition);
  return {
    project,
    diagnostics,
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

/**
 * A model whose file does not load (a typo in its options, say) is no table, so every check, model and report
 * that reads it would add an "unknown table" error, burying the one line that says what is wrong. Those are left
 * out; the model's own errors stay, and fixing them brings the rest back to be checked.
 */
function withoutFollowOnErrors(project: Project, diagnostics: Diagnostic[]): Diagnostic[] {
  const loaded = new Set(project.models.map((m) => m.file));
  const unloaded = new Set(
    diagnostics
      .filter((d) => d.severity === 'error' && !loaded.has(d.file))
      .map((d) => /^sql\/(silver|gold)\/([a-z0-9_]+)\.sql$/.exec(d.file))
      .filter((m) => m !== null)
      .map((m) => `${m[1]}.${m[2]}`),
  );
  if (unloaded.size === 0) return diagnostics;
  return diagnostics.filter((d) => {
    const table = /unknown table "([^"]+)"/.exec(d.message)?.[1];
    return table === undefined || !unloaded.has(table);
  });
}

async function planModels(project: Project, reports: readonly ReportFile[]): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const warehouse = await DuckDBWarehouse.open(':memory:');
  try {
    await ensureMetaSchema(warehouse);
    for (const p of project.pipelines) {
      for (const r of p.source.resources) await warehouse.execute(bronzeDdl(bronzeTableName(p.name, r.name), warehouse));
      for (const t of p.silver) await warehouse.execute(silverDdl(t, warehouse.dialect));
    }
    const models = project.graph.order.map((name) => project.graph.get(name)!).filter((n): n is ModelNode => 'model' in n);
    for (const node of models) {
      const { model } = node;
      // Snowflake SQL outside the subset the project runs the same on both warehouses is refused here,
      // with the construct and its line. A model incremental by batch is planned as each run reads it.
      const select = node.kind === 'incremental_by_batch' ? restrictToBatches(model.select, bronzeInput(node).reference, ['validate']) : model.select;
      const translated = warehouse.translate(select, model.file);
      out.push(...translated.diagnostics);
      if (translated.diagnostics.some((d) => d.severity === 'error')) continue;
      try {
        // LIMIT 0 on an empty database: the plan is checked, nothing is computed.
        await warehouse.execute(`${planPrefix(model.name)}${translated.sql}\n) AS model LIMIT 0`);
      } catch (e) {
        out.push(modelDiagnostic(model, (e as Error).message, planPrefix(model.name).length));
        continue;
      }
      out.push(...optionColumnProblems(model, await planColumns(warehouse, model.name)));
    }
    // Now the gold tables' columns are known too: check that every check names real columns.
    const tables = declaredTables(project.pipelines, project.models);
    const known = new Map<string, string[]>();
    const columnsOf = async (table: string) => known.get(table) ?? known.set(table, await planColumns(warehouse, table)).get(table)!;
    for (const p of project.pipelines) {
      for (const check of p.checks) {
        if (tables.get(check.table) !== undefined) continue;
        const columns = await columnsOf(check.table);
        if (columns.length === 0) continue;
        const wanted = [...checkColumns(check.spec)];
        if (check.spec.kind === 'relationships') {
          const target = check.spec.to;
          const targetColumns = await columnsOf(target.table);
          if (targetColumns.length && !targetColumns.includes(target.column)) {
            out.push({ file: p.file, line: check.line, col: 1, severity: 'error', message: `checks.${check.table}: relationships.to: "${target.column}" is not a column of ${target.table} (columns: ${nameList(targetColumns)})` });
          }
        }
        for (const column of wanted) {
          if (!columns.includes(column)) {
            out.push({ file: p.file, line: check.line, col: 1, severity: 'error', message: `checks.${check.table}: unknown column "${column}" (columns: ${nameList(columns)})` });
          }
        }
      }
    }
    // The checks' SQL (a pattern, an expression, a custom check's SELECT) planned on those tables too.
    // A freshness SLA on a model's table (gold's is what stakeholders see) names one of its columns.
    for (const p of project.pipelines) {
      for (const f of p.freshness) {
        if (tables.get(f.table) !== undefined) continue;
        const columns = await columnsOf(f.table);
        if (columns.length && !columns.includes(f.field)) {
          out.push({ file: p.file, line: f.line, col: 1, severity: 'error', message: `freshness.${f.table}.field: "${f.field}" is not a column of ${f.table} (columns: ${nameList(columns)})` });
        }
      }
    }
    // A table that could not be planned has its own error already.
    for (const p of project.pipelines) {
      // Only the SQL a user writes: a generated check's columns were checked above.
      const written = p.checks.filter((c) => c.spec.kind === 'expression' || c.spec.kind === 'sql');
      for (const check of written) if ((await columnsOf(check.table)).length > 0) out.push(...(await planCheck(warehouse, p.file, check)));
    }
    // Last, the report pages' queries, which may read any of those tables.
    out.push(...(await planReports(warehouse, reports)));
  } finally {
    await warehouse.close();
  }
  return out;
}

const planPrefix = (table: string): string => `CREATE TABLE ${table} AS SELECT * FROM (`;

/**
 * A check's failing-rows SQL, translated and planned (LIMIT 0). A custom check's problems are placed in its
 * file; a check of a pipeline file at its line there (its SQL is generated, so a column says little).
 */
async function planCheck(warehouse: DuckDBWarehouse, pipelineFile: string, check: DeclaredCheck): Promise<Diagnostic[]> {
  const custom = check.spec.kind === 'sql' ? { file: check.file ?? pipelineFile, text: check.spec.select } : undefined;
  const here = (d: Pick<Diagnostic, 'message'>): Diagnostic => ({ file: pipelineFile, line: check.line, col: 1, severity: 'error', message: `checks.${check.table}: ${checkName(check.spec)}: ${d.message}` });
  const translated = warehouse.translate(failingRowsSql(check.table, check.spec), custom?.file);
  const errors = translated.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return custom ? errors : errors.map(here);
  try {
    await warehouse.query(`SELECT * FROM (${translated.sql}\n) AS failing LIMIT 0`);
    return [];
  } catch (e) {
    const message = (e as Error).message;
    return [custom ? modelDiagnostic(custom, message) : here({ message: message.split('\n')[0] })];
  }
}

/**
 * unique_key, time_column, latest_by and sensitive must name columns the model's SELECT gives, at the option's line;
 * a model incremental by batch gives bronze's _batch_id too.
 */
function optionColumnProblems(model: SqlModel, columns: string[]): Diagnostic[] {
  const { unique_key: key = [], time_column: time, latest_by: latest, materialized } = model.options;
  const sensitive = Object.keys(model.options.sensitive ?? {}).map((c) => ['sensitive', c] as const);
  const named = [...key.map((c) => ['unique_key', c] as const), ...(time ? [['time_column', time] as const] : []), ...(latest ? [['latest_by', latest] as const] : []), ...sensitive];
  const lines = model.text.split('\n');
  const problems: Diagnostic[] = named
    .filter(([, column]) => !columns.includes(column))
    .map(([option, column]) => {
      const line = lines.findIndex((l) => new RegExp(`^\\s*--\\s*${option}\\s*:`).test(l)) + 1;
      return { file: model.file, line, col: 1, severity: 'error', message: `${option}: "${column}" is not a column of ${model.name} (columns: ${columns.join(', ')})` };
    });
  if (materialized === 'incremental_by_batch' && !columns.includes('_batch_id')) {
    const line = lines.findIndex((l) => /^\s*--\s*materialized\s*:/.test(l)) + 1;
    problems.push({
      file: model.file, line, col: 1, severity: 'error',
      message: `materialized: incremental_by_batch: ${model.name} must give bronze's _batch_id as a column (SELECT ..., _batch_id FROM bronze...): it says which batch each row came from, so a batch read again replaces its own rows and the later batch's version of a key wins`,
    });
  }
  return problems;
}

/** The columns of a schema-qualified table in the planning database, in table order. */
async function planColumns(warehouse: DuckDBWarehouse, qualified: string): Promise<string[]> {
  const [schema, table] = qualified.split('.');
  const rows = await warehouse.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = ${sqlString(schema)} AND table_name = ${sqlString(table)} ORDER BY ordinal_position`,
  );
  return rows.map((r) => r.column_name);
}
