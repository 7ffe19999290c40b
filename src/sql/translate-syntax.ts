// What the translator knows of Snowflake's syntax (keywords, literals, constructs and statements outside the
// subset, with their hints) and the small helpers on the token tree its layers share.
import { duckdbJsonPath, type PathStep } from './snowflake.js';
import { duckdbString, type Token } from './tokenize.js';
import { isGroup, isOp, isParen, isToken, isWord, nextSignificant, previousSignificant, type Group, type SqlNode } from './tree.js';


/** Words that are never a column, a path base or a function name. */
export const KEYWORDS = new Set(
  `SELECT FROM WHERE GROUP ORDER BY HAVING QUALIFY LIMIT OFFSET FETCH UNION ALL EXCEPT INTERSECT MINUS JOIN INNER
   LEFT RIGHT FULL OUTER CROSS NATURAL ASOF ON USING AS AND OR NOT IN IS LIKE ILIKE RLIKE REGEXP BETWEEN CASE WHEN
   THEN ELSE END DISTINCT WITH RECURSIVE OVER PARTITION ROWS RANGE PRECEDING FOLLOWING UNBOUNDED INTO VALUES SET
   UPDATE DELETE INSERT MERGE MATCHED CREATE REPLACE TABLE VIEW EXISTS DESC ASC NULLS LATERAL FILTER WITHIN ANY
   SOME ESCAPE TOP WINDOW RETURNING DEFAULT PRIMARY CONSTRAINT UNIQUE REFERENCES FOREIGN CHECK COLLATE`.split(/\s+/),
);

/** Keywords that may be followed by a parenthesis without being a function call. */
export const CALLABLE_KEYWORDS = new Set(['LEFT', 'RIGHT', 'REPLACE', 'FILTER', 'RLIKE', 'INSERT', 'COLLATE']);

/** Words after which a parenthesised list is a column list, not a call. */
export const NAME_CONTEXT = new Set(['INTO', 'TABLE', 'VIEW', 'EXISTS', 'UPDATE', 'JOIN']);

export const LITERAL_WORDS = new Set(['NULL', 'TRUE', 'FALSE']);

export const TYPED_LITERALS: Record<string, string> = {
  DATE: 'DATE',
  TIME: 'TIME',
  TIMESTAMP: 'TIMESTAMP',
  TIMESTAMP_NTZ: 'TIMESTAMP',
  TIMESTAMPNTZ: 'TIMESTAMP',
  DATETIME: 'TIMESTAMP',
  TIMESTAMP_LTZ: 'TIMESTAMPTZ',
  TIMESTAMPLTZ: 'TIMESTAMPTZ',
  TIMESTAMP_TZ: 'TIMESTAMPTZ',
  TIMESTAMPTZ: 'TIMESTAMPTZ',
};

/** Niladic functions and what they become; Snowflake allows them with empty parentheses too. */
export const NILADIC: Record<string, string> = {
  CURRENT_TIMESTAMP: 'current_timestamp',
  LOCALTIMESTAMP: 'current_timestamp',
  SYSTIMESTAMP: 'current_timestamp',
  GETDATE: 'current_timestamp',
  CURRENT_DATE: 'current_date',
  CURRENT_TIME: 'current_time',
  LOCALTIME: 'current_time',
  SYSDATE: "(now() AT TIME ZONE 'UTC')",
};

