// A model is one SQL file under sql/<layer>/: a single SELECT that a user could paste into Snowsight.
// The layer folder decides the schema and materialization (gold: a table rebuilt each run); the
// tables it reads are found from its schema-qualified names.
import type { Diagnostic } from '../errors.js';

export interface TableReference {
  table: string;
  /** Offset of the reference in the file text. */
  offset: number;
}

export interface SqlModel {
  /** gold.<file name> */
  name: string;
  layer: 'gold';
  /** Project-relative path, e.g. sql/gold/fact_sales.sql. */
  file: string;
  text: string;
  /** The SELECT, without a trailing semicolon. */
  select: string;
  references: TableReference[];
}

const REFERENCE = /\b(bronze|silver|gold)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\b/g;

export function parseModel(file: string, text: string): { model?: SqlModel; diagnostics: Diagnostic[] } {
  const name = file.replace(/^.*\//, '').replace(/\.sql$/, '');
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number, message: string): Diagnostic => ({ file, ...position(text, offset), message, severity: 'error' });
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    diagnostics.push(at(0, `model file name "${name}" must be lower_snake_case: it becomes the table name`));
  }
  const code = blankOutCommentsAndStrings(text);
  const statements = code.split(';').filter((s) => s.trim() !== '');
  if (statements.length !== 1) {
    diagnostics.push(at(0, `expected exactly one SELECT statement, found ${statements.length}`));
  } else if (!/^\s*(select|with)\b/i.test(statements[0])) {
    diagnostics.push(at(code.search(/\S/), 'expected a SELECT (or WITH ... SELECT) statement'));
  }
  const references: TableReference[] = [];
  for (const match of code.matchAll(REFERENCE)) {
    references.push({ table: `${match[1].toLowerCase()}.${match[2].toLowerCase()}`, offset: match.index });
  }
  if (diagnostics.length) return { diagnostics };
  const end = code.lastIndexOf(';');
  const select = (end >= 0 && code.slice(end + 1).trim() === '' ? text.slice(0, end) : text).trimEnd();
  return { model: { name: `gold.${name}`, layer: 'gold', file, text, select, references }, diagnostics };
}

export function position(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

/** Replaces comments and string literals with spaces, keeping offsets, so names inside them are ignored. */
function blankOutCommentsAndStrings(text: string): string {
  return text.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"/g, (m) =>
    m.startsWith('"') ? m : m.replace(/[^\n]/g, ' '),
  );
}
