// Aggregate and window functions: ARRAY_AGG, LISTAGG, COUNT, MIN_BY / MAX_BY, STDDEV, OBJECT_AGG and the
// window events (CONDITIONAL_TRUE_EVENT, FIRST_VALUE / LAST_VALUE / NTH_VALUE).
import type { Token } from './tokenize.js';
import { sourceText, type Group, type SqlNode } from './tree.js';

import { type Arg, type CallSite, type Handler, arity, call, compact, lit, sourceOf, sp, text } from './function-calls.js';
import { pattern } from './text-functions.js';

/** The ORDER BY of a WITHIN GROUP (...) and the OVER (...) that follow an aggregate's argument list. */
export function aggregateTail(c: CallSite): { orderBy: string; over: string; end: number } {
  const { nodes } = c;
  let end = c.end;
  let orderBy = '';
  let over = '';
  let k = skipTrivia(nodes, end);
  if (isWordNode(nodes[k], 'WITHIN')) {
    const g = skipTrivia(nodes, k + 1);
    const paren = skipTrivia(nodes, g + 1);
    if (isWordNode(nodes[g], 'GROUP') && nodes[paren]?.kind === 'group') {
      orderBy = ' ' + c.r.render((nodes[paren] as Group).children).trim();
      end = paren + 1;
      k = skipTrivia(nodes, end);
    }
  }
  if (isWordNode(nodes[k], 'OVER')) {
    const w = skipTrivia(nodes, k + 1);
    if (nodes[w]) {
      over = ' OVER ' + c.r.render([nodes[w]]);
      end = w + 1;
    }
  }
  return { orderBy, over, end };
}

/** The first bare word `word` in nodes, looking inside brackets too. */
export function findWord(nodes: SqlNode[], word: string): Token | undefined {
  for (const n of nodes) {
    if (n.kind === 'group') {
      const inner = findWord(n.children, word);
      if (inner) return inner;
    } else if (isWordNode(n, word)) {
      return n;
    }
  }
  return undefined;
}

export function skipTrivia(nodes: SqlNode[], i: number): number {
  while (i < nodes.length && (nodes[i].kind === 'ws' || nodes[i].kind === 'comment')) i++;
  return i;
}

export function isWordNode(n: SqlNode | undefined, word: string): boolean {
  return n !== undefined && n.kind === 'word' && n.text.toUpperCase() === word;
}

/** Splits a leading DISTINCT off the first argument. */
export function distinctArg(c: CallSite): { distinct: boolean; arg: Arg } {
  const a = c.args[0];
  const k = skipTrivia(a.nodes, 0);
  if (isWordNode(a.nodes[k], 'DISTINCT')) {
    const nodes = a.nodes.slice(k + 1);
    return { distinct: true, arg: { nodes, text: c.r.render(nodes) } };
  }
  return { distinct: false, arg: a };
}

export function arrayAgg(forceDistinct: boolean): Handler {
  return (c) => {
    if (!arity(c, 1)) return '';
    const { distinct, arg } = distinctArg(c);
    const tail = aggregateTail(c);
    const copy = c.r.render(arg.nodes, true).trim();
    // NULLs are left out; no rows (or only NULLs) give an empty array.
    const list = `list(${distinct || forceDistinct ? 'DISTINCT ' : ''}${arg.text}${tail.orderBy}) FILTER (WHERE ${copy} IS NOT NULL)${tail.over}`;
    return { text: `coalesce(to_json(${list}), '[]'::JSON)`, end: tail.end };
  };
}

export const LISTAGG: Handler = (c) => {
  if (!arity(c, 1, 2)) return '';
  const { distinct, arg } = distinctArg(c);
  const tail = aggregateTail(c);
  // The default delimiter is the empty string; no non-NULL values give ''.
  const sep = c.args[1] ? c.args[1].text : " ''";
  const value = text(arg);
  let orderBy = tail.orderBy;
  const plain = arg.text.trim();
  if (distinct && value !== arg.text && orderBy.toUpperCase().startsWith(` ORDER BY ${plain.toUpperCase()}`)) {
    // DuckDB wants a DISTINCT aggregate ordered by its own argument, converted the same way.
    orderBy = ` ORDER BY ${value.trim()}${orderBy.slice(` ORDER BY ${plain}`.length)}`;
  }
  return {
    text: `coalesce(string_agg(${distinct ? 'DISTINCT ' : ''}${value},${sep}${orderBy})${tail.over}, '')`,
    end: tail.end,
  };
};

/**
 * CONDITIONAL_TRUE_EVENT(x) OVER (...): how many rows so far (this one included) had x true, counted row by row
 * in the window's order (docs: functions/conditional_true_event).
 */
