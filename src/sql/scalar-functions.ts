// Text, number and bitwise functions whose DuckDB namesake is missing or differs from Snowflake's, each
// rewritten to give Snowflake's result or refused (docs: https://docs.snowflake.com/en/sql-reference/functions/
// <name>, the page each handler names). Merged into the handler registry of functions.ts.
import type { Arg, CallSite, HandlerResult } from './function-calls.js';
import { duckdbString } from './tokenize.js';

type Handler = (c: CallSite) => HandlerResult;

const call = (name: string, ...args: string[]): string => `${name}(${args.join(',')})`;
const at = (c: CallSite, a: Arg | undefined) => a?.nodes.find((n) => n.kind !== 'ws' && n.kind !== 'comment') ?? c.nameToken;

function arity(c: CallSite, min: number, max = min): boolean {
  if (c.args.length >= min && c.args.length <= max) return true;
  const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  c.r.error(c.nameToken, `${c.name} expects ${expected} argument(s), got ${c.args.length}`);
  return false;
}

/** Text of a value Snowflake casts to text implicitly (a DATE given to REVERSE). */
const asText = (a: Arg): string => (a.string !== undefined ? a.text : call('sf_to_varchar', a.text));

/** An integer for DuckDB's bit operators: Snowflake casts the inputs to INTEGER, NUMBER(38, 0) (rounding). */
const bits = (a: Arg): string => `CAST(${a.text.trim()} AS HUGEINT)`;

