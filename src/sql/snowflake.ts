// What the translator knows about Snowflake's names: data types, date and time parts, format elements and
// semi-structured paths, each with its DuckDB counterpart.
// docs: https://docs.snowflake.com/en/sql-reference/intro-summary-data-types
//       https://docs.snowflake.com/en/sql-reference/functions-date-time#supported-date-and-time-parts
//       https://docs.snowflake.com/en/sql-reference/functions-conversion#date-and-time-formats-in-conversion-functions

/** How a cast to the type must be rendered, beyond the type name. */
export type TypeCategory = 'varchar' | 'variant' | 'timestamp_ntz' | 'timestamp_tz' | 'date' | 'other';

export interface MappedType {
  duckdb: string;
  category: TypeCategory;
  /** For text types: the length a cast checks (Snowflake fails, or TRY_CAST gives NULL, for longer text). */
  length?: number;
}

/**
 * Maps a Snowflake type (name upper-cased, arguments as written) to DuckDB. Unknown names are returned
 * unchanged: DuckDB may know them, and if not it says so.
 */
export function mapType(name: string, args: string[]): MappedType {
  const n = name.toUpperCase().replace(/\s+/g, ' ');
  switch (n) {
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      return { duckdb: 'JSON', category: 'variant' };
    case 'CHAR':
    case 'CHARACTER':
    case 'NCHAR':
      // CHAR without a length is VARCHAR(1) (docs: data-types-text).
      return { duckdb: 'VARCHAR', category: 'varchar', length: /^\d+$/.test(args[0] ?? '') ? Number(args[0]) : 1 };
    case 'VARCHAR':
    case 'STRING':
    case 'TEXT':
    case 'NVARCHAR':
    case 'NVARCHAR2':
    case 'CHAR VARYING':
    case 'CHARACTER VARYING':
    case 'NCHAR VARYING':
      // Snowflake enforces the length on insert; DuckDB ignores it, so it is dropped from the type (a cast checks it).
      return { duckdb: 'VARCHAR', category: 'varchar', ...(/^\d+$/.test(args[0] ?? '') ? { length: Number(args[0]) } : {}) };
    case 'NUMBER':
    case 'NUMERIC':
    case 'DECIMAL':
    case 'DEC': {
      const [p = '38', s = '0'] = args;
      return { duckdb: `DECIMAL(${p}, ${s})`, category: 'other' };
    }
    case 'INT':
    case 'INTEGER':
    case 'BIGINT':
    case 'SMALLINT':
    case 'TINYINT':
    case 'BYTEINT':
      // All are NUMBER(38,0) in Snowflake; BIGINT covers every value below 9.2e18.
      return { duckdb: 'BIGINT', category: 'other' };
    case 'FLOAT':
    case 'FLOAT4':
    case 'FLOAT8':
    case 'DOUBLE':
    case 'DOUBLE PRECISION':
    case 'REAL':
      return { duckdb: 'DOUBLE', category: 'other' };
    case 'BOOLEAN':
    case 'BOOL':
      return { duckdb: 'BOOLEAN', category: 'other' };
    case 'DATE':
      return { duckdb: 'DATE', category: 'date' };
    case 'TIME':
      return { duckdb: 'TIME', category: 'other' };
    case 'TIMESTAMP':
    case 'DATETIME':
    case 'TIMESTAMP_NTZ':
    case 'TIMESTAMPNTZ':
    case 'TIMESTAMP WITHOUT TIME ZONE':
      return { duckdb: 'TIMESTAMP', category: 'timestamp_ntz' };
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMPLTZ':
    case 'TIMESTAMP WITH LOCAL TIME ZONE':
    case 'TIMESTAMP_TZ':
    case 'TIMESTAMPTZ':
    case 'TIMESTAMP WITH TIME ZONE':
      return { duckdb: 'TIMESTAMPTZ', category: 'timestamp_tz' };
    case 'BINARY':
    case 'VARBINARY':
      return { duckdb: 'BLOB', category: 'other' };
    default:
      return { duckdb: args.length ? `${name}(${args.join(', ')})` : name, category: 'other' };
  }
}