export const CONDITIONAL_TRUE_EVENT: Handler = (c) => {
  if (!arity(c, 1)) return '';
  const nested = findWord(c.args[0].nodes, 'OVER');
  if (nested) {
    // DuckDB cannot nest window functions, and a rewrite through a subquery would change the statement's shape.
    c.r.error(nested, `${c.name}(... OVER (...)) OVER (...): a window function inside ${c.name} is not supported on DuckDB; compute it in a subquery first (e.g. SELECT LAG(o) OVER (...) AS prev_o ...), then ${c.name}(prev_o > 1) OVER (...) on its rows`);
    return '';
  }
  const k = skipTrivia(c.nodes, c.end);
  const w = skipTrivia(c.nodes, k + 1);
  const window = c.nodes[w];
  if (!isWordNode(c.nodes[k], 'OVER') || window?.kind !== 'group') {
    c.r.error(c.nameToken, `${c.name} needs OVER ([PARTITION BY ...] ORDER BY ...)`);
    return '';
  }
  const inner = window.children;
  if (inner.some((n) => isWordNode(n, 'ROWS') || isWordNode(n, 'RANGE')) || !inner.some((n) => isWordNode(n, 'ORDER'))) {
    c.r.error(c.nameToken, `${c.name}: the window takes [PARTITION BY ...] ORDER BY ... and no frame`);
    return '';
  }
  const frame = `(${c.r.render(inner).trim()} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
  return { text: `coalesce(sum(CASE WHEN${sp(c.args[0])} THEN 1 ELSE 0 END) OVER ${frame}, 0)`, end: w + 1 };
};

/**
 * FIRST_VALUE / LAST_VALUE / NTH_VALUE: without a frame, Snowflake's window for these is the whole partition
 * (ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING), not the standard's rows up to the current one
 * (docs: functions-window-syntax, and LAST_VALUE's example), so the frame is written out for DuckDB.
 */
export const VALUE_IN_WINDOW: Handler = (c) => {
  if (!arity(c, c.name === 'NTH_VALUE' ? 2 : 1, c.name === 'NTH_VALUE' ? 2 : 1)) return '';
  let k = skipTrivia(c.nodes, c.end);
  let nulls = '';
  const nullsWord = skipTrivia(c.nodes, k + 1);
  if ((isWordNode(c.nodes[k], 'IGNORE') || isWordNode(c.nodes[k], 'RESPECT')) && isWordNode(c.nodes[nullsWord], 'NULLS')) {
    nulls = ` ${(c.nodes[k] as Token).text.toUpperCase()} NULLS`;
    k = skipTrivia(c.nodes, nullsWord + 1);
  }
  const w = skipTrivia(c.nodes, k + 1);
  const window = c.nodes[w];
  if (!isWordNode(c.nodes[k], 'OVER') || window?.kind !== 'group') {
    c.r.error(c.nameToken, `${c.name} needs OVER ([PARTITION BY ...] ORDER BY ... [frame]) written in the call; a named window is not supported here`);
    return '';
  }
  const inner = c.r.render(window.children).trim();
  const framed = window.children.some((n) => isWordNode(n, 'ROWS') || isWordNode(n, 'RANGE') || isWordNode(n, 'GROUPS'));
  const frame = framed ? '' : ' ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING';
  const args = c.args.map((a) => a.text).join(',');
  return { text: `${c.name.toLowerCase()}(${args}${nulls}) OVER (${inner}${frame})`, end: w + 1 };
};

/**
 * COUNT: a JSON null counts as NULL (docs: count, usage notes). COUNT(t.*) and COUNT(* ILIKE ...) /
 * COUNT(* EXCLUDE ...) count the rows where none of those columns is NULL, as COUNT(a, b) counts the rows where
 * neither a nor b is; plain COUNT(*) counts every row.
 */
export const COUNT: Handler = (c) => {
  if (!arity(c, 1, Infinity)) return '';
  const { distinct, arg } = distinctArg(c);
  const core = arg.nodes.filter((n) => n.kind !== 'ws' && n.kind !== 'comment');
  const starAt = core.findIndex((n) => n.kind === 'op' && n.text === '*');
  if (c.args.length === 1 && (starAt === 0 || (starAt === 2 && core[1].kind === 'op' && core[1].text === '.'))) {
    if (core.length === 1) return `${c.nameToken.text}(${c.r.render(c.group.children)})`;
    const columns = starColumns(c, core, starAt);
    if (columns === undefined) return '';
    if (distinct) {
      c.r.error(c.nameToken, `${c.name}(DISTINCT ${sourceOf(arg)}) is not supported; list the columns, e.g. COUNT(DISTINCT a, b)`);
      return '';
    }
    return `count(CASE WHEN sf_none_null(to_json(row(*COLUMNS(${columns})))) THEN 1 END)`;
  }
  const values = [arg, ...c.args.slice(1)];
  const name = c.nameToken.text;
  if (values.length === 1) return `${name}(${distinct ? 'DISTINCT ' : ''}sf_count_value(${arg.text.trim()}))`;
  const present = values.map((a) => `sf_count_value(${compact(c, a)}) IS NOT NULL`).join(' AND ');
  return `${name}(${distinct ? 'DISTINCT ' : ''}CASE WHEN ${present} THEN ${distinct ? `row(${values.map((a) => compact(c, a)).join(', ')})` : '1'} END)`;
};

/** The DuckDB COLUMNS(...) selector for t.*, * ILIKE 'pattern', * EXCLUDE col, * EXCLUDE (a, b). */
export function starColumns(c: CallSite, core: SqlNode[], starAt: number): string | undefined {
  const star = starAt === 2 ? `${(core[0] as Token).text}.*` : '*';
  const rest = core.slice(starAt + 1);
  if (rest.length === 0) return star;
  const what = rest.map((n) => (n.kind === 'group' ? `(${n.children.map((k) => (k.kind === 'group' ? '(...)' : k.text)).join('')})` : n.text)).join(' ');
  if (isWordNode(rest[0], 'ILIKE') && rest.length === 2 && rest[1].kind === 'string' && starAt === 0) {
    return `lambda c: c ILIKE ${lit((rest[1] as Token).value ?? '')}`;
  }
  if (isWordNode(rest[0], 'EXCLUDE') && rest.length === 2) {
    const names = rest[1].kind === 'group' ? rest[1].children.filter((n) => n.kind !== 'ws' && n.kind !== 'comment') : [rest[1]];
    const ok = names.every((n, k) => (k % 2 === 1 ? n.kind === 'op' && n.text === ',' : n.kind === 'word' || n.kind === 'qident'));
    if (ok && names.length % 2 === 1) return `${star} EXCLUDE (${names.filter((n) => n.kind !== 'op').map((n) => (n as Token).text).join(', ')})`;
  }
  c.r.error(c.nameToken, `${c.name}(${star} ${what}) is not supported; expected COUNT(t.*), COUNT(* ILIKE 'pattern') or COUNT([t.]* EXCLUDE col | (col, ...))`);
  return undefined;
}

/**
 * MAX_BY / MIN_BY(x, y, n): an ARRAY of the x of the n rows with the largest (smallest) y, in that order (docs:
 * max_by). Snowflake leaves the order of tied rows open; here they come in ascending order of x, so the answer
 * is the same on every run.
 */
export function extremeBy(descending: boolean): Handler {
  return (c) => {
    if (!arity(c, 2, 3)) return '';
    const [x, y, n] = c.args;
    if (n === undefined) return call(descending ? 'max_by' : 'min_by', x.text, y.text);
    if (n.number === undefined || !Number.isInteger(n.number) || n.number < 1 || n.number > 1000) {
      c.r.error(n.nodes.find((k) => k.kind !== 'ws') ?? c.nameToken, `${c.name}: the number of values must be a whole number from 1 to 1000, got ${sourceOf(n)}`);
      return '';
    }
    if (isWordNode(c.nodes[skipTrivia(c.nodes, c.end)], 'OVER')) {
      c.r.error(c.nameToken, `${c.name}(x, y, n) as a window function is not supported; aggregate in a subquery and join it back`);
      return '';
    }
    const list = `list(${x.text.trim()} ORDER BY ${compact(c, y)} ${descending ? 'DESC' : 'ASC'}, ${compact(c, x)} ASC) FILTER (WHERE ${compact(c, y)} IS NOT NULL)`;
    return `to_json((${list})[1:${n.number}])`;
  };
}

/**
 * STDDEV / STDDEV_POP / STDDEV_SAMP of a NUMBER: Snowflake's result differs from the square root DuckDB computes
 * from the eighth digit on (docs: stddev_pop's example prints 3.265986375 for 6, 10, 14, whose exact value is
 * 3.2659863237...) and the rule is not documented, so a NUMBER argument is refused when the query runs; a FLOAT
 * is computed in floating point on both.
 */
export const STDDEV: Handler = (c) => {
  if (!arity(c, 1)) return '';
  const { distinct, arg } = distinctArg(c);
  const t = c.nameToken;
  const place = lit(`${c.r.file}:${t.line}:${t.col}: ${t.text}${sourceText(c.group).replace(/\s+/g, ' ')}`);
  return `${t.text}(${distinct ? 'DISTINCT ' : ''}sf_float_only(${arg.text.trim()}, ${place}))`;
};

export const OBJECT_AGG: Handler = (c) => {
  if (!arity(c, 2)) return '';
  const [k, v] = c.args;
  const tail = aggregateTail(c);
  const entries = `list({'k': CAST(${k.text} AS VARCHAR), 'v': to_json(${v.text})}) FILTER (WHERE ${compact(c, k)} IS NOT NULL AND ${compact(c, v)} IS NOT NULL)${tail.over}`;
  return { text: `coalesce(to_json(map_from_entries(${entries})), '{}'::JSON)`, end: tail.end };
};