/** BITAND / BITOR / BITXOR (docs: functions/bitand): the padding argument only applies to BINARY values. */
function bitwise(op: (a: string, b: string) => string): Handler {
  return (c) => {
    if (!arity(c, 2, 3)) return '';
    if (c.args.length === 3) {
      c.r.error(at(c, c.args[2]), `${c.name} with a padding side (${c.args[2].text.trim()}) works on BINARY values, which are outside the subset; use the two-argument form on integers`);
      return '';
    }
    return op(bits(c.args[0]), bits(c.args[1]));
  };
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/**
 * NEXT_DAY / PREVIOUS_DAY(date, 'dow') (docs: functions/next_day): the first such weekday strictly after (before)
 * the date, as a DATE. The day must be a literal: its first two letters or more of an English day name.
 */
function weekday(next: boolean): Handler {
  return (c) => {
    if (!arity(c, 2)) return '';
    const name = c.args[1].string?.trim().toLowerCase();
    const dow = name && name.length >= 2 ? DAYS.findIndex((d) => d.startsWith(name)) : -1;
    if (dow < 0) {
      c.r.error(at(c, c.args[1]), `${c.name}: the day of the week must be a string literal naming it, e.g. 'friday' or 'fr'; got ${c.args[1].text.trim()}`);
      return '';
    }
    return call(next ? 'sf_next_day' : 'sf_previous_day', call('sf_temporal', c.args[0].text), ` ${dow}`);
  };
}

/**
 * CEIL / FLOOR / TRUNC(x, scale) (docs: functions/ceil, functions/floor, functions/trunc): a FLOAT stays a FLOAT;
 * a NUMBER keeps Snowflake's scale, min(its scale, max(scale, 0)), which DuckDB computes only for a literal scale.
 */
function scaled(kind: 'ceil' | 'floor' | 'trunc', alone: (x: string) => string): Handler {
  return (c) => {
    if (!arity(c, 1, 2)) return '';
    const [x, k] = c.args;
    if (k === undefined) return alone(x.text);
    if (k.number !== undefined && Number.isInteger(k.number)) {
      const unit = k.number >= 0 ? (k.number === 0 ? '1' : `0.${'0'.repeat(k.number - 1)}1`) : `1${'0'.repeat(-k.number)}`;
      return call(`sf_${kind}_scale`, x.text, ` ${k.number}`, ` ${unit}`);
    }
    const place = `${c.r.place(c.nameToken)}: ${c.name}(${c.r.render(x.nodes, true).trim()}, ${c.r.render(k.nodes, true).trim()})`;
    return call(`sf_${kind}_any_scale`, x.text, ` CAST(${k.text.trim()} AS INTEGER)`, ` ${duckdbString(place)}`);
  };
}

/**
 * SUM / AVG ([DISTINCT] x): text is cast to FLOAT, as Snowflake does implicitly (docs: functions/sum, usage
 * notes); sf_num is a typed macro, so a NUMBER or FLOAT argument is left exactly as it is.
 */
function numericAggregate(): Handler {
  return (c) => {
    if (!arity(c, 1)) return '';
    const nodes = c.args[0].nodes;
    const k = nodes.findIndex((n) => n.kind !== 'ws' && n.kind !== 'comment');
    const distinct = k >= 0 && nodes[k].kind === 'word' && (nodes[k] as { text: string }).text.toUpperCase() === 'DISTINCT';
    const arg = distinct ? c.r.render(nodes.slice(k + 1)) : c.args[0].text;
    return `${c.nameToken.text}(${distinct ? 'DISTINCT ' : ''}sf_num(${arg.trim()}))`;
  };
}

const substr: Handler = (c) => {
  if (!arity(c, 2, 3)) return '';
  const [s, p, n] = c.args;
  return n ? call('sf_substr', asText(s), p.text, n.text) : call('sf_substr_from', asText(s), p.text);
};

export const SCALAR_HANDLERS: Record<string, Handler> = {
  BITAND: bitwise((a, b) => `(${a} & ${b})`),
  BITOR: bitwise((a, b) => `(${a} | ${b})`),
  BITXOR: bitwise((a, b) => call('xor', a, b)),
  BITNOT: (c) => (arity(c, 1) ? `(~${bits(c.args[0])})` : ''),
  // A shift past 127 bits, or of a negative number to the left, is an error on DuckDB (Snowflake wraps).
  BITSHIFTLEFT: (c) => (arity(c, 2) ? `(${bits(c.args[0])} << CAST(${c.args[1].text.trim()} AS INTEGER))` : ''),
  BITSHIFTRIGHT: (c) => (arity(c, 2) ? `(${bits(c.args[0])} >> CAST(${c.args[1].text.trim()} AS INTEGER))` : ''),

  // INSERT(base, pos, len, ins): len characters from pos replaced by ins (docs: functions/insert).
  INSERT: (c) => (arity(c, 4) ? call('sf_insert', ...c.args.map((a) => a.text)) : ''),
  // SUBSTR: a start of 0 is 1 and a negative length gives '' (DuckDB counts 0 as before the first character).
  SUBSTR: substr,
  SUBSTRING: substr,
  // LEFT / RIGHT with a negative length give '' (DuckDB's drop characters from the other end).
  LEFT: (c) => (arity(c, 2) ? call('sf_left', asText(c.args[0]), c.args[1].text) : ''),
  RIGHT: (c) => (arity(c, 2) ? call('sf_right', asText(c.args[0]), c.args[1].text) : ''),
  REVERSE: (c) => (arity(c, 1) ? call('reverse', asText(c.args[0])) : ''),
  // The pad defaults to a space (docs: functions/lpad).
  LPAD: (c) => (arity(c, 2, 3) ? call('lpad', asText(c.args[0]), c.args[1].text, c.args[2]?.text ?? " ' '") : ''),
  RPAD: (c) => (arity(c, 2, 3) ? call('rpad', asText(c.args[0]), c.args[1].text, c.args[2]?.text ?? " ' '") : ''),
  // The code point of the first character; 0 for '' (DuckDB's unicode() gives -1, and UNICODE is a keyword there).
  UNICODE: (c) => (arity(c, 1) ? call('sf_unicode', c.args[0].text) : ''),
  CHAR: (c) => (arity(c, 1) ? call('chr', c.args[0].text) : ''),
  COLLATE: (c) => {
    c.r.error(c.nameToken, 'COLLATE is not supported on DuckDB: collations compare, sort and convert case differently there; use UPPER() or LOWER() on both sides for a case-insensitive comparison');
    return '';
  },

  SUM: numericAggregate(),
  AVG: numericAggregate(),

  GREATEST_IGNORE_NULLS: (c) => (arity(c, 1, Infinity) ? call('list_max', `[${c.args.map((a) => a.text).join(',')}]`) : ''),
  LEAST_IGNORE_NULLS: (c) => (arity(c, 1, Infinity) ? call('list_min', `[${c.args.map((a) => a.text).join(',')}]`) : ''),
  NEXT_DAY: weekday(true),
  PREVIOUS_DAY: weekday(false),

  CEIL: scaled('ceil', (x) => call('ceil', x)),
  FLOOR: scaled('floor', (x) => call('floor', x)),
  // LOG(base, x): Snowflake has no one-argument form (DuckDB's is base 10).
  LOG: (c) => (arity(c, 2) ? call('log', c.args[0].text, c.args[1].text) : ''),
  VARIANCE_SAMP: (c) => (arity(c, 1) ? call('var_samp', c.args[0].text) : ''),
  VARIANCE_POP: (c) => (arity(c, 1) ? call('var_pop', c.args[0].text) : ''),
};

/** TRUNC(x, scale) on a number, for the TRUNC handler that also truncates dates. */
export const truncNumber: Handler = scaled('trunc', (x) => call('trunc', x));

const macro = (body: string): string => `CREATE OR REPLACE TEMP MACRO ${body}`;

/**
 * CEIL, FLOOR or TRUNC of x at k decimals (negative k: tens, hundreds ...). A FLOAT is scaled, rounded and
 * scaled back in DOUBLE, snapping a product within rounding noise of a whole number to it (135.135 * 1000 is
 * 135135, not 135135.00000000001). A NUMBER is exact: DuckDB's trunc(x, k) already has Snowflake's result
 * scale, min(S, max(k, 0)), and one unit of the k-th decimal (written by the handler as a literal, as k must
 * be) moves it up or down. struct_extract picks the branch whose type fits, while DuckDB binds the query.
 */
function scaleMacros(kind: 'ceil' | 'floor' | 'trunc'): string[] {
  const fn = (y: string): string => `${kind}(sf_snap(${y}))`;
  const cut = { ceil: 'CASE WHEN trunc(x, k) < x THEN trunc(x, k) + unit ELSE trunc(x, k) END', floor: 'CASE WHEN trunc(x, k) > x THEN trunc(x, k) - unit ELSE trunc(x, k) END', trunc: 'trunc(x, k)' }[kind];
  return [
    macro(`sf_${kind}_float(x, k) AS CASE WHEN abs(x * pow(10, k)) >= 4503599627370496 THEN x
      WHEN k >= 0 THEN ${fn('x * pow(10, k)')} / pow(10, k) ELSE ${fn('x / pow(10, -k)')} * pow(10, -k) END`),
    macro(`sf_${kind}_scale(x, k, unit) AS struct_extract({'f': sf_${kind}_float(CAST(x AS DOUBLE), k), 'same': x, 'cut': ${cut}},
      CASE WHEN typeof(x) IN ('FLOAT', 'DOUBLE') THEN 'f' WHEN k >= sf_scale(x) THEN 'same' ELSE 'cut' END)`),
    macro(`sf_${kind}_any_scale(x, k, place) AS CASE WHEN typeof(x) IN ('FLOAT', 'DOUBLE') THEN sf_${kind}_float(x, k)
      ELSE error(place || ': on a NUMBER the scale must be a whole number literal, e.g. ${kind.toUpperCase()}(x, 2); or cast x to FLOAT') END`),
  ];
}

/** The macros the handlers above call; run with the others in macros.ts. */
export const SCALAR_MACROS: string[] = [
  macro('sf_num(x VARCHAR) AS CAST(x AS DOUBLE), (x) AS x'),
  macro('sf_insert(b, p, l, s) AS substring(b, 1, p - 1) || s || substring(b, p + l)'),
  macro(`sf_substr(s, p, n) AS CASE WHEN n < 0 THEN (CASE WHEN s IS NULL OR p IS NULL THEN NULL ELSE '' END)
    ELSE substring(s, CASE WHEN p = 0 THEN 1 ELSE p END, n) END`),
  macro('sf_substr_from(s, p) AS substring(s, CASE WHEN p = 0 THEN 1 ELSE p END)'),
  macro(`sf_left(s, n) AS CASE WHEN n < 0 THEN (CASE WHEN s IS NULL THEN NULL ELSE '' END) ELSE left(s, n) END`),
  macro(`sf_right(s, n) AS CASE WHEN n < 0 THEN (CASE WHEN s IS NULL THEN NULL ELSE '' END) ELSE right(s, n) END`),
  macro(`sf_unicode(s) AS CASE WHEN s = '' THEN 0 ELSE ord(s) END`),
  macro('sf_next_day(d, dow) AS CAST(d AS DATE) + CAST((dow - dayofweek(CAST(d AS DATE)) + 6) % 7 + 1 AS INTEGER)'),
  macro('sf_previous_day(d, dow) AS CAST(d AS DATE) - CAST((dayofweek(CAST(d AS DATE)) - dow + 6) % 7 + 1 AS INTEGER)'),
  macro('sf_snap(y) AS CASE WHEN abs(y - round(y)) <= abs(y) * 1e-15 THEN round(y) ELSE y END'),
  ...scaleMacros('ceil'),
  ...scaleMacros('floor'),
  ...scaleMacros('trunc'),
];
