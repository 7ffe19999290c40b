// What FLATTEN's SEQ column can be on DuckDB. Snowflake numbers the input rows (docs: functions/flatten, "SEQ: a
// unique sequence number associated with the input record"); a LATERAL subquery on DuckDB cannot see which outer
// row it is on, so SEQ is 1 where the input is a constant (one input row) and refused everywhere else.
import type { Token } from './tokenize.js';
import { isGroup, isOp, isToken, isWord, nextSignificant, previousSignificant, type SqlNode } from './tree.js';

const CONSTANT_WORDS = new Set(['TRUE', 'FALSE', 'NULL']);

/** Whether an expression reads no column: only literals, function calls, casts and operators. */
export function isConstantExpression(nodes: SqlNode[]): boolean {
  return nodes.every((n, i) => {
    if (isGroup(n)) return isConstantExpression(n.children);
    if (n.kind === 'qident' || n.kind === 'var') return false;
    if (n.kind !== 'word') return true;
    if (CONSTANT_WORDS.has(n.text.toUpperCase())) return true;
    // A function's name, or a type after '::' (and its following words, as in DOUBLE PRECISION).
    if (isGroup(nodes[nextSignificant(nodes, i + 1)])) return true;
    const before = nodes[previousSignificant(nodes, i)];
    return isOp(before, '::') || (isWord(before) && isOp(nodes[previousSignificant(nodes, previousSignificant(nodes, i))], '::'));
  });
}

/**
 * A reference to SEQ in the same query level before `end` (the select list): SEQ, "SEQ", alias.SEQ, * or alias.*,
 * where `alias` is the FLATTEN's.
 */
export function seqReference(nodes: SqlNode[], end: number, alias: string): Token | undefined {
  const qualifiedByOther = (i: number): boolean => {
    const dot = previousSignificant(nodes, i);
    if (!isOp(nodes[dot], '.')) return false;
    const q = nodes[previousSignificant(nodes, dot)];
    return !isToken(q) || q.text.replace(/^"|"$/g, '').toUpperCase() !== alias.replace(/^"|"$/g, '').toUpperCase();
  };
  for (let i = 0; i < end; i++) {
    const n = nodes[i];
    if (!isToken(n)) continue;
    const name = n.kind === 'qident' ? n.text.slice(1, -1) : n.kind === 'word' ? n.text : '';
    const isSeq = name.toUpperCase() === 'SEQ';
    if (isSeq && !qualifiedByOther(i)) return n;
    if (isOp(n, '*') && !qualifiedByOther(i)) {
      const before = nodes[previousSignificant(nodes, i)];
      if (before === undefined || isWord(before, 'SELECT', 'DISTINCT', 'ALL') || isOp(before, ',') || isOp(before, '.')) return n;
    }
  }
  return undefined;
}

export const SEQ_REFUSED =
  "FLATTEN's SEQ numbers the input rows in Snowflake, which DuckDB can give only when the input is a constant; select the input row's own key (or ROW_NUMBER() OVER (...) computed before the FLATTEN) instead of SEQ";
