// Set operators (UNION, INTERSECT, EXCEPT/MINUS) over columns of different types. Snowflake converts a text
// column to the other query's type (a NUMBER, a DATE, ...) and fails on text that does not convert (docs:
// sql-reference/operators-query, "Use the UNION operator and cast mismatched data types"); DuckDB makes the
// column text and returns every row. The translator does not know the columns' types, so the first query of a
// set operation gets a guard that reads every query's column types (from copies of the queries under LIMIT 0,
// which read no rows) and refuses the statement, naming the operator, when text meets such a type.
import type { Token } from './tokenize.js';
import { isParen, isTrivia, isWord, nextSignificant, previousSignificant, type SqlNode } from './tree.js';

const SET_OPERATORS = new Set(['UNION', 'INTERSECT', 'EXCEPT', 'MINUS']);

/** The queries of a set operation at one level of the tree, as [start, end) node ranges. */
export interface SetOperation {
  /** The first operator's keyword, for the message. */
  operator: Token;
  /** The operator as written, e.g. UNION ALL BY NAME. */
  shown: string;
  branches: Array<[number, number]>;
  /** Every operator is BY NAME: columns pair up by name, not position. */
  byName: boolean;
}

/** The set operation whose operators are directly in `nodes` (not in a subquery), if any. */
export function findSetOperation(nodes: SqlNode[]): SetOperation | undefined {
  const operators = nodes.flatMap((n, i) => (isWord(n) && SET_OPERATORS.has(n.text.toUpperCase()) ? [i] : []));
  if (operators.length === 0) return undefined;
  const firstSelect = nodes.findIndex((n) => isWord(n, 'SELECT'));
  const start = firstSelect >= 0 && firstSelect < operators[0] ? firstSelect : previousSignificant(nodes, operators[0]);
  if (start < 0 || !(isWord(nodes[start], 'SELECT') || isParen(nodes[start]))) return undefined;
  const branches: Array<[number, number]> = [];
  let from = start;
  let byName = true;
  let shown = '';
  for (const op of operators) {
    branches.push([from, trimEnd(nodes, from, op)]);
    // The operator's modifiers: ALL or DISTINCT, then BY NAME.
    let k = nextSignificant(nodes, op + 1);
    const words = [(nodes[op] as Token).text.toUpperCase()];
    if (isWord(nodes[k], 'ALL', 'DISTINCT')) {
      words.push((nodes[k] as Token).text.toUpperCase());
      k = nextSignificant(nodes, k + 1);
    }
    const named = isWord(nodes[k], 'BY') && isWord(nodes[nextSignificant(nodes, k + 1)], 'NAME');
    if (named) {
      words.push('BY NAME');
      k = nextSignificant(nodes, nextSignificant(nodes, k + 1) + 1);
    }
    byName &&= named;
    shown ||= words.join(' ');
    from = k;
  }
  let end = from;
  while (end < nodes.length && !isWord(nodes[end], 'ORDER', 'LIMIT', 'OFFSET', 'FETCH')) end++;
  branches.push([from, trimEnd(nodes, from, end)]);
  if (branches.some(([s, e]) => e <= s)) return undefined;
  return { operator: nodes[operators[0]] as Token, shown, branches, byName };
}

function trimEnd(nodes: SqlNode[], from: number, end: number): number {
  let e = end;
  while (e > from && isTrivia(nodes[e - 1])) e--;
  return e;
}

/**
 * The guarded first query: `SELECT * FROM (<first>) WHERE <guard>`, where the guard lists each column's types
 * over all the queries (`copies`: every query rendered on one line) and refuses text next to another type.
 */
export function guardedFirstQuery(first: string, copies: string[], byName: boolean, place: string): string {
  const types = copies.map((q) => `SELECT typeof(any_value(COLUMNS(*))) FROM (SELECT * FROM (${q}) LIMIT 0)`).join(byName ? ' UNION ALL BY NAME ' : ' UNION ALL ');
  const guard = `(SELECT sf_set_operands([*COLUMNS(*)], ${place}) FROM (SELECT list(COLUMNS(*)) FROM (${types})))`;
  return `SELECT * FROM (${first}) WHERE ${guard}`;
}

const macro = (body: string): string => `CREATE OR REPLACE TEMP MACRO ${body}`;

/** DuckDB types Snowflake converts text to in a set operation, as Snowflake names them. */
const CONVERTED = `CASE
    WHEN regexp_full_match(x, 'U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|DECIMAL\\(.*\\)') THEN 'NUMBER'
    WHEN x IN ('FLOAT', 'DOUBLE') THEN 'FLOAT'
    WHEN x = 'DATE' THEN 'DATE'
    WHEN x = 'TIME' THEN 'TIME'
    WHEN x = 'TIMESTAMP' THEN 'TIMESTAMP_NTZ'
    WHEN x = 'TIMESTAMP WITH TIME ZONE' THEN 'TIMESTAMP_TZ'
    WHEN x = 'BOOLEAN' THEN 'BOOLEAN' END`;

export const SET_OPERATION_MACROS: string[] = [
  // The Snowflake type a column's text would be converted to (NULL when the column has no text or no such type).
  macro(`sf_set_conversion(t) AS CASE WHEN list_contains(t, 'VARCHAR') THEN list_filter(list_transform(t, lambda x: ${CONVERTED}), lambda y: y IS NOT NULL)[1] END`),
  // TRUE, or a refusal naming the first column whose queries mix text with a type Snowflake converts it to.
  macro(`sf_set_operands(columns, place) AS CASE
    WHEN list_bool_or(list_transform(columns, lambda t: sf_set_conversion(t) IS NOT NULL)) THEN sf_refuse(place || ': column '
      || list_position(list_transform(columns, lambda t: sf_set_conversion(t) IS NOT NULL), true) || ' is text in one query and '
      || list_filter(list_transform(columns, lambda t: sf_set_conversion(t)), lambda c: c IS NOT NULL)[1]
      || ' in another: Snowflake converts the text (and fails on text that does not convert) where DuckDB would return text; cast one side so both have the same type, e.g. x::VARCHAR')
    ELSE TRUE END`),
];