/** Words that can follow a type word to make a multi-word type name. */
export const MULTIWORD_TYPES: string[][] = [
  ['DOUBLE', 'PRECISION'],
  ['TIMESTAMP', 'WITH', 'LOCAL', 'TIME', 'ZONE'],
  ['TIMESTAMP', 'WITHOUT', 'TIME', 'ZONE'],
  ['TIMESTAMP', 'WITH', 'TIME', 'ZONE'],
  ['CHARACTER', 'VARYING'],
  ['CHAR', 'VARYING'],
  ['NCHAR', 'VARYING'],
];

const PART_ALIASES: Record<string, string[]> = {
  year: ['y', 'yy', 'yyy', 'yyyy', 'yr', 'years', 'yrs'],
  quarter: ['q', 'qtr', 'qtrs', 'quarters'],
  month: ['mm', 'mon', 'mons', 'months'],
  week: ['w', 'wk', 'weekofyear', 'woy', 'wy'],
  weekiso: ['week_iso', 'weekofyeariso', 'weekofyear_iso'],
  day: ['d', 'dd', 'days', 'dayofmonth'],
  dayofweek: ['weekday', 'dow', 'dw'],
  dayofweekiso: ['weekday_iso', 'dow_iso', 'dw_iso'],
  dayofyear: ['yearday', 'doy', 'dy'],
  yearofweek: [],
  yearofweekiso: [],
  hour: ['h', 'hh', 'hr', 'hours', 'hrs'],
  minute: ['m', 'mi', 'min', 'minutes', 'mins'],
  second: ['s', 'sec', 'seconds', 'secs'],
  millisecond: ['ms', 'msec', 'milliseconds'],
  microsecond: ['us', 'usec', 'microseconds'],
  nanosecond: ['ns', 'nsec', 'nanosec', 'nsecond', 'nanoseconds', 'nanosecs', 'nseconds'],
  epoch_second: ['epoch', 'epoch_seconds'],
  epoch_millisecond: ['epoch_milliseconds'],
  epoch_microsecond: ['epoch_microseconds'],
  epoch_nanosecond: ['epoch_nanoseconds'],
  timezone_hour: ['tzh'],
  timezone_minute: ['tzm'],
};

const PART_BY_ALIAS = new Map<string, string>();
for (const [part, aliases] of Object.entries(PART_ALIASES)) {
  PART_BY_ALIAS.set(part, part);
  for (const a of aliases) PART_BY_ALIAS.set(a, part);
}

/** The canonical Snowflake name of a date or time part ('dd' -> 'day'), or undefined. */
export function canonicalPart(raw: string): string | undefined {
  return PART_BY_ALIAS.get(raw.toLowerCase());
}

/** DuckDB's date_part name for a canonical Snowflake part (WEEK_START = 0: ISO weeks, Sunday = 0). */
export const DUCKDB_EXTRACT_PART: Record<string, string> = {
  year: 'year',
  quarter: 'quarter',
  month: 'month',
  week: 'week',
  weekiso: 'week',
  day: 'day',
  dayofweek: 'dow',
  dayofweekiso: 'isodow',
  dayofyear: 'doy',
  yearofweek: 'isoyear',
  yearofweekiso: 'isoyear',
  hour: 'hour',
  minute: 'minute',
  second: 'second',
  millisecond: 'millisecond',
  microsecond: 'microsecond',
  nanosecond: 'nanosecond',
  timezone_hour: 'timezone_hour',
  timezone_minute: 'timezone_minute',
};

/** Units DATEADD/DATEDIFF/DATE_TRUNC accept. */
export const INTERVAL_PARTS = new Set([
  'year',
  'quarter',
  'month',
  'week',
  'day',
  'hour',
  'minute',
  'second',
  'millisecond',
  'microsecond',
  'nanosecond',
]);

