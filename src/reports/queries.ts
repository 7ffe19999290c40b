// A report's SQL blocks run as models do: Snowflake SQL, translated for the target by the warehouse's own
// translate() (identity on Snowflake), so a query gives the same rows as `dataops sql` on gold. The SQL is
// padded with blank lines to its place in the .md file, so the warehouse's "LINE n" is the file's line.
import { blankOutCommentsAndStrings } from '../config/sql-model.js';
import { NO_READ_MASKING, type ReadMasker } from '../governance/read-masking.js';
import { WarehouseError, type Diagnostic } from '../errors.js';
import { modelDiagnostic } from '../models/gold.js';
import { metaDdl } from '../state/meta.js';
import type { Warehouse } from '../warehouse/adapter.js';
import type { Row } from './components.js';
import { sqlPosition, type ReportQuery } from './syntax.js';

/** A page that cannot be built, with the place at fault in its .md file. */
export class ReportError extends WarehouseError {
  constructor(readonly diagnostic: Diagnostic) {
    super(`${diagnostic.file}:${diagnostic.line}:${diagnostic.col}: ${diagnostic.message}`);
  }
}

const TABLE_REFERENCE = /\b(bronze|silver|gold|meta)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\b/gi;

/** The meta tables a report may read (run history, check results, ...). */
export const META_TABLES: readonly string[] = metaDdl('TIMESTAMP').flatMap((ddl) => /CREATE TABLE IF NOT EXISTS (meta\.\w+)/.exec(ddl)?.[1] ?? []);

/** The schema-qualified tables a query reads, each with its offset in the SQL. */
export function queryTables(query: ReportQuery): Array<{ table: string; offset: number }> {
  const code = blankOutCommentsAndStrings(query.sql);
  return [...code.matchAll(TABLE_REFERENCE)].map((m) => ({ table: `${m[1]}.${m[2]}`.toLowerCase(), offset: m.index }));
}

/** Problems a query has before it is run: not one SELECT, or a table the project does not define. */
export function queryShapeProblems(file: string, query: ReportQuery, known: ReadonlySet<string>, knownList: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const code = blankOutCommentsAndStrings(query.sql);
  const statements = code.split(';').filter((s) => s.trim() !== '');
  const first = code.search(/\S/);
  if (first < 0) return [{ file, ...query.at, severity: 'error', message: `query "${query.name}" is empty: expected a SELECT` }];
  if (statements.length !== 1 || !/^\s*(select|with)\b/i.test(statements[0])) {
    out.push({ file, ...sqlPosition(query, first), severity: 'error', message: `query "${query.name}": expected exactly one SELECT (or WITH ... SELECT) statement` });
  }
  for (const ref of queryTables(query)) {
    if (!known.has(ref.table)) out.push({ file, ...sqlPosition(query, ref.offset), severity: 'error', message: `unknown table "${ref.table}" (known: ${knownList})` });
  }
  return out;
}

/**
 * The query in the warehouse's SQL, with each ${params.x} bound as a quoted string (never spliced as
 * SQL), at its line in the file. Translation errors are a ReportError.
 */
export function translateQuery(warehouse: Warehouse, file: string, query: ReportQuery, params: Record<string, string>): { text: string; sql: string } {
  let sql = '';
  let from = 0;
  for (const p of query.params) {
    sql += query.sql.slice(from, p.offset) + snowflakeLiteral(params[p.name] ?? '');
    from = p.offset + p.length;
  }
  sql += query.sql.slice(from);
  const code = blankOutCommentsAndStrings(sql);
  const end = code.lastIndexOf(';');
  if (end >= 0 && code.slice(end + 1).trim() === '') sql = sql.slice(0, end);
  const text = '\n'.repeat(query.line - 1) + sql;
  const translated = warehouse.translate(text, file);
  const error = translated.diagnostics.find((d) => d.severity === 'error');
  if (error) throw new ReportError(error);
  return { text, sql: translated.sql };
}

/** Runs a page's query; `maskReads` masks the sensitive columns it reads (governance/read-masking.ts), as a page is read by people. */
export async function runQuery(warehouse: Warehouse, file: string, query: ReportQuery, params: Record<string, string>, maskReads: ReadMasker = NO_READ_MASKING): Promise<Row[]> {
  const { text, sql } = translateQuery(warehouse, file, query, params);
  try {
    return (await warehouse.query(await maskReads(sql))).map(lowerCaseColumns);
  } catch (e) {
    throw new ReportError(modelDiagnostic({ file, text }, (e as Error).message, 0));
  }
}

/** The query's columns without computing it (on an empty planning database, as `validate` does for models). */
export async function planQueryColumns(warehouse: Warehouse, file: string, query: ReportQuery, params: Record<string, string>): Promise<string[]> {
  const { text, sql } = translateQuery(warehouse, file, query, params);
  const prefix = 'DESCRIBE SELECT * FROM (';
  try {
    const rows = await warehouse.query<{ column_name: string }>(`${prefix}${sql}\n) AS report_query`);
    return rows.map((r) => columnName(r.column_name));
  } catch (e) {
    throw new ReportError(modelDiagnostic({ file, text }, (e as Error).message, prefix.length));
  }
}

/** Snowflake keeps unquoted names in upper case; a page names them as written in lower case. */
function lowerCaseColumns(row: Row): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[columnName(key)] = value;
  return out;
}

function columnName(name: string): string {
  return /^[A-Z_][A-Z0-9_$]*$/.test(name) ? name.toLowerCase() : name;
}

/** A Snowflake string literal; line breaks are escaped so the query keeps its lines. */
export function snowflakeLiteral(value: string): string {
  const escaped = value.replace(/[\\'\n\r\t\0]/g, (c) => ({ '\\': '\\\\', "'": "''", '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' })[c]!);
  return `'${escaped}'`;
}
