// A model is one SQL file under sql/<layer>/: a single SELECT that a user could paste into Snowsight.
// The layer folder (sql/silver, sql/gold) decides the schema; its leading comment block may set how it is
// materialised (config/model-options.ts); the tables it reads are found from its schema-qualified names.
import { lineLocator, type Diagnostic } from '../errors.js';
import { batchSqlProblems } from './batch-sql.js';
import { modelDocs, type ModelDocs } from './model-docs.js';
import { parseModelOptions, type ModelLayer, type ModelOptions } from './model-options.js';

export interface TableReference {
  table: string;
  /** Offset of the reference in the file text. */
  offset: number;
  /** Its length there (`bronze . x` is longer than its name). */
  length: number;
}

export interface SqlModel {
  /** <layer>.<file name> */
  name: string;
  layer: ModelLayer;
  /** Project-relative path, e.g. sql/gold/fact_sales.sql. */
  file: string;
  text: string;
  /** The SELECT, without a trailing semicolon. */
  select: string;
  references: TableReference[];
  /** From the leading comment block; `materialized: table` when it sets none. */
  options: ModelOptions;
  /** The leading comment block's prose and the select items' trailing comments (config/model-docs.ts); not part of its definition. */
  docs: ModelDocs;
}

// Unquoted names are case-insensitive in Snowflake: FROM Silver.Stores reads silver.stores.
const REFERENCE = /\b(bronze|silver|gold)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\b/gi;

/** The layer is the folder the file is in: sql/silver or sql/gold. */
export function parseModel(file: string, text: string): { model?: SqlModel; diagnostics: Diagnostic[] } {
  const name = file.replace(/^.*\//, '').replace(/\.sql$/, '');
  const layer: ModelLayer = /(^|\/)silver\/[^/]*$/.test(file) ? 'silver' : 'gold';
  const diagnostics: Diagnostic[] = [];
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    diagnostics.push({ file, line: 1, col: 1, severity: 'error', message: `model file name "${name}" must be lower_snake_case: it becomes the table name` });
  }
  const statement = parseSelect(file, text);
  diagnostics.push(...statement.diagnostics);
  const { options, diagnostics: optionProblems } = parseModelOptions(file, text, layer);
  diagnostics.push(...optionProblems);
  const { references, select } = statement;
  if (diagnostics.length === 0 && options.materialized === 'incremental_by_batch') diagnostics.push(...batchSqlProblems(file, text, references));
  if (diagnostics.length) return { diagnostics };
  return { model: { name: `${layer}.${name}`, layer, file, text, select, references, options, docs: modelDocs(text) }, diagnostics };
}

/** A file's one SELECT (without a trailing semicolon) and the tables it reads. */
export function parseSelect(file: string, text: string): { select: string; references: TableReference[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number, message: string): Diagnostic => ({ file, ...position(text, offset), message, severity: 'error' });
  const code = blankOutCommentsAndStrings(text);
  const statements = code.split(';').filter((s) => s.trim() !== '');
  if (statements.length !== 1) {
    diagnostics.push(at(0, `expected exactly one SELECT statement, found ${statements.length}`));
  } else if (!/^\s*(select|with)\b/i.test(statements[0])) {
    diagnostics.push(at(code.search(/\S/), 'expected a SELECT (or WITH ... SELECT) statement'));
  }
  const references: TableReference[] = [];
  for (const match of code.matchAll(REFERENCE)) {
    references.push({ table: `${match[1].toLowerCase()}.${match[2].toLowerCase()}`, offset: match.index, length: match[0].length });
  }
  const end = code.lastIndexOf(';');
  const select = (end >= 0 && code.slice(end + 1).trim() === '' ? text.slice(0, end) : text).trimEnd();
  return { select, references, diagnostics };
}

export function position(text: string, offset: number): { line: number; col: number } {
  return lineLocator(text)(offset);
}

/** Replaces comments and string literals with spaces, keeping offsets, so names inside them are ignored. */
export function blankOutCommentsAndStrings(text: string): string {
  return text.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"/g, (m) =>
    m.startsWith('"') ? m : m.replace(/[^\n]/g, ' '),
  );
}