/** Syntax outside the subset: the word, what follows it (if anything), and the hint. */
export const UNSUPPORTED_SYNTAX: { words: string[]; construct: string; hint: string }[] = [
  { words: ['CONNECT', 'BY'], construct: 'CONNECT BY', hint: 'rewrite the hierarchy as a recursive CTE (WITH RECURSIVE)' },
  { words: ['START', 'WITH'], construct: 'START WITH ... CONNECT BY', hint: 'rewrite the hierarchy as a recursive CTE (WITH RECURSIVE)' },
  { words: ['MATCH_RECOGNIZE'], construct: 'MATCH_RECOGNIZE', hint: 'rewrite the pattern with window functions (LAG/LEAD, running sums)' },
  { words: ['PIVOT'], construct: 'PIVOT', hint: 'use conditional aggregation, e.g. SUM(IFF(k = \'a\', v, 0)) AS a' },
  { words: ['UNPIVOT'], construct: 'UNPIVOT', hint: 'use UNION ALL of one SELECT per column' },
  { words: ['SAMPLE'], construct: 'SAMPLE', hint: 'sampled rows differ between warehouses; filter deterministically instead' },
  { words: ['TABLESAMPLE'], construct: 'TABLESAMPLE', hint: 'sampled rows differ between warehouses; filter deterministically instead' },
  { words: ['CHANGES'], construct: 'CHANGES', hint: 'change tracking is outside the subset' },
  { words: ['MATCH_CONDITION'], construct: 'ASOF JOIN ... MATCH_CONDITION', hint: 'use a window function to pick the nearest row' },
];

/** Statements that have no DuckDB counterpart. */
export const UNSUPPORTED_STATEMENTS: Record<string, string> = {
  COPY: 'load files through the engine (bronze loading), not COPY INTO',
  PUT: 'stages are outside the subset',
  GET: 'stages are outside the subset',
  LIST: 'stages are outside the subset',
  LS: 'stages are outside the subset',
  REMOVE: 'stages are outside the subset',
  RM: 'stages are outside the subset',
  CALL: 'stored procedures are outside the subset',
  EXECUTE: 'EXECUTE IMMEDIATE and tasks are outside the subset',
  GRANT: 'access control is managed outside the models',
  REVOKE: 'access control is managed outside the models',
  UNDROP: 'time travel is outside the subset',
};

export const UNSUPPORTED_CREATE: Record<string, string> = {
  STAGE: 'stages are outside the subset',
  PIPE: 'pipes are outside the subset',
  STREAM: 'streams are outside the subset',
  TASK: 'tasks are outside the subset; schedules live in the pipeline YAML',
  SEQUENCE: 'use ROW_NUMBER() or a natural key',
  FUNCTION: 'user-defined functions are outside the subset',
  PROCEDURE: 'stored procedures are outside the subset',
  DATABASE: 'environments are chosen by the connection, not created in SQL',
  WAREHOUSE: 'warehouses are managed outside the models',
  ROLE: 'access control is managed outside the models',
  USER: 'access control is managed outside the models',
  DYNAMIC: 'dynamic tables are outside the subset; use a model file',
  EXTERNAL: 'external tables are outside the subset',
  FILE: 'file formats are outside the subset',
  TAG: 'tags are outside the subset',
  MASKING: 'policies are outside the subset',
  ROW: 'policies are outside the subset',
  NETWORK: 'outside the subset',
  INTEGRATION: 'outside the subset',
  STORAGE: 'outside the subset',
  NOTIFICATION: 'outside the subset',
  ALERT: 'outside the subset',
};

export interface PathExpr {
  base: string;
  steps: (PathStep | { expr: string })[];
}

export interface Item {
  text: string;
  end: number;
}

/** A primary expression: its text, and what a following cast needs to know about it. */
export interface Operand {
  text: string;
  path?: PathExpr;
  literal?: 'null' | 'string' | 'number' | 'other';
}


export interface RenderedItem {
  text: string;
  /** The nodes it came from: nodes[start, end). */
  start: number;
  end: number;
  kind: 'trivia' | 'op' | 'operand' | 'other';
}

/** What a rendered item is to arithmetic: an operand, an operator, or something that ends an operand chain. */
/** Timestamp text with a UTC offset (or Z) after it; group 1 is the wallclock time, group 2 the offset. */
export const TIMESTAMP_WITH_OFFSET = /^\s*(\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)\s*$/i;

