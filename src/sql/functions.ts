// Snowflake functions by name: how each call becomes DuckDB SQL. A handler gets the call's arguments already
// translated and returns the replacement text. Functions without a handler run as written only when
// function-names.ts lists them as giving Snowflake's result on DuckDB; any other call is a diagnostic (with a
// hint for those listed as unsupported here).
// docs: https://docs.snowflake.com/en/sql-reference/functions-all (each function's page states the semantics
// the handlers and the macros in macros.ts follow).
import type { Token } from './tokenize.js';
import { duckdbString } from './tokenize.js';
import { JSON_HOLE, UNDEFINED_ELEMENT } from './macros.js';
import { divisionSql } from './numbers.js';
import { sourceText, type Group, type SqlNode } from './tree.js';
import {
  canonicalPart,
  DUCKDB_EXTRACT_PART,
  duckdbJsonPath,
  duckdbTimeFormat,
  INTERVAL_PARTS,
  parseSnowflakePath,
} from './snowflake.js';
import { SCALAR_HANDLERS, truncNumber } from './scalar-functions.js';

export interface Arg {
  /** The argument's nodes, trivia included. */
  nodes: SqlNode[];
  /** The translated text, trivia included, so line breaks between arguments survive. */
  text: string;
  /** The value when the argument is a single string literal. */
  string?: string;
  /** The value when the argument is a single (possibly negative) number literal. */
  number?: number;
  /** The upper-cased word when the argument is a single bare word (a date part, TRUE, NULL...). */
  word?: string;
}

/** What handlers may ask of the translator. */
export interface Renderer {
  /** Translated text of nodes; compact drops comments and line breaks (for an argument written twice). */
  render(nodes: SqlNode[], compact?: boolean): string;
  error(at: SqlNode, message: string): void;
  /** The file diagnostics name. */
  readonly file: string;
  /** `file:line:col` of a token, for errors raised when the translated query runs. */
  place(at: Token): string;
  /** A SQL string naming where a construct is (file:line:col: the construct as written), for errors raised at run time. */
  placeLiteral(at: SqlNode, shown: string): string;
}

export interface CallSite {
  /** Upper-cased function name. */
  name: string;
  nameToken: Token;
  group: Group;
  args: Arg[];
  /** The sequence that holds the call, and the index just after its argument list. */
  nodes: SqlNode[];
  end: number;
  r: Renderer;
}

/** Replacement text; `end` when the handler consumed nodes after the argument list (WITHIN GROUP, OVER). */
export type HandlerResult = string | { text: string; end: number };
type Handler = (c: CallSite) => HandlerResult;

const call = (name: string, ...args: string[]): string => `${name}(${args.join(',')})`;
const lit = (s: string): string => duckdbString(s);
const compact = (c: CallSite, a: Arg): string => c.r.render(a.nodes, true).trim();
/** An argument's text with at least one space before it, for use after a keyword. */
const sp = (a: Arg): string => (/^\s/.test(a.text) ? a.text : ` ${a.text}`);

function arity(c: CallSite, min: number, max = min): boolean {
  if (c.args.length < min || c.args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    c.r.error(c.nameToken, `${c.name} expects ${expected} argument(s), got ${c.args.length}`);
    return false;
  }
  return true;
}

/** A date or time part given as a word (day) or a string ('day'). */
function partArg(c: CallSite, a: Arg | undefined, allowed?: Set<string>): string | undefined {
  const raw = a?.word ?? a?.string;
  const part = raw === undefined ? undefined : canonicalPart(raw);
  if (!part || (allowed && !allowed.has(part))) {
    c.r.error(a?.nodes.find((n) => n.kind !== 'ws') ?? c.nameToken, `${c.name}: unsupported date or time part ${sourceOf(a)}; expected one of ${[...(allowed ?? INTERVAL_PARTS)].join(', ')}`);
    return undefined;
  }
  return part;
}

function sourceOf(a: Arg | undefined): string {
  return a ? a.text.trim() : '(missing)';
}

/**
 * A date or time argument as DuckDB needs it: a string literal is a TIME when it is only a time of day
 * ('10:59'), an ISO timestamp cast directly, and any other text goes through sf_temporal, which reads
 * Snowflake's AUTO input formats ('15-Mar-2024', '03/15/2024'); a column of text is read the same way at run time.
 */
function temporal(a: Arg): string {
  const lead = /^\s*/.exec(a.text)![0];
  if (a.word === 'NULL') return `${lead}CAST(NULL AS TIMESTAMP)`;
  if (a.string === undefined) return call('sf_temporal', a.text);
  if (/^\s*\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*$/.test(a.string)) return `${lead}CAST(${a.text.trim()} AS TIME)`;
  if (/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(a.string.trim())) return `${lead}CAST(${a.text.trim()} AS TIMESTAMP)`;
  return call('sf_temporal', a.text);
}

/** Text for casting a non-literal to VARCHAR with Snowflake's VARIANT and timestamp rules. */
function text(a: Arg): string {
  return a.string !== undefined ? a.text : call('sf_to_varchar', a.text);
}

const PLAIN_RENAMES: Record<string, string> = {
  NVL: 'coalesce',
  STARTSWITH: 'starts_with',
  ENDSWITH: 'ends_with',
  LEN: 'length',
  BOOLAND_AGG: 'bool_and',
  BOOLOR_AGG: 'bool_or',
  SPLIT: 'sf_split',
  SPLIT_PART: 'sf_split_part',
  CHARINDEX: 'sf_charindex',
  ARRAY_SIZE: 'sf_array_size',
  ARRAY_CONTAINS: 'sf_array_contains',
  ARRAY_TO_STRING: 'sf_array_to_string',
  ARRAY_CAT: 'sf_array_cat',
  ARRAY_COMPACT: 'sf_array_compact',
  ARRAY_DISTINCT: 'sf_array_distinct',
  OBJECT_KEYS: 'sf_object_keys',
  TYPEOF: 'sf_typeof',
  IS_NULL_VALUE: 'sf_is_null_value',
  STRIP_NULL_VALUE: 'sf_strip_null_value',
  AS_VARCHAR: 'sf_as_varchar',
  AS_CHAR: 'sf_as_varchar',
  AS_DOUBLE: 'sf_as_number',
  AS_BOOLEAN: 'sf_as_boolean',
  TO_ARRAY: 'sf_to_array',
  TO_VARIANT: 'sf_to_variant',
  TO_OBJECT: 'to_json',
  ADD_MONTHS: 'sf_add_months_eom',
  DATE_FROM_PARTS: 'sf_date_from_parts',
  DATEFROMPARTS: 'sf_date_from_parts',
  TIME_FROM_PARTS: 'make_time',
  TIMEFROMPARTS: 'make_time',
  YEAROFWEEK: 'isoyear',
  YEAROFWEEKISO: 'isoyear',
  WEEKISO: 'week',
  DAYOFWEEKISO: 'isodow',
  EDITDISTANCE: 'levenshtein',
};

