// What FLATTEN's SEQ column can be on DuckDB. Snowflake numbers the input rows (docs: functions/flatten, "SEQ: a
// unique sequence number associated with the input record"); a LATERAL subquery on DuckDB cannot see which outer
// row it is on, so SEQ is 1 where the input is a constant (one input row) and refused everywhere else.
import { duckdbJsonPath, parseSnowflakePath, snowflakePathText, type PathStep } from './snowflake.js';
import { duckdbString, type Token } from './tokenize.js';
import { KEYWORDS } from './translate-syntax.js';
import { isGroup, isName, isOp, isParen, isToken, isTrivia, isWord, nextSignificant, previousSignificant, sourceText, splitNodes, trimNodes, type Group, type SqlNode } from './tree.js';

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

/** What FLATTEN's translation uses of the translator. */
export interface FlattenContext {
  render(nodes: SqlNode[], compact?: boolean): string;
  error(at: SqlNode, message: string): void;
  placeLiteral(at: SqlNode, shown: string): string;
  /** Line breaks to append so a rewrite spans as many lines as its source did. */
  padding(source: string, out: string): string;
  /** The name of an unnamed FLATTEN: flatten, flatten_2, ... */
  nextAlias(): string;
}

/**
 * LATERAL FLATTEN(input => ..., path => ..., outer => ..., mode => ...) [AS] f[(cols)] as a LATERAL subquery
 * over json_each with Snowflake's columns SEQ, KEY, PATH, INDEX, VALUE, THIS. The index comes from the JSON
 * key, never from row order (json_each's order is not stable).
 */
export function flattenClause(ctx: FlattenContext, nodes: SqlNode[], start: number, nameToken: Token, group: Group, after: number): { text: string; end: number } {
  let input: string | undefined;
  let inputNodes: SqlNode[] = [];
  let steps: PathStep[] = [];
  let outer = false;
  let mode = 'BOTH';
  for (const part of splitNodes(group.children)) {
    const arrow = part.findIndex((n) => isOp(n, '=>'));
    const valueNodes = arrow >= 0 ? part.slice(arrow + 1) : part;
    const name = arrow >= 0 ? sourceText(trimNodes(part.slice(0, arrow))).toUpperCase() : input === undefined ? 'INPUT' : '?';
    const core = trimNodes(valueNodes);
    const only = core.length === 1 ? core[0] : undefined;
    if (name === 'INPUT') {
      input = ctx.render(valueNodes).trim();
      inputNodes = valueNodes;
    }
    else if (name === 'PATH') {
      const parsed = isToken(only) && only.kind === 'string' ? parseSnowflakePath(only.value ?? '') : undefined;
      if (!parsed) ctx.error(core[0] ?? nameToken, "FLATTEN path must be a string literal such as 'a.b[0]'");
      else steps = parsed;
    } else if (name === 'OUTER') {
      if (isWord(only, 'TRUE', 'FALSE')) outer = isWord(only, 'TRUE');
      else ctx.error(only ?? nameToken, 'FLATTEN outer must be TRUE or FALSE');
    } else if (name === 'RECURSIVE') {
      if (!isWord(only, 'FALSE')) ctx.error(only ?? nameToken, 'FLATTEN recursive => TRUE is not supported: flatten each level with its own LATERAL FLATTEN');
    } else if (name === 'MODE') {
      const m = isToken(only) && only.kind === 'string' ? (only.value ?? '').toUpperCase() : '';
      if (m === 'BOTH' || m === 'ARRAY' || m === 'OBJECT') mode = m;
      else ctx.error(only ?? nameToken, "FLATTEN mode must be 'OBJECT', 'ARRAY' or 'BOTH'");
    } else {
      ctx.error(part.find((n) => !isTrivia(n)) ?? nameToken, `FLATTEN: unknown argument ${name}; expected input, path, outer, recursive or mode`);
    }
  }
  if (input === undefined) {
    ctx.error(nameToken, 'FLATTEN needs input => <expression>');
    input = 'NULL';
  }
  // The alias, and an optional column list.
  let end = after;
  let alias = '';
  let columns = '';
  let k = nextSignificant(nodes, end);
  if (isWord(nodes[k], 'AS')) k = nextSignificant(nodes, k + 1);
  const aliasNode = nodes[k];
  if (isName(aliasNode) && !(aliasNode.kind === 'word' && KEYWORDS.has(aliasNode.text.toUpperCase()))) {
    alias = (aliasNode as Token).text;
    end = k + 1;
    const c = nextSignificant(nodes, end);
    if (isParen(nodes[c])) {
      columns = `(${ctx.render((nodes[c] as Group).children)})`;
      end = c + 1;
    }
  } else {
    alias = ctx.nextAlias();
  }
  // SEQ: 1 for a constant input (one input row); otherwise refused where this query selects it, and a failing
  // value where an outer query could (DuckDB drops the column, and so the failure, when nothing reads it).
  let seq = '1';
  if (!isConstantExpression(inputNodes)) {
    const ref = seqReference(nodes, start, alias);
    if (ref) ctx.error(ref, SEQ_REFUSED);
    seq = `CAST(sf_refuse(${ctx.placeLiteral(nameToken, `${nameToken.text}(...) SEQ`)} || ${duckdbString(`: ${SEQ_REFUSED}`)}) AS BIGINT)`;
  }
  const jp = steps.length ? duckdbString(duckdbJsonPath(steps)) : '';
  const self = jp ? `json_extract(_s._in, ${jp})` : '_s._in';
  const types = mode === 'ARRAY' ? `('ARRAY')` : mode === 'OBJECT' ? `('OBJECT')` : `('ARRAY', 'OBJECT')`;
  const prefix = snowflakePathText(steps);
  const keyPath = `CASE WHEN regexp_full_match(_e.key, '[A-Za-z_][A-Za-z0-9_$]*') THEN ${duckdbString(prefix ? prefix + '.' : '')} || _e.key ELSE ${duckdbString(prefix)} || '[''' || _e.key || ''']' END`;
  const sql =
    `LATERAL (SELECT ${seq} AS "seq", ` +
    `CASE WHEN json_type(${self}) = 'OBJECT' THEN _e.key END AS "key", ` +
    // An OUTER row (no element) has the path of what was flattened: '' for the input itself (docs: FLATTEN, OUTER).
    `CASE WHEN _e.key IS NULL THEN ${duckdbString(prefix)} WHEN json_type(${self}) = 'ARRAY' THEN ${duckdbString(prefix)} || '[' || _e.key || ']' ELSE ${keyPath} END AS "path", ` +
    `CASE WHEN json_type(${self}) = 'ARRAY' THEN CAST(_e.key AS BIGINT) END AS "index", ` +
    `_e.value AS "value", ${self} AS "this" ` +
    `FROM (SELECT CAST(${input} AS JSON) AS _in) AS _s ${outer ? 'LEFT ' : ''}JOIN ` +
    `json_each(CASE WHEN json_type(${self}) IN ${types} THEN ${self} END) AS _e ON TRUE ` +
    `ORDER BY TRY_CAST(_e.key AS BIGINT), _e.key) AS ${alias}${columns}`;
  return { text: sql + ctx.padding(sourceText(nodes.slice(start, end)), sql), end };
}
