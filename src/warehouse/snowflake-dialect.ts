// The dialect: the SQL fragments the engine renders differently per warehouse, in Snowflake SQL.
import { snowflakeString } from '../sql/tokenize.js';
import type { Dialect } from './adapter.js';

export { snowflakeString };

/** A GET_PATH path: a.b[0], with keys that are not plain identifiers double-quoted. */
function getPath(path: string[]): string {
  return snowflakeString(
    path
      .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `${i ? '.' : ''}${p}` : `${i ? '.' : ''}"${p.replace(/"/g, '""')}"`))
      .join(''),
  );
}

function snowflakeColumnType(type: string): string {
  const simple: Record<string, string> = {
    string: 'VARCHAR',
    integer: 'NUMBER(38,0)',
    bigint: 'NUMBER(38,0)',
    double: 'DOUBLE',
    boolean: 'BOOLEAN',
    date: 'DATE',
    timestamp: 'TIMESTAMP_NTZ',
    json: 'VARIANT',
  };
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/i.exec(type);
  if (decimal) return `NUMBER(${decimal[1]},${decimal[2]})`;
  return simple[type] ?? type.toUpperCase();
}

/** The greatest finite double. */
const MAX_DOUBLE = '1.7976931348623157e308';

export const snowflakeDialect: Dialect = {
  // A VARIANT string cast to VARCHAR loses its JSON quotes; a JSON null becomes SQL NULL; objects,
  // arrays and numbers become their JSON text.
  jsonText: (json, path) => (path.length ? `GET_PATH(${json}, ${getPath(path)})::VARCHAR` : `${json}::VARCHAR`),
  jsonValue: (json, path) => (path.length ? `GET_PATH(${json}, ${getPath(path)})` : json),
  explode: (json, path, alias) => ({
    // FLATTEN yields nothing for NULL input; callers select arrays only (FLATTEN also walks objects).
    join: `, LATERAL FLATTEN(INPUT => ${snowflakeDialect.jsonValue(json, path)}) AS ${alias}`,
    index: `${alias}.index`,
    value: `${alias}.value`,
  }),
  arrayLength: (json, path) => {
    const value = snowflakeDialect.jsonValue(json, path);
    return `CASE WHEN IS_ARRAY(${value}) THEN ARRAY_SIZE(${value}) END`;
  },
  columnType: snowflakeColumnType,
  tryConvert: (text, type) => {
    // Through TIMESTAMP_TZ so an offset such as +02:00 is applied, not dropped (TIMESTAMP_NTZ
    // ignores it); text without an offset is read in the session time zone, which is UTC.
    if (type === 'timestamp') return `CONVERT_TIMEZONE('UTC', TRY_CAST(${text} AS TIMESTAMP_TZ))::TIMESTAMP_NTZ`;
    if (type === 'json') return `TRY_PARSE_JSON(${text})`;
    const value = `TRY_CAST(${text} AS ${snowflakeColumnType(type)})`;
    // FLOAT holds inf and NaN ('inf', or 1e400 rounded up); a double column holds finite numbers only.
    // NaN compares greater than every number, so it fails the test too.
    if (type === 'double') return `CASE WHEN ABS(${value}) <= ${MAX_DOUBLE} THEN ${value} END`;
    // integer and bigint are NUMBER(38,0) here: held to BIGINT's range, as on DuckDB.
    if (type === 'integer' || type === 'bigint') return `CASE WHEN ${value} BETWEEN ${-(2n ** 63n)} AND ${2n ** 63n - 1n} THEN ${value} END`;
    return value;
  },
  // ARRAY_COMPACT drops the NULLs ARRAY_CONSTRUCT keeps (the same as ARRAY_CONSTRUCT_COMPACT, which
  // fakesnow 0.12.1 fails to bind); an empty array joins to ''.
  joinNonNull: (exprs) => (exprs.length ? `ARRAY_TO_STRING(ARRAY_COMPACT(ARRAY_CONSTRUCT(${exprs.join(', ')})), ',')` : `''`),
  jsonType: 'VARIANT',
  // REGEXP_LIKE matches the whole string (it is implicitly anchored).
  regexpFullMatch: (expr, pattern) => `REGEXP_LIKE(${expr}, ${snowflakeString(pattern)})`,
  timestampType: 'TIMESTAMP_NTZ',
  quote: snowflakeString,
  epochSeconds: (expr) => `DATE_PART(EPOCH_SECOND, ${expr})`,
  now: `CONVERT_TIMEZONE('UTC', CURRENT_TIMESTAMP())::TIMESTAMP_NTZ`,
  plusSeconds: (expr, seconds) => `DATEADD(second, ${Math.trunc(seconds)}, ${expr})`,
};
