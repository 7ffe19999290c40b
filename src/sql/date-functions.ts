// Date and time functions: DATEADD, DATEDIFF, DATE_TRUNC, TRUNC on dates, DATE_PART and EXTRACT, LAST_DAY,
// TO_DATE / TO_TIMESTAMP / TO_TIME and their TRY_ forms, CONVERT_TIMEZONE and TIMESTAMP_FROM_PARTS.
import type { Token } from './tokenize.js';
import { canonicalPart, DUCKDB_EXTRACT_PART, duckdbTimeFormat, INTERVAL_PARTS } from './snowflake.js';
import { truncNumber } from './scalar-functions.js';

import { type Arg, type CallSite, type Handler, arity, call, lit, partArg, sourceOf, temporal, text } from './function-calls.js';

export function temporalPartFunction(part: string, x: string): string {
  if (part === 'epoch_second') return `CAST(floor(epoch(${x})) AS BIGINT)`;
  if (part === 'epoch_millisecond') return call('epoch_ms', x);
  if (part === 'epoch_microsecond') return call('epoch_us', x);
  if (part === 'epoch_nanosecond') return call('epoch_ns', x);
  // DuckDB's nanosecond counts from the start of the minute; Snowflake's is the fraction of the second.
  if (part === 'nanosecond') return `(${call('date_part', ` 'microsecond'`, x)} % 1000000 * 1000)`;
  return call('date_part', ` ${lit(DUCKDB_EXTRACT_PART[part] ?? part)}`, x);
}

/** The parts DATE_PART and EXTRACT accept (DATEADD's millisecond and microsecond are not among them). */
export const EXTRACT_PARTS = new Set(
  [...Object.keys(DUCKDB_EXTRACT_PART), 'epoch_second', 'epoch_millisecond', 'epoch_microsecond', 'epoch_nanosecond'].filter(
    (p) => p !== 'millisecond' && p !== 'microsecond',
  ),
);

export const DATEADD: Handler = (c) => {
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

export const DATEDIFF: Handler = (c) => {
  if (!arity(c, 3)) return '';
  const part = partArg(c, c.args[0], INTERVAL_PARTS);
  if (!part) return '';
  const a = temporal(c.args[1]);
  const b = temporal(c.args[2]);
  if (part === 'week') return call('sf_datediff_week', a, b);
  if (part === 'nanosecond') return `(${call('date_diff', ` 'microsecond'`, a, b)} * 1000)`;
  return call('date_diff', ` ${lit(part)}`, a, b);
};

export const DATE_TRUNC: Handler = (c) => {
  if (!arity(c, 2)) return '';
  const part = partArg(c, c.args[0], INTERVAL_PARTS);
  if (!part) return '';
  return call('sf_date_trunc', ` ${lit(part === 'nanosecond' ? 'microsecond' : part)}`, temporal(c.args[1]));
};

/** TRUNC(<date>, 'part') truncates a date; TRUNC(<number>[, scale]) a number. */
export const TRUNC: Handler = (c) => {
  const second = c.args[1];
  const part = second?.string !== undefined ? canonicalPart(second.string) : undefined;
  if (c.args.length === 2 && part && INTERVAL_PARTS.has(part)) {
    return call('sf_date_trunc', ` ${lit(part)}`, temporal(c.args[0]));
  }
  return truncNumber(c);
};

export const DATE_PART: Handler = (c) => {
  if (!arity(c, 2)) return '';
  const part = partArg(c, c.args[0], EXTRACT_PARTS);
  if (!part) return '';
  return temporalPartFunction(part, temporal(c.args[1]));
};

/** EXTRACT(<part> FROM <expr>); the part may be quoted, and EXTRACT(<part>, <expr>) is DATE_PART. */
export const EXTRACT: Handler = (c) => {
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

export const LAST_DAY: Handler = (c) => {
  if (!arity(c, 1, 2)) return '';
  if (c.args.length === 1) return call('last_day', temporal(c.args[0]));
  const part = partArg(c, c.args[1], new Set(['year', 'quarter', 'month', 'week']));
  return part ? call('sf_last_day', temporal(c.args[0]), ` ${lit(part)}`) : '';
};

/** Builds TO_DATE / TO_TIMESTAMP_* and their TRY_ versions. */
export function toTemporal(kind: 'date' | 'ntz' | 'tz', tryIt: boolean): Handler {
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
export function toTime(tryIt: boolean): Handler {
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

export const CONVERT_TIMEZONE: Handler = (c) => {
  if (!arity(c, 2, 3)) return '';
  if (c.args.length === 3) {
    const [from, to, ts] = c.args;
    return `timezone(${to.text}, timezone(${from.text}, ${temporal(ts)}))`;
  }
  // Two arguments give a TIMESTAMP_TZ: the same instant, whatever zone it is shown in.
  return `CAST(${temporal(c.args[1])} AS TIMESTAMPTZ)`;
};

export function timestampFromParts(c: CallSite): string {
  const [y, mo, d, h, mi, s, ns] = c.args.map((a) => a.text);
  return call('make_timestamp', y, mo, d, h, mi, ns ? `${s} + (${ns}) / 1000000000.0` : s);
}