/** Exact argument counts for the renamed functions, where Snowflake has optional arguments DuckDB lacks. */
const RENAME_ARITY: Record<string, [number, number]> = {
  SPLIT: [2, 2],
  SPLIT_PART: [3, 3],
  CHARINDEX: [2, 3],
  EDITDISTANCE: [2, 2],
  ARRAY_SIZE: [1, 1],
  ARRAY_CONTAINS: [2, 2],
  ADD_MONTHS: [2, 2],
  DATE_FROM_PARTS: [3, 3],
  DATEFROMPARTS: [3, 3],
};

function temporalPartFunction(part: string, x: string): string {
  if (part === 'epoch_second') return `CAST(floor(epoch(${x})) AS BIGINT)`;
  if (part === 'epoch_millisecond') return call('epoch_ms', x);
  if (part === 'epoch_microsecond') return call('epoch_us', x);
  if (part === 'epoch_nanosecond') return call('epoch_ns', x);
  // DuckDB's nanosecond counts from the start of the minute; Snowflake's is the fraction of the second.
  if (part === 'nanosecond') return `(${call('date_part', ` 'microsecond'`, x)} % 1000000 * 1000)`;
  return call('date_part', ` ${lit(DUCKDB_EXTRACT_PART[part] ?? part)}`, x);
}

/** The parts DATE_PART and EXTRACT accept (DATEADD's millisecond and microsecond are not among them). */
const EXTRACT_PARTS = new Set(
  [...Object.keys(DUCKDB_EXTRACT_PART), 'epoch_second', 'epoch_millisecond', 'epoch_microsecond', 'epoch_nanosecond'].filter(
    (p) => p !== 'millisecond' && p !== 'microsecond',
  ),
);

const DATEADD: Handler = (c) => {
  if (!arity(c, 3)) return '';
  const part = partArg(c, c.args[0], INTERVAL_PARTS);
  if (!part) return '';
  const n = c.args[1].text;
  const x = temporal(c.args[2]);
  // Whole units: the amount is rounded to an integer (BIGINT, so microsecond totals cannot overflow).
  const scaled = (k: number): string => `CAST(${n} AS BIGINT)${k === 1 ? '' : `*${k}`}`;
  switch (part) {
    case 'year':
      return call('sf_add_months', x, scaled(12));
    case 'quarter':
      return call('sf_add_months', x, scaled(3));
    case 'month':
      return call('sf_add_months', x, scaled(1));
    case 'week':
      return call('sf_add_days', x, scaled(7));
    case 'day':
      return call('sf_add_days', x, scaled(1));
    case 'nanosecond':
      return call('sf_add_micros', x, `CAST(${n} AS BIGINT)//1000`);
    default: {
      const micros: Record<string, number> = { hour: 3600000000, minute: 60000000, second: 1000000, millisecond: 1000, microsecond: 1 };
      return call('sf_add_micros', x, scaled(micros[part]));
    }
  }
};

const DATEDIFF: Handler = (c) => {
  if (!arity(c, 3)) return '';
  const part = partArg(c, c.args[0], INTERVAL_PARTS);
  if (!part) return '';
  const a = temporal(c.args[1]);
  const b = temporal(c.args[2]);
  if (part === 'week') return call('sf_datediff_week', a, b);
  if (part === 'nanosecond') return `(${call('date_diff', ` 'microsecond'`, a, b)} * 1000)`;
  return call('date_diff', ` ${lit(part)}`, a, b);
};

const DATE_TRUNC: Handler = (c) => {
  if (!arity(c, 2)) return '';
  const part = partArg(c, c.args[0], INTERVAL_PARTS);
  if (!part) return '';
  return call('sf_date_trunc', ` ${lit(part === 'nanosecond' ? 'microsecond' : part)}`, temporal(c.args[1]));
};

/** TRUNC(<date>, 'part') truncates a date; TRUNC(<number>[, scale]) a number. */
const TRUNC: Handler = (c) => {
  const second = c.args[1];
  const part = second?.string !== undefined ? canonicalPart(second.string) : undefined;
  if (c.args.length === 2 && part && INTERVAL_PARTS.has(part)) {
    return call('sf_date_trunc', ` ${lit(part)}`, temporal(c.args[0]));
  }
  return truncNumber(c);
};

/** ROUND(x[, n[, mode]]): NUMBER rounds half away from zero on both sides; HALF_TO_EVEN has a macro. */
const ROUND: Handler = (c) => {
  if (!arity(c, 1, 3)) return '';
  const [x, n, mode] = c.args;
  if (mode === undefined) return call('round', ...c.args.map((a) => a.text));
  const m = mode.string?.toUpperCase();
  if (m === 'HALF_AWAY_FROM_ZERO') return call('round', x.text, n.text);
  if (m !== 'HALF_TO_EVEN') {
    c.r.error(mode.nodes.find((k) => k.kind !== 'ws') ?? c.nameToken, `ROUND: the rounding mode must be 'HALF_AWAY_FROM_ZERO' or 'HALF_TO_EVEN', got ${sourceOf(mode)}`);
    return '';
  }
  if (n.number === undefined || !Number.isInteger(n.number) || n.number < 0) {
    c.r.error(n.nodes.find((k) => k.kind !== 'ws') ?? c.nameToken, `ROUND with 'HALF_TO_EVEN' needs the scale as a whole number 0 or more, e.g. ROUND(x, 2, 'HALF_TO_EVEN'); got ${sourceOf(n)}`);
    return '';
  }
  return call('sf_round_half_even', x.text, n.text, c.r.placeLiteral(c.nameToken, c.nameToken.text.toUpperCase()));
};

const DATE_PART: Handler = (c) => {
  if (!arity(c, 2)) return '';
  const part = partArg(c, c.args[0], EXTRACT_PARTS);
  if (!part) return '';
  return temporalPartFunction(part, temporal(c.args[1]));
};

