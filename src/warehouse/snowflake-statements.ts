// What the driver's errors mean (a session gone, a transient failure, a statement refused), and SQL
// split into statements and classified by what they do to a transaction.
import { WarehouseError } from '../errors.js';
import { mask } from '../secrets.js';

/** A statement Snowflake refused or could not run: its error code, SQL state and query id. */
export class SnowflakeWarehouseError extends WarehouseError {
  constructor(
    message: string,
    /** Snowflake's error code, e.g. '002003' (object does not exist), or the driver's (e.g. '401001'). */
    readonly code?: string,
    readonly sqlState?: string,
    readonly queryId?: string,
  ) {
    super(message);
  }
}

export interface DriverError extends Error {
  code?: string | number;
  sqlState?: string;
  data?: { queryId?: string };
}

// The session is gone: log in again (statements sent on it did not run). 401004 is how the driver
// reports Snowflake's "session token invalid" answer to a query.
export const SESSION_GONE = new Set(['390104', '390111', '390112', '390114', '401004']);
// Worth another try: the driver's network and response failures, after its own HTTP retries, and
// Snowflake's "internal error" / "processing aborted" codes.
export const TRANSIENT = new Set(['401001', '401002', '402001', '402002', '000603', '000604', '000630', '390400']);
// The driver's own "connection never established / terminated" codes.
export const NOT_CONNECTED = new Set(['407001', '407002']);
export const LOST_TRANSACTION = 'the Snowflake session ended inside a transaction, so Snowflake rolled it back: ';

export function codeOf(e: unknown): string | undefined {
  const code = (e as DriverError | undefined)?.code;
  return code === undefined || code === null ? undefined : String(code);
}

export function toWarehouseError(e: unknown, sql: string | undefined, prefix = ''): SnowflakeWarehouseError {
  const err = e as DriverError;
  const code = codeOf(e);
  // The message often repeats "<code> (<state>): "; say it once.
  const text = String(err?.message ?? e).replace(/^\d{6} \([0-9A-Z]{5}\): /, '');
  const where = sql === undefined ? '' : `\n  in SQL: ${sql.length > 500 ? `${sql.slice(0, 500)}…` : sql}`;
  const label = code ? `Snowflake error ${code}${err?.sqlState ? ` (${err.sqlState})` : ''}` : 'Snowflake error';
  return new SnowflakeWarehouseError(mask(`${prefix}${label}: ${text}${where}`), code, err?.sqlState, err?.data?.queryId);
}

// Statements: splitting and classifying

/** Splits SQL into statements at top-level semicolons (not in strings, identifiers, $$…$$ or comments). */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'") {
      for (i++; i < sql.length; i++) {
        if (sql[i] === '\\') i++;
        else if (sql[i] === "'") {
          if (sql[i + 1] === "'") i++;
          else break;
        }
      }
      i++;
    } else if (c === '"') {
      i = sql.indexOf('"', i + 1);
      while (i !== -1 && sql[i + 1] === '"') i = sql.indexOf('"', i + 2);
      i = i === -1 ? sql.length : i + 1;
    } else if (c === '$' && next === '$') {
      const end = sql.indexOf('$$', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (c === ';') {
      out.push(sql.slice(start, i));
      i++;
      start = i;
    } else {
      i++;
    }
  }
  out.push(sql.slice(start));
  return out.map((s) => s.trim()).filter((s) => stripComments(s) !== '');
}

export function stripComments(sql: string): string {
  return sql.replace(/^(\s|--[^\n]*(\n|$)|\/\/[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)+/, '');
}

type StatementKind = 'ddl' | 'dml' | 'read' | 'file' | 'control';

/** What a statement does to a transaction: DDL commits it, DML needs it, the rest leave it alone. */
export function statementKind(sql: string): StatementKind {
  const words = stripComments(sql).slice(0, 64).toUpperCase().split(/[\s(]+/);
  const [first, second] = words;
  if (['CREATE', 'DROP', 'UNDROP', 'GRANT', 'REVOKE', 'COMMENT'].includes(first)) return 'ddl';
  if (first === 'ALTER') return second === 'SESSION' ? 'control' : 'ddl';
  if (['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'LIST', 'LS', 'EXPLAIN', 'VALUES'].includes(first)) return 'read';
  if (['PUT', 'GET', 'REMOVE', 'RM'].includes(first)) return 'file';
  if (['BEGIN', 'START', 'COMMIT', 'ROLLBACK', 'USE', 'SET', 'UNSET'].includes(first)) return 'control';
  return 'dml';
}