/** A table's key in tableColumns: its last name part, lower-cased, unquoted. */
export function tableKey(name: string): string {
  return name.split('.').pop()!.replace(/"/g, '').trim().toLowerCase();
}

export function unquotedName(t: Token): string {
  return t.kind === 'qident' ? t.text.slice(1, -1).replace(/""/g, '"').toLowerCase() : t.text.toLowerCase();
}

export function itemKind(nodes: SqlNode[], start: number, end: number): RenderedItem['kind'] {
  const n = nodes[start];
  if (isToken(n) && n.kind === 'op') return end === start + 1 ? 'op' : 'other';
  if (isWord(n) && end === start + 1 && KEYWORDS.has(n.text.toUpperCase())) return 'other';
  return 'operand';
}

export function isIntegerLiteral(nodes: SqlNode[], item: RenderedItem): boolean {
  const n = nodes[item.start];
  return item.end === item.start + 1 && isToken(n) && n.kind === 'number' && /^\d+$/.test(n.text);
}

export const AGGREGATES = new Set(
  `COUNT SUM AVG MIN MAX ARRAY_AGG ARRAYAGG ARRAY_UNIQUE_AGG LISTAGG STRING_AGG OBJECT_AGG MEDIAN MODE ANY_VALUE COUNT_IF
   BOOLAND_AGG BOOLOR_AGG STDDEV STDDEV_POP STDDEV_SAMP VARIANCE VARIANCE_POP VARIANCE_SAMP VAR_POP VAR_SAMP CORR COVAR_POP
   COVAR_SAMP APPROX_COUNT_DISTINCT MIN_BY MAX_BY PERCENTILE_CONT PERCENTILE_DISC KURTOSIS SKEW`.split(/\s+/),
);

/** Whether a select list holds an aggregate call that is not a window function (outside subqueries). */
export function hasPlainAggregate(nodes: SqlNode[]): boolean {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (isGroup(n)) {
      if (!isWord(n.children[nextSignificant(n.children, 0)], 'SELECT', 'WITH') && hasPlainAggregate(n.children)) return true;
      continue;
    }
    if (!isWord(n) || !AGGREGATES.has(n.text.toUpperCase()) || !isParen(nodes[nextSignificant(nodes, i + 1)])) continue;
    let k = nextSignificant(nodes, nextSignificant(nodes, i + 1) + 1);
    if (isWord(nodes[k], 'WITHIN')) k = nextSignificant(nodes, nextSignificant(nodes, nextSignificant(nodes, k + 1) + 1) + 1);
    if (isWord(nodes[k], 'FILTER')) k = nextSignificant(nodes, nextSignificant(nodes, k + 1) + 1);
    if (!isWord(nodes[k], 'OVER')) return true;
  }
  return false;
}

/** Index of the END that closes the CASE at nodes[i], or -1. */
export function matchingEnd(nodes: SqlNode[], i: number): number {
  let depth = 0;
  for (let k = i; k < nodes.length; k++) {
    if (isWord(nodes[k], 'CASE')) depth++;
    else if (isWord(nodes[k], 'END')) {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

export function isFromItem(nodes: SqlNode[], i: number): boolean {
  const prev = nodes[previousSignificant(nodes, i)];
  return isWord(prev, 'FROM', 'JOIN') || isOp(prev, ',');
}

export function firstRow(values: Group): Group | undefined {
  const k = nextSignificant(values.children, nextSignificant(values.children, 0) + 1);
  return isParen(values.children[k]) ? (values.children[k] as Group) : undefined;
}

/** A JSON path expression as DuckDB SQL; dynamic steps (raw[i]) go through sf_get. */
export function materialize(p: PathExpr): string {
  let expr = p.base;
  let pending: PathStep[] = [];
  const flush = (): void => {
    if (pending.length) expr = `json_extract(${expr}, ${duckdbString(duckdbJsonPath(pending))})`;
    pending = [];
  };
  for (const step of p.steps) {
    if ('expr' in step) {
      flush();
      expr = `sf_get(${expr}, ${step.expr})`;
    } else {
      pending.push(step);
    }
  }
  flush();
  return expr;
}

/** A Snowflake string literal as DuckDB writes it; unchanged when it has no escapes. */
export function stringLiteral(t: Token): string {
  const value = t.value ?? '';
  if (t.text.startsWith("'") && !t.text.includes('\\')) return t.text;
  return duckdbString(value, t.text);
}