/** EXTRACT(<part> FROM <expr>); the part may be quoted, and EXTRACT(<part>, <expr>) is DATE_PART. */
const EXTRACT: Handler = (c) => {
  const children = c.group.children;
  const from = children.findIndex((n) => n.kind === 'word' && n.text.toUpperCase() === 'FROM');
  if (from < 0 && c.args.length === 2) return DATE_PART(c);
  const partToken = children.find((n) => n.kind === 'word' || n.kind === 'string') as Token | undefined;
  if (from < 0 || !partToken || children.indexOf(partToken) > from) {
    c.r.error(c.nameToken, 'EXTRACT expects EXTRACT(<part> FROM <expression>) or EXTRACT(<part>, <expression>)');
    return '';
  }
  const raw = partToken.kind === 'string' ? (partToken.value ?? '') : partToken.text;
  const part = canonicalPart(raw);
  if (!part || !EXTRACT_PARTS.has(part)) {
    c.r.error(partToken, `EXTRACT: unsupported date or time part ${raw}; expected one of ${[...EXTRACT_PARTS].join(', ')}`);
    return '';
  }
  const exprNodes = children.slice(from + 1);
  const only = exprNodes.filter((n) => n.kind !== 'ws' && n.kind !== 'comment');
  const expr: Arg = { nodes: exprNodes, text: c.r.render(exprNodes) };
  if (only.length === 1 && only[0].kind === 'string') expr.string = (only[0] as Token).value;
  return temporalPartFunction(part, temporal(expr));
};

const LAST_DAY: Handler = (c) => {
  if (!arity(c, 1, 2)) return '';
  if (c.args.length === 1) return call('last_day', temporal(c.args[0]));
  const part = partArg(c, c.args[1], new Set(['year', 'quarter', 'month', 'week']));
  return part ? call('sf_last_day', temporal(c.args[0]), ` ${lit(part)}`) : '';
};

/** Builds TO_DATE / TO_TIMESTAMP_* and their TRY_ versions. */
function toTemporal(kind: 'date' | 'ntz' | 'tz', tryIt: boolean): Handler {
  return (c) => {
    if (!arity(c, 1, 2)) return '';
    const [x, second] = c.args;
    const nullInput = x.word === 'NULL';
    const duckType = kind === 'date' ? 'DATE' : kind === 'ntz' ? 'TIMESTAMP' : 'TIMESTAMPTZ';
    if (nullInput) return `CAST(NULL AS ${duckType})`;
    if (second === undefined || second.string?.toUpperCase() === 'AUTO') {
      const macro = { date: 'sf_to_date', ntz: 'sf_to_timestamp_ntz', tz: 'sf_to_timestamp_tz' }[kind];
      return call(tryIt ? macro.replace('sf_', 'sf_try_') : macro, x.text);
    }
    if (second.number !== undefined && kind !== 'date') {
      const ts = call('sf_scaled_epoch_to_timestamp', x.text, second.text);
      return kind === 'tz' ? `CAST(${ts} AS TIMESTAMPTZ)` : ts;
    }
    if (second.string !== undefined) {
      const format = duckdbTimeFormat(second.string);
      if (format === undefined) {
        c.r.error(second.nodes.find((n) => n.kind === 'string') ?? c.nameToken, `${c.name}: format ${lit(second.string)} uses elements outside the supported subset (YYYY YY MM MON MMMM DD DY HH24 HH12 AM PM MI SS FF TZH:TZM)`);
        return '';
      }
      return `CAST(${call(tryIt ? 'try_strptime' : 'strptime', x.text, ` ${lit(format)}`)} AS ${duckType})`;
    }
    c.r.error(c.nameToken, `${c.name}: the second argument must be a format string literal or an integer scale`);
    return '';
  };
}

/** TO_TIME / TIME / TRY_TO_TIME: text of digits is epoch seconds, milliseconds, ... by magnitude (docs: to_time). */
function toTime(tryIt: boolean): Handler {
  return (c) => {
    if (!arity(c, 1, 2)) return '';
    const [x, second] = c.args;
    if (x.word === 'NULL') return 'CAST(NULL AS TIME)';
    if (second === undefined || second.string?.toUpperCase() === 'AUTO') return call(tryIt ? 'sf_try_to_time' : 'sf_to_time', x.text);
    const format = second.string === undefined ? undefined : duckdbTimeFormat(second.string);
    if (format === undefined) {
      c.r.error(second.nodes.find((n) => n.kind !== 'ws') ?? c.nameToken, `${c.name}: the format must be a string literal of the supported elements (HH24 HH12 AM PM MI SS FF), got ${sourceOf(second)}`);
      return '';
    }
    return `CAST(${call(tryIt ? 'try_strptime' : 'strptime', x.text, ` ${lit(format)}`)} AS TIME)`;
  };
}

function toNumber(tryIt: boolean, fixed?: string): Handler {
  return (c) => {
    if (fixed) return arity(c, 1) ? `${tryIt ? 'TRY_CAST' : 'CAST'}(${c.args[0].text} AS ${fixed})` : '';
    if (!arity(c, 1, 4)) return '';
    const [x, ...rest] = c.args;
    if (rest[0]?.string !== undefined) {
      c.r.error(c.nameToken, `${c.name}: number format models such as ${lit(rest[0].string)} are not supported on DuckDB; strip the symbols and give precision and scale, e.g. ${c.name}(REPLACE(x, ',', ''), 12, 2)`);
      return '';
    }
    const [p, s] = rest.map((a) => a.text.trim());
    return `${tryIt ? 'TRY_CAST' : 'CAST'}(${x.text} AS DECIMAL(${p ?? '38'}, ${s ?? '0'}))`;
  };
}