/** One step of a semi-structured path: an object key or an array index. */
export type PathStep = { key: string } | { index: number };

/** DuckDB's JSON path for static steps: $."customer"."email"[0]. */
export function duckdbJsonPath(steps: PathStep[]): string {
  return (
    '$' +
    steps
      .map((s) => ('index' in s ? `[${s.index}]` : `."${s.key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`))
      .join('')
  );
}

/** Parses a Snowflake path string as GET_PATH and FLATTEN take it: a.b[0]."c d"['e']; undefined if malformed. */
export function parseSnowflakePath(path: string): PathStep[] | undefined {
  const steps: PathStep[] = [];
  let i = 0;
  const s = path.trim();
  if (s === '') return steps;
  let expectKey = true;
  while (i < s.length) {
    const c = s[i];
    if (c === '[') {
      const close = s.indexOf(']', i);
      if (close < 0) return undefined;
      const inner = s.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'.*'$/.test(inner) || /^".*"$/.test(inner)) steps.push({ key: inner.slice(1, -1) });
      else return undefined;
      i = close + 1;
      expectKey = false;
    } else if (c === '.' || c === ':') {
      // GET_PATH's path reads as the ':' operator's: 'a:b' and 'a.b' both step into key b of key a.
      if (expectKey) return undefined;
      i++;
      expectKey = true;
    } else if (expectKey && c === '"') {
      const close = s.indexOf('"', i + 1);
      if (close < 0) return undefined;
      steps.push({ key: s.slice(i + 1, close) });
      i = close + 1;
      expectKey = false;
    } else if (expectKey) {
      const m = /^[^.:[\]"]+/.exec(s.slice(i));
      if (!m) return undefined;
      steps.push({ key: m[0] });
      i += m[0].length;
      expectKey = false;
    } else {
      return undefined;
    }
  }
  return expectKey ? undefined : steps;
}

/** Snowflake's PATH text for steps: a.b[0]. */
export function snowflakePathText(steps: PathStep[]): string {
  return steps
    .map((s, i) =>
      'index' in s ? `[${s.index}]` : /^[A-Za-z_][A-Za-z0-9_$]*$/.test(s.key) ? `${i ? '.' : ''}${s.key}` : `['${s.key}']`,
    )
    .join('');
}

/**
 * Converts a Snowflake date/time format (YYYY-MM-DD HH24:MI:SS) to a strftime/strptime format, or undefined
 * when it uses an element the translation does not cover.
 */
export function duckdbTimeFormat(format: string): string | undefined {
  const elements: [RegExp, string][] = [
    [/^YYYY/i, '%Y'],
    [/^YY/i, '%y'],
    [/^MMMM/i, '%B'],
    [/^MON/i, '%b'],
    [/^MM/i, '%m'],
    [/^DD/i, '%d'],
    [/^DY/i, '%a'],
    [/^HH24/i, '%H'],
    [/^HH12/i, '%I'],
    [/^HH/i, '%H'],
    [/^AM|^PM/i, '%p'],
    [/^MI/i, '%M'],
    [/^SS/i, '%S'],
    [/^FF[1-3]/i, '%g'],
    [/^FF[4-9]?/i, '%f'],
    [/^TZH:TZM/i, '%z'],
    [/^TZHTZM/i, '%z'],
  ];
  let out = '';
  let i = 0;
  while (i < format.length) {
    const rest = format.slice(i);
    if (rest[0] === '"') {
      const close = format.indexOf('"', i + 1);
      if (close < 0) return undefined;
      out += format.slice(i + 1, close).replace(/%/g, '%%');
      i = close + 1;
      continue;
    }
    const hit = elements.find(([re]) => re.test(rest));
    if (hit) {
      out += hit[1];
      i += hit[0].exec(rest)![0].length;
      continue;
    }
    if (/[A-Za-z]/.test(rest[0])) return undefined;
    out += rest[0] === '%' ? '%%' : rest[0];
    i++;
  }
  return out;
}
