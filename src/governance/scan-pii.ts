// `dataops scan-pii`: reads a sample of each silver and gold table and suggests the columns that look like
// personal data (governance/pii-detectors.ts), with the share of sampled values that matched and the file
// where to declare them. It only reads: declaring a column stays a reviewed change to a pipeline or a model.
// Columns already declared sensitive (or inherited by name, governance/read-masking.ts) are skipped.
import { META_COLUMNS } from '../diff/table-diff.js';
import { nameList, UsageError } from '../errors.js';
import type { Project } from '../project.js';
import { formatCount } from '../report/format.js';
import type { Warehouse } from '../warehouse/adapter.js';
import { PII_DETECTORS, PII_KINDS, type PiiKind } from './pii-detectors.js';
import type { MaskRuleName } from './masking.js';
import { sensitiveTables } from './read-masking.js';

export const DEFAULT_PII_SAMPLE = 1000;
export const MAX_PII_SAMPLE = 100_000;
/** A column is suggested when at least this share of its sampled non-empty values match a kind. */
export const MIN_PII_SHARE = 0.5;

export interface PiiSuggestion {
  table: string;
  column: string;
  kind: PiiKind;
  describe: string;
  /** Sampled non-empty values that matched, of `values`. */
  matched: number;
  values: number;
  share: number;
  rule: MaskRuleName;
  /** The pipeline or model file that declares the table, and what to write there. */
  file: string;
  declare: string;
}

export interface PiiScanReport {
  sample_rows: number;
  tables: Array<{ table: string; built: boolean; sampled_rows: number; declared: string[] }>;
  suggestions: PiiSuggestion[];
}

/** How a sample of N rows is read, by warehouse kind: a random one where the warehouse draws it. */
const SAMPLE_SQL: Record<string, (table: string, rows: number) => string> = {
  duckdb: (t, n) => `SELECT * FROM ${t} USING SAMPLE reservoir(${n} ROWS) REPEATABLE (15)`,
  snowflake: (t, n) => `SELECT * FROM ${t} SAMPLE (${n} ROWS)`,
};

export async function scanPii(warehouse: Warehouse, project: Pick<Project, 'graph' | 'pipelines' | 'models'>, options: { table?: string; sample?: number } = {}): Promise<PiiScanReport> {
  const sample = options.sample ?? DEFAULT_PII_SAMPLE;
  if (!Number.isInteger(sample) || sample < 1 || sample > MAX_PII_SAMPLE) throw new UsageError(`--sample: expected a whole number of rows from 1 to ${MAX_PII_SAMPLE}, got ${sample}`);
  const nodes = [...project.graph.nodes('silver'), ...project.graph.nodes('gold')];
  const wanted = options.table?.toLowerCase();
  if (wanted !== undefined && !nodes.some((n) => n.name === wanted)) {
    throw new UsageError(`--table ${options.table}: not a silver or gold table of the project (tables: ${nameList(nodes.map((n) => n.name).sort(), 30)})`);
  }
  const declared = sensitiveTables(project.pipelines, project.models);
  const readSample = SAMPLE_SQL[warehouse.kind] ?? ((t: string, n: number) => `SELECT * FROM ${t} LIMIT ${n}`);
  const report: PiiScanReport = { sample_rows: sample, tables: [], suggestions: [] };
  for (const node of nodes.filter((n) => wanted === undefined || n.name === wanted)) {
    const skip = [...(declared.get(node.name)?.keys() ?? [])];
    if (!(await warehouse.tableExists(node.name))) {
      report.tables.push({ table: node.name, built: false, sampled_rows: 0, declared: [] });
      continue;
    }
    const rows = await warehouse.query(readSample(node.name, sample));
    const columns = new Map<string, string[]>();
    for (const row of rows) {
      for (const [key, value] of Object.entries(row)) {
        const column = /^[A-Z_][A-Z0-9_$]*$/.test(key) ? key.toLowerCase() : key;
        const text = valueText(value);
        if (!columns.has(column)) columns.set(column, []);
        if (text !== undefined) columns.get(column)!.push(text);
      }
    }
    // A column inherited by name that the model does not give is not one of its own.
    report.tables.push({ table: node.name, built: true, sampled_rows: rows.length, declared: skip.filter((c) => columns.has(c) || rows.length === 0) });
    for (const [column, values] of columns) {
      if (skip.includes(column) || (META_COLUMNS as readonly string[]).includes(column) || values.length === 0) continue;
      const found = detect(node.name, column, values);
      if (!found) continue;
      const { file, declare } = whereToDeclare(node, column, PII_DETECTORS[found.kind].rule);
      report.suggestions.push({ table: node.name, column, kind: found.kind, describe: PII_DETECTORS[found.kind].describe, matched: found.matched, values: values.length, share: found.matched / values.length, rule: PII_DETECTORS[found.kind].rule, file, declare });
    }
  }
  return report;
}

/** The kind most of the values match (at least MIN_PII_SHARE of them), the column's name agreeing where a kind needs it. */
function detect(table: string, column: string, values: readonly string[]): { kind: PiiKind; matched: number } | undefined {
  let best: { kind: PiiKind; matched: number } | undefined;
  for (const kind of PII_KINDS) {
    const detector = PII_DETECTORS[kind];
    if (detector.named && !detector.named(column, table)) continue;
    const matched = values.filter((v) => detector.matches(v)).length;
    if (matched / values.length >= MIN_PII_SHARE && matched > (best?.matched ?? 0)) best = { kind, matched };
  }
  return best;
}

/** A text or a number as the text a detector reads; anything else (dates, booleans, JSON) is not scanned. */
function valueText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

function whereToDeclare(node: ReturnType<Project['graph']['nodes']>[number], column: string, rule: MaskRuleName): { file: string; declare: string } {
  if ('table' in node) return { file: node.file, declare: `silver: ${node.table.name}: columns: ${column}: add sensitive: true, mask: ${rule}` };
  return { file: node.file, declare: `-- sensitive: ${column} (${rule}) in its leading comment block` };
}

export function renderPiiScanText(report: PiiScanReport): string {
  const built = report.tables.filter((t) => t.built);
  const lines = [`Scanned ${formatCount(built.length)} table${built.length === 1 ? '' : 's'}, a sample of up to ${formatCount(report.sample_rows)} rows each. Nothing was changed.`];
  if (report.suggestions.length === 0) lines.push('No column looks sensitive beyond those declared.');
  else lines.push('', `${formatCount(report.suggestions.length)} column${report.suggestions.length === 1 ? '' : 's'} look${report.suggestions.length === 1 ? 's' : ''} sensitive:`);
  for (const s of report.suggestions) {
    lines.push(`  ${s.table}.${s.column}: ${s.describe}, ${Math.round(s.share * 100)}% of ${formatCount(s.values)} sampled values`);
    lines.push(`    declare it in ${s.file}: ${s.declare}`);
  }
  const declared = report.tables.flatMap((t) => t.declared.map((c) => `${t.table}.${c}`));
  if (declared.length) lines.push('', `Already declared sensitive (not scanned): ${declared.join(', ')}`);
  const missing = report.tables.filter((t) => !t.built).map((t) => t.table);
  if (missing.length) lines.push('', `Not built yet (run the pipelines first): ${missing.join(', ')}`);
  return lines.join('\n');
}