const TO_VARCHAR: Handler = (c) => {
  if (!arity(c, 1, 2)) return '';
  if (c.args.length === 1) return text(c.args[0]);
  const f = c.args[1].string;
  const format = f === undefined ? undefined : duckdbTimeFormat(f);
  if (f !== undefined && /^[\s90.,$SXDGBLVE]*(MI|PR)?$/i.test(f.replace(/^FM/i, ''))) {
    c.r.error(c.nameToken, `${c.name}: number format models such as ${lit(f)} are not supported on DuckDB; round and cast instead, e.g. TO_VARCHAR(ROUND(x, 2))`);
    return '';
  }
  if (f !== undefined && format === undefined && /[A-Za-z]/.test(f.replace(/"[^"]*"/g, ''))) {
    // A letter outside the known elements and outside double quotes: name the format, not the value's type.
    c.r.error(c.args[1].nodes.find((n) => n.kind === 'string') ?? c.nameToken, `${c.name}: format ${lit(f)} uses elements outside the supported subset (YYYY YY MM MON MMMM DD DY HH24 HH12 AM PM MI SS FF TZH:TZM); write literal text in double quotes, e.g. 'YYYY"Q"'`);
    return '';
  }
  if (format === undefined || format === f) {
    c.r.error(c.nameToken, `${c.name}: the format ${f === undefined ? 'must be a string literal' : `${lit(f)} uses elements outside the supported date and time subset`} (YYYY MM DD HH24 MI SS FF TZH:TZM ...)`);
    return '';
  }
  return call('strftime', c.args[0].text, ` ${lit(format)}`);
};

/** Regular-expression parameters (c i m s e) as an RE2 flag prefix, or undefined for an unsupported one. */
function regexFlags(c: CallSite, a: Arg | undefined): { prefix: string; extract: boolean } | undefined {
  if (a === undefined) return { prefix: '', extract: false };
  if (a.string === undefined) {
    c.r.error(c.nameToken, `${c.name}: regular-expression parameters must be a string literal`);
    return undefined;
  }
  let i = false;
  let m = false;
  let s = false;
  let e = false;
  for (const ch of a.string) {
    if (ch === 'c') i = false;
    else if (ch === 'i') i = true;
    else if (ch === 'm') m = true;
    else if (ch === 's') s = true;
    else if (ch === 'e') e = true;
    else {
      c.r.error(c.nameToken, `${c.name}: unsupported regular-expression parameter '${ch}' (supported: c i m s e)`);
      return undefined;
    }
  }
  const flags = `${i ? 'i' : ''}${m ? 'm' : ''}${s ? 's' : ''}`;
  return { prefix: flags ? `(?${flags})` : '', extract: e };
}

function pattern(a: Arg, prefix: string): string {
  if (!prefix) return a.text;
  return a.string !== undefined ? ` ${lit(prefix + a.string)}` : `${lit(prefix)} || (${a.text})`;
}

const REGEXP_LIKE: Handler = (c) => {
  if (!arity(c, 2, 3)) return '';
  const flags = regexFlags(c, c.args[2]);
  if (!flags) return '';
  // Snowflake matches the whole subject, as if the pattern were anchored at both ends.
  return call('regexp_full_match', c.args[0].text, pattern(c.args[1], flags.prefix));
};

const REGEXP_SUBSTR: Handler = (c) => {
  if (!arity(c, 2, 6)) return '';
  const [s, p, pos, occ, params, group] = c.args;
  const flags = regexFlags(c, params);
  if (!flags) return '';
  const grp = group ? group.text : flags.extract ? ' 1' : ' 0';
  return call('sf_regexp_substr', s.text, pattern(p, flags.prefix), pos ? pos.text : ' 1', occ ? occ.text : ' 1', grp);
};

const REGEXP_SUBSTR_ALL: Handler = (c) => {
  if (!arity(c, 2, 6)) return '';
  const [s, p, pos, occ, params, group] = c.args;
  const flags = regexFlags(c, params);
  if (!flags) return '';
  const grp = group ? group.text : flags.extract ? ' 1' : ' 0';
  const all = call('regexp_extract_all', call('substring', s.text, pos ? pos.text : ' 1'), pattern(p, flags.prefix), grp);
  return `to_json(${all}[${occ ? occ.text.trim() : '1'}:])`;
};

const REGEXP_REPLACE: Handler = (c) => {
  if (!arity(c, 2, 6)) return '';
  const [s, p, r, pos, occ, params] = c.args;
  const flags = regexFlags(c, params);
  if (!flags) return '';
  if (occ && occ.number !== 0 && occ.number !== 1) {
    c.r.error(c.nameToken, 'REGEXP_REPLACE: only occurrence 0 (every match) or 1 (the first) is supported');
    return '';
  }
  const all = occ === undefined || occ.number === 0;
  return call('sf_regexp_replace', s.text, pattern(p, flags.prefix), r ? r.text : " ''", pos ? pos.text : ' 1', all ? ' true' : ' false');
};

const REGEXP_COUNT: Handler = (c) => {
  if (!arity(c, 2, 4)) return '';
  const [s, p, pos, params] = c.args;
  const flags = regexFlags(c, params);
  if (!flags) return '';
  return call('sf_regexp_count', s.text, pattern(p, flags.prefix), pos ? pos.text : ' 1');
};

const DECODE: Handler = (c) => {
  if (!arity(c, 3, Infinity)) return '';
  const [expr, ...rest] = c.args;
  const first = expr.text;
  const copy = compact(c, expr);
  let out = '(CASE';
  for (let k = 0; k + 1 < rest.length; k += 2) {
    // Unlike CASE, DECODE matches NULL with NULL.
    out += ` WHEN ${k === 0 ? first : copy} IS NOT DISTINCT FROM${sp(rest[k])} THEN${sp(rest[k + 1])}`;
  }
  if (rest.length % 2 === 1) out += ` ELSE${sp(rest[rest.length - 1])}`;
  return `${out} END)`;
};

/** The ORDER BY of a WITHIN GROUP (...) and the OVER (...) that follow an aggregate's argument list. */
function aggregateTail(c: CallSite): { orderBy: string; over: string; end: number } {
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
function findWord(nodes: SqlNode[], word: string): Token | undefined {
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

function skipTrivia(nodes: SqlNode[], i: number): number {
  while (i < nodes.length && (nodes[i].kind === 'ws' || nodes[i].kind === 'comment')) i++;
  return i;
}

function isWordNode(n: SqlNode | undefined, word: string): boolean {
  return n !== undefined && n.kind === 'word' && n.text.toUpperCase() === word;
}

/** Splits a leading DISTINCT off the first argument. */
function distinctArg(c: CallSite): { distinct: boolean; arg: Arg } {
  const a = c.args[0];
  const k = skipTrivia(a.nodes, 0);
  if (isWordNode(a.nodes[k], 'DISTINCT')) {
    const nodes = a.nodes.slice(k + 1);
    return { distinct: true, arg: { nodes, text: c.r.render(nodes) } };
  }
  return { distinct: false, arg: a };
}

function arrayAgg(forceDistinct: boolean): Handler {
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

const LISTAGG: Handler = (c) => {
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
const CONDITIONAL_TRUE_EVENT: Handler = (c) => {
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
const VALUE_IN_WINDOW: Handler = (c) => {
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
const COUNT: Handler = (c) => {
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
function starColumns(c: CallSite, core: SqlNode[], starAt: number): string | undefined {
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
function extremeBy(descending: boolean): Handler {
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
const STDDEV: Handler = (c) => {
  if (!arity(c, 1)) return '';
  const { distinct, arg } = distinctArg(c);
  const t = c.nameToken;
  const place = lit(`${c.r.file}:${t.line}:${t.col}: ${t.text}${sourceText(c.group).replace(/\s+/g, ' ')}`);
  return `${t.text}(${distinct ? 'DISTINCT ' : ''}sf_float_only(${arg.text.trim()}, ${place}))`;
};

const OBJECT_AGG: Handler = (c) => {
  if (!arity(c, 2)) return '';
  const [k, v] = c.args;
  const tail = aggregateTail(c);
  const entries = `list({'k': CAST(${k.text} AS VARCHAR), 'v': to_json(${v.text})}) FILTER (WHERE ${compact(c, k)} IS NOT NULL AND ${compact(c, v)} IS NOT NULL)${tail.over}`;
  return { text: `coalesce(to_json(map_from_entries(${entries})), '{}'::JSON)`, end: tail.end };
};

function objectConstruct(keepNull: boolean): Handler {
  return (c) => {
    if (c.args.length === 1 && c.args[0].text.trim() === '*') {
      c.r.error(c.nameToken, `${c.name}(*) is not supported; list the keys and values`);
      return '';
    }
    if (c.args.length === 0) return `'{}'::JSON`;
    if (c.args.length % 2 !== 0) {
      c.r.error(c.nameToken, `${c.name} expects key, value pairs`);
      return '';
    }
    const entries: string[] = [];
    for (let k = 0; k < c.args.length; k += 2) {
      const value = keepNull ? `coalesce(to_json(${c.args[k + 1].text}), 'null'::JSON)` : `to_json(${c.args[k + 1].text})`;
      entries.push(`{'k': CAST(${c.args[k].text} AS VARCHAR), 'v': ${value}}`);
    }
    // NULL values drop their key (OBJECT_CONSTRUCT) or become JSON null (OBJECT_CONSTRUCT_KEEP_NULL).
    return call('sf_object_from_entries', `[${entries.join(',')}]`);
  };
}

/**
 * ARRAY_CONSTRUCT(...) and [...]: `place` names the construct for the run-time error a SQL NULL element raises
 * (Snowflake keeps it as an undefined element, which JSON cannot hold); ARRAY_CONSTRUCT_COMPACT leaves NULLs out.
 */
export function arrayConstruct(elements: string[], place: string | 'compact'): string {
  if (elements.length === 0) return `'[]'::JSON`;
  const list = `[${elements.map((e) => `to_json(${e})`).join(',')}]`;
  return place === 'compact' ? `to_json(list_filter(${list}, lambda e: e IS NOT NULL))` : call('sf_array_of', list, place);
}

/** The message for a literal NULL given as an ARRAY element (see UNDEFINED_ELEMENT). */
export function undefinedElementMessage(construct: string): string {
  return `${construct}: ${UNDEFINED_ELEMENT}`;
}

/** Refuses literal NULL arguments that would become undefined ARRAY elements; true when there are none. */
function noNullElements(c: CallSite, args: Arg[]): boolean {
  const literal = args.find((a) => a.word === 'NULL');
  if (literal) c.r.error(literal.nodes.find((n) => n.kind !== 'ws') ?? c.nameToken, undefinedElementMessage(`${c.name} with a SQL NULL element`));
  return literal === undefined;
}

const callPlace = (c: CallSite): string => c.r.placeLiteral(c.nameToken, `${c.nameToken.text}(...)`);

/** ARRAY_APPEND(array, x) / ARRAY_PREPEND(array, x). */
function arrayAdd(macroName: string): Handler {
  return (c) => (arity(c, 2) && noNullElements(c, [c.args[1]]) ? call(macroName, c.args[0].text, c.args[1].text, ` ${callPlace(c)}`) : '');
}

/** Whether JSON text has an empty element ([1, ,2], [1,]) outside its string literals. */
export function jsonHasHole(text: string): boolean {
  return /[[,]\s*,|,\s*[\]}]/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
}

/** PARSE_JSON(text) / TRY_PARSE_JSON(text): a literal with an empty element is refused here, other text at run time. */
function parseJson(macroName: string): Handler {
  return (c) => {
    if (!arity(c, 1, 2)) return '';
    const [text, parameter] = c.args;
    if (parameter && parameter.string?.toLowerCase() !== 's') {
      // 's' (strict: a duplicate key is an error) is the default; 'd' keeps the last of duplicate keys, which DuckDB's JSON cannot pick.
      c.r.error(parameter.nodes.find((n) => n.kind !== 'ws') ?? c.nameToken, `${c.name}: only the parameter 's' is supported on DuckDB (duplicate keys are an error); got ${parameter.text.trim()}`);
      return '';
    }
    if (text.string !== undefined && jsonHasHole(text.string)) {
      c.r.error(text.nodes.find((n) => n.kind !== 'ws') ?? c.nameToken, `${c.name}: ${JSON_HOLE}`);
      return '';
    }
    return call(macroName, text.text, ` ${callPlace(c)}`);
  };
}

const GET_PATH: Handler = (c) => {
  if (!arity(c, 2)) return '';
  const path = c.args[1].string;
  const steps = path === undefined ? undefined : parseSnowflakePath(path);
  if (!steps) {
    c.r.error(c.nameToken, `${c.name}: the path must be a string literal such as 'a.b[0]'`);
    return '';
  }
  return steps.length ? call('json_extract', c.args[0].text, ` ${lit(duckdbJsonPath(steps))}`) : c.args[0].text;
};

const GET: Handler = (c) => {
  if (!arity(c, 2)) return '';
  const [v, k] = c.args;
  if (k.string !== undefined) return call('json_extract', v.text, ` ${lit(duckdbJsonPath([{ key: k.string }]))}`);
  if (k.number !== undefined && Number.isInteger(k.number) && k.number >= 0) {
    return call('json_extract', v.text, ` ${lit(duckdbJsonPath([{ index: k.number }]))}`);
  }
  return call('sf_get', v.text, k.text);
};

function sha(fn: string, bits: boolean): Handler {
  return (c) => {
    if (!arity(c, 1, bits ? 2 : 1)) return '';
    const size = c.args[1];
    if (size && size.number !== 256 && size.number !== 0) {
      c.r.error(c.nameToken, `${c.name} with ${size.text.trim()} bits is not available on DuckDB; use 256 (the default)`);
      return '';
    }
    return call(fn, text(c.args[0]));
  };
}

function jsonTypeIs(...types: string[]): Handler {
  return (c) => (arity(c, 1) ? `(json_type(${c.args[0].text}) IN (${types.map(lit).join(', ')}))` : '');
}

const CONVERT_TIMEZONE: Handler = (c) => {
  if (!arity(c, 2, 3)) return '';
  if (c.args.length === 3) {
    const [from, to, ts] = c.args;
    return `timezone(${to.text}, timezone(${from.text}, ${temporal(ts)}))`;
  }
  // Two arguments give a TIMESTAMP_TZ: the same instant, whatever zone it is shown in.
  return `CAST(${temporal(c.args[1])} AS TIMESTAMPTZ)`;
};

function substr(c: CallSite): string {
  // SUBSTRING(s FROM p FOR n) has no commas: as written.
  if (c.args.length === 1) return call('substring', c.args[0].text);
  if (!arity(c, 2, 3)) return '';
  const start = c.args[1].number !== undefined ? (c.args[1].number === 0 ? ' 1' : c.args[1].text) : ` CASE WHEN ${compact(c, c.args[1])} = 0 THEN 1 ELSE ${compact(c, c.args[1])} END`;
  return call('substring', c.args[0].text, start, ...c.args.slice(2).map((a) => a.text));
}

const HANDLERS: Record<string, Handler> = {
  IFF: (c) => (arity(c, 3) ? `(CASE WHEN${sp(c.args[0])} THEN${sp(c.args[1])} ELSE${sp(c.args[2])} END)` : ''),
  NVL2: (c) => (arity(c, 3) ? `(CASE WHEN${sp(c.args[0])} IS NOT NULL THEN${sp(c.args[1])} ELSE${sp(c.args[2])} END)` : ''),
  // 0 when the divisor is 0 (or NULL for DIV0NULL); otherwise the quotient with Snowflake's NUMBER scale.
  DIV0: (c) => (arity(c, 2) ? `(CASE WHEN (${compact(c, c.args[1])}) = 0 THEN 0 ELSE ${divisionSql(c.args[0].text, c.args[1].text, lit('DIV0'))} END)` : ''),
  DIV0NULL: (c) =>
    arity(c, 2) ? `(CASE WHEN (${compact(c, c.args[1])}) = 0 OR (${compact(c, c.args[1])}) IS NULL THEN 0 ELSE ${divisionSql(c.args[0].text, c.args[1].text, lit('DIV0NULL'))} END)` : '',
  ZEROIFNULL: (c) => (arity(c, 1) ? call('coalesce', c.args[0].text, ' 0') : ''),
  NULLIFZERO: (c) => (arity(c, 1) ? call('nullif', c.args[0].text, ' 0') : ''),
  EQUAL_NULL: (c) => (arity(c, 2) ? `(${c.args[0].text} IS NOT DISTINCT FROM${sp(c.args[1])})` : ''),
  DECODE,
  GREATEST: (c) => (arity(c, 1, Infinity) ? call('sf_greatest', `[${c.args.map((a) => a.text).join(',')}]`) : ''),
  LEAST: (c) => (arity(c, 1, Infinity) ? call('sf_least', `[${c.args.map((a) => a.text).join(',')}]`) : ''),
  CONCAT: (c) => (arity(c, 1, Infinity) ? call('sf_concat', `[${c.args.map(text).join(',')}]`) : ''),
  CONCAT_WS: (c) =>
    arity(c, 2, Infinity) ? call('sf_concat_ws', c.args[0].text, `[${c.args.slice(1).map(text).join(',')}]`) : '',
  POSITION: (c) => (c.args.length === 1 ? call('position', c.args[0].text) : arity(c, 2, 3) ? call('sf_charindex', ...c.args.map((a) => a.text)) : ''),
  REPLACE: (c) => (arity(c, 2, 3) ? call('replace', c.args[0].text, c.args[1].text, c.args[2] ? c.args[2].text : " ''") : ''),
  UUID_STRING: (c) => (arity(c, 0) ? 'CAST(uuid() AS VARCHAR)' : ''),
  SQUARE: (c) => (arity(c, 1) ? call('power', c.args[0].text, ' 2') : ''),
  DAYNAME: (c) => (arity(c, 1) ? call('left', call('dayname', temporal(c.args[0])), ' 3') : ''),
  MONTHNAME: (c) => (arity(c, 1) ? call('left', call('monthname', temporal(c.args[0])), ' 3') : ''),

  // A start of 0 is the first character in Snowflake (docs: substr examples); DuckDB counts 0 as before it.
  SUBSTR: substr,
  SUBSTRING: substr,
  INITCAP: (c) => (arity(c, 1, 2) ? call(c.args.length === 1 ? 'sf_initcap' : 'sf_initcap_with', ...c.args.map((a) => a.text)) : ''),
  STRTOK: (c) => (arity(c, 1, 3) ? call('sf_strtok', c.args[0].text, c.args[1]?.text ?? " ' '", c.args[2]?.text ?? ' 1') : ''),
  STRTOK_TO_ARRAY: (c) => (arity(c, 1, 2) ? call('sf_strtok_to_array', c.args[0].text, c.args[1]?.text ?? " ' '") : ''),

  REGEXP_LIKE,
  RLIKE: REGEXP_LIKE,
  REGEXP_SUBSTR,
  REGEXP_SUBSTR_ALL,
  REGEXP_EXTRACT_ALL: REGEXP_SUBSTR_ALL,
  REGEXP_REPLACE,
  REGEXP_COUNT,

  DATEADD,
  TIMEADD: DATEADD,
  TIMESTAMPADD: DATEADD,
  DATEDIFF,
  TIMEDIFF: DATEDIFF,
  TIMESTAMPDIFF: DATEDIFF,
  DATE_TRUNC,
  TRUNC,
  TRUNCATE: TRUNC,
  ROUND,
  DATE_PART,
  EXTRACT,
  LAST_DAY,
  CONVERT_TIMEZONE,
  TO_DATE: toTemporal('date', false),
  DATE: toTemporal('date', false),
  TRY_TO_DATE: toTemporal('date', true),
  TO_TIMESTAMP: toTemporal('ntz', false),
  TO_TIMESTAMP_NTZ: toTemporal('ntz', false),
  TO_TIMESTAMP_LTZ: toTemporal('tz', false),
  TO_TIMESTAMP_TZ: toTemporal('tz', false),
  TRY_TO_TIMESTAMP: toTemporal('ntz', true),
  TRY_TO_TIMESTAMP_NTZ: toTemporal('ntz', true),
  TRY_TO_TIMESTAMP_LTZ: toTemporal('tz', true),
  TRY_TO_TIMESTAMP_TZ: toTemporal('tz', true),
  TO_TIME: toTime(false),
  TIME: toTime(false),
  TRY_TO_TIME: toTime(true),
  TIMESTAMP_FROM_PARTS: (c) => (c.args.length === 2 ? `(${c.args[0].text} +${sp(c.args[1])})` : arity(c, 6, 7) ? timestampFromParts(c) : ''),
  TIMESTAMP_NTZ_FROM_PARTS: (c) => (c.args.length === 2 ? `(${c.args[0].text} +${sp(c.args[1])})` : arity(c, 6, 7) ? timestampFromParts(c) : ''),
  TIMESTAMPFROMPARTS: (c) => (arity(c, 6, 7) ? timestampFromParts(c) : ''),

  TO_VARCHAR,
  TO_CHAR: TO_VARCHAR,
  TO_NUMBER: toNumber(false),
  TO_DECIMAL: toNumber(false),
  TO_NUMERIC: toNumber(false),
  TRY_TO_NUMBER: toNumber(true),
  TRY_TO_DECIMAL: toNumber(true),
  TRY_TO_NUMERIC: toNumber(true),
  TO_DOUBLE: toNumber(false, 'DOUBLE'),
  TRY_TO_DOUBLE: toNumber(true, 'DOUBLE'),
  TO_BOOLEAN: toNumber(false, 'BOOLEAN'),
  TRY_TO_BOOLEAN: toNumber(true, 'BOOLEAN'),
  TO_JSON: (c) => (arity(c, 1) ? `sf_json_text(to_json(${c.args[0].text}))` : ''),

  PARSE_JSON: parseJson('sf_parse_json'),
  TRY_PARSE_JSON: parseJson('sf_try_parse_json'),
  GET_PATH,
  JSON_EXTRACT_PATH_TEXT: (c) => {
    const r = GET_PATH(c);
    return typeof r === 'string' && r ? call('sf_to_varchar', r) : r;
  },
  GET,
  GET_IGNORE_CASE: (c) => (arity(c, 2) ? call('sf_get_ignore_case', c.args[0].text, c.args[1].text, ` ${callPlace(c)}`) : ''),
  ARRAY_CONSTRUCT: (c) => (noNullElements(c, c.args) ? arrayConstruct(c.args.map((a) => a.text), callPlace(c)) : ''),
  ARRAY_CONSTRUCT_COMPACT: (c) => arrayConstruct(c.args.map((a) => a.text), 'compact'),
  ARRAY_APPEND: arrayAdd('sf_array_append'),
  ARRAY_PREPEND: arrayAdd('sf_array_prepend'),
  OBJECT_CONSTRUCT: objectConstruct(false),
  OBJECT_CONSTRUCT_KEEP_NULL: objectConstruct(true),
  IS_ARRAY: jsonTypeIs('ARRAY'),
  IS_OBJECT: jsonTypeIs('OBJECT'),
  IS_BOOLEAN: jsonTypeIs('BOOLEAN'),
  IS_VARCHAR: jsonTypeIs('VARCHAR'),
  IS_CHAR: jsonTypeIs('VARCHAR'),
  IS_INTEGER: (c) => (arity(c, 1) ? call('sf_is_integer', c.args[0].text) : ''),
  IS_DECIMAL: (c) => (arity(c, 1) ? call('sf_is_decimal', c.args[0].text) : ''),
  IS_DOUBLE: (c) => (arity(c, 1) ? call('sf_is_double', c.args[0].text) : ''),
  IS_REAL: (c) => (arity(c, 1) ? call('sf_is_double', c.args[0].text) : ''),

  ARRAY_AGG: arrayAgg(false),
  ARRAYAGG: arrayAgg(false),
  ARRAY_UNIQUE_AGG: arrayAgg(true),
  LISTAGG,
  OBJECT_AGG,
  CONDITIONAL_TRUE_EVENT,
  COUNT,
  STDDEV,
  STDDEV_POP: STDDEV,
  STDDEV_SAMP: STDDEV,
  MAX_BY: extremeBy(true),
  MIN_BY: extremeBy(false),
  FIRST_VALUE: VALUE_IN_WINDOW,
  LAST_VALUE: VALUE_IN_WINDOW,
  NTH_VALUE: VALUE_IN_WINDOW,
  APPROX_COUNT_DISTINCT: (c) => (arity(c, 1) ? `count(DISTINCT${sp(c.args[0])})` : ''),

  ...SCALAR_HANDLERS,

  SHA2: sha('sha256', true),
  SHA2_HEX: sha('sha256', true),
  SHA1: sha('sha1', false),
  SHA1_HEX: sha('sha1', false),
  MD5: sha('md5', false),
  MD5_HEX: sha('md5', false),
};

function timestampFromParts(c: CallSite): string {
  const [y, mo, d, h, mi, s, ns] = c.args.map((a) => a.text);
  return call('make_timestamp', y, mo, d, h, mi, ns ? `${s} + (${ns}) / 1000000000.0` : s);
}

/** Snowflake functions outside the subset, each with what to do instead. */
const UNSUPPORTED: Record<string, string> = {
  HASH: "Snowflake's HASH values cannot be reproduced; use MD5 or SHA2 for a stable key",
  HASH_AGG: "Snowflake's HASH values cannot be reproduced",
  REGEXP_INSTR: 'use REGEXP_SUBSTR, or POSITION with a plain string',
  STRTOK_SPLIT_TO_TABLE: 'use LATERAL FLATTEN(input => SPLIT(...))',
  SPLIT_TO_TABLE: 'use LATERAL FLATTEN(input => SPLIT(...))',
  GENERATOR: 'use a recursive CTE or a numbers table',
  SEQ1: 'use ROW_NUMBER() OVER (...)',
  SEQ2: 'use ROW_NUMBER() OVER (...)',
  SEQ4: 'use ROW_NUMBER() OVER (...)',
  SEQ8: 'use ROW_NUMBER() OVER (...)',
  UNIFORM: 'random values differ between warehouses',
  RANDSTR: 'random values differ between warehouses',
  NORMAL: 'random values differ between warehouses',
  ZIPF: 'random values differ between warehouses',
  TIME_SLICE: 'use DATE_TRUNC or arithmetic on DATEDIFF',
  MONTHS_BETWEEN: 'use DATEDIFF(month, ...)',
  OBJECT_INSERT: 'use OBJECT_CONSTRUCT',
  OBJECT_DELETE: 'use OBJECT_CONSTRUCT with the keys to keep',
  OBJECT_PICK: 'use OBJECT_CONSTRUCT with the keys to keep',
  ARRAY_INSERT: 'use ARRAY_CAT',
  ARRAY_SLICE: 'use GET or LATERAL FLATTEN with a filter on index',
  ARRAY_POSITION: 'use LATERAL FLATTEN and its index',
  ARRAYS_OVERLAP: 'use LATERAL FLATTEN',
  ARRAY_INTERSECTION: 'use LATERAL FLATTEN',
  ARRAY_EXCEPT: 'use LATERAL FLATTEN',
  ARRAY_FLATTEN: 'use LATERAL FLATTEN',
  ARRAY_SORT: 'use ARRAY_AGG(...) WITHIN GROUP (ORDER BY ...)',
  ARRAY_MIN: 'use LATERAL FLATTEN with MIN',
  ARRAY_MAX: 'use LATERAL FLATTEN with MAX',
  TRANSFORM: 'higher-order functions are outside the subset; use LATERAL FLATTEN',
  REDUCE: 'higher-order functions are outside the subset; use LATERAL FLATTEN',
  // It is CONDITIONAL_TRUE_EVENT(x != LAG(x) OVER w) OVER w: a window inside a window, which DuckDB cannot
  // nest, and the list-based equivalent is quadratic in the partition's size.
  CONDITIONAL_CHANGE_EVENT:
    'compute LAG(x) OVER (...) AS prev in a subquery, then SUM(IFF(x != prev, 1, 0)) OVER (... ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), as Snowflake defines it',
  RATIO_TO_REPORT: 'use x / SUM(x) OVER (...)',
  APPROX_TOP_K: 'use COUNT(*) with ORDER BY and LIMIT',
  APPROX_PERCENTILE: 'use PERCENTILE_CONT(...) WITHIN GROUP (ORDER BY ...)',
  MINHASH: 'outside the subset',
  HLL: 'use COUNT(DISTINCT ...)',
  LAST_QUERY_ID: 'session functions have no DuckDB counterpart',
  CURRENT_WAREHOUSE: 'session functions have no DuckDB counterpart',
  CURRENT_ROLE: 'session functions have no DuckDB counterpart',
  CURRENT_ACCOUNT: 'session functions have no DuckDB counterpart',
  CURRENT_REGION: 'session functions have no DuckDB counterpart',
  INVOKER_ROLE: 'session functions have no DuckDB counterpart',
  IS_ROLE_IN_SESSION: 'session functions have no DuckDB counterpart',
  PARSE_XML: 'XML is outside the subset',
  CHECK_XML: 'XML is outside the subset',
  XMLGET: 'XML is outside the subset',
  CHECK_JSON: 'use TRY_PARSE_JSON(x) IS NULL',
  ENCRYPT: 'outside the subset',
  DECRYPT: 'outside the subset',
  TO_BINARY: 'binary values are outside the subset',
  TRY_TO_BINARY: 'binary values are outside the subset',
  HEX_DECODE_BINARY: 'binary values are outside the subset',
  BASE64_DECODE_BINARY: 'binary values are outside the subset',
  SOUNDEX: 'outside the subset',
  JAROWINKLER_SIMILARITY: "DuckDB's jaro_winkler_similarity uses a different scale",
  IDENTIFIER: 'write the object name; IDENTIFIER() is not supported',
  TO_GEOGRAPHY: 'geospatial functions are outside the subset',
  TO_GEOMETRY: 'geospatial functions are outside the subset',
  AS_INTEGER: 'use v::number after checking TYPEOF(v)',
  AS_NUMBER: 'use v::number after checking TYPEOF(v)',
  AS_DECIMAL: 'use v::number after checking TYPEOF(v)',
  MD5_NUMBER_LOWER64: 'outside the subset',
  MD5_NUMBER_UPPER64: 'outside the subset',
  WIDTH_BUCKET: 'use a CASE expression',
  // A VARIANT on DuckDB holds dates, times and timestamps as strings, so these cannot tell them from text.
  IS_DATE: 'VARIANT values on DuckDB keep dates and times as strings; test TRY_TO_DATE(v::STRING) IS NOT NULL instead',
  IS_DATE_VALUE: 'VARIANT values on DuckDB keep dates and times as strings; test TRY_TO_DATE(v::STRING) IS NOT NULL instead',
  IS_TIME: 'VARIANT values on DuckDB keep dates and times as strings; test TRY_TO_TIME(v::STRING) IS NOT NULL instead',
  IS_TIMESTAMP_NTZ: 'VARIANT values on DuckDB keep dates and times as strings; test TRY_TO_TIMESTAMP(v::STRING) IS NOT NULL instead',
  IS_TIMESTAMP_LTZ: 'VARIANT values on DuckDB keep dates and times as strings; test TRY_TO_TIMESTAMP(v::STRING) IS NOT NULL instead',
  IS_TIMESTAMP_TZ: 'VARIANT values on DuckDB keep dates and times as strings; test TRY_TO_TIMESTAMP(v::STRING) IS NOT NULL instead',
  IS_BINARY: 'binary values are outside the subset',
};

export function unsupportedFunctionHint(name: string): string | undefined {
  if (UNSUPPORTED[name]) return UNSUPPORTED[name];
  if (name.startsWith('SYSTEM$')) return 'system functions have no DuckDB counterpart';
  if (name.startsWith('ST_') || name.startsWith('H3_')) return 'geospatial functions are outside the subset';
  return undefined;
}

/** Whether translateCall rewrites the function. */
export function isHandled(name: string): boolean {
  return name in HANDLERS || name in PLAIN_RENAMES;
}

/** The replacement for a call, or undefined when it has no handler. */
export function translateCall(c: CallSite): HandlerResult | undefined {
  const handler = HANDLERS[c.name];
  if (handler) return handler(c);
  const renamed = PLAIN_RENAMES[c.name];
  if (renamed) {
    const range = RENAME_ARITY[c.name];
    if (range && !arity(c, range[0], range[1])) return '';
    return call(renamed, ...c.args.map((a) => a.text));
  }
  return undefined;
}

/** Names the translator handles (for docs and tests). */
export const HANDLED_FUNCTIONS = [...Object.keys(HANDLERS), ...Object.keys(PLAIN_RENAMES)].sort();
