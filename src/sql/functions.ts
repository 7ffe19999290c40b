// Snowflake functions by name: how each call becomes DuckDB SQL. A handler gets the call's arguments already
// translated and returns the replacement text. Functions without a handler run as written only when
// function-names.ts lists them as giving Snowflake's result on DuckDB; any other call is a diagnostic (with a
// hint for those listed as unsupported here).
// docs: https://docs.snowflake.com/en/sql-reference/functions-all (each function's page states the semantics
// the handlers and the macros in macros.ts follow).
import { divisionSql } from './numbers.js';
import { SCALAR_HANDLERS } from './scalar-functions.js';

import { type CallSite, type Handler, type HandlerResult, arity, call, compact, lit, sp, temporal, text } from './function-calls.js';
import { ROUND, toNumber } from './number-functions.js';
import { CONVERT_TIMEZONE, DATEADD, DATEDIFF, DATE_PART, DATE_TRUNC, EXTRACT, LAST_DAY, TRUNC, timestampFromParts, toTemporal, toTime } from './date-functions.js';
import { DECODE, REGEXP_COUNT, REGEXP_LIKE, REGEXP_REPLACE, REGEXP_SUBSTR, REGEXP_SUBSTR_ALL, TO_VARCHAR, jsonTypeIs, sha, substr } from './text-functions.js';
import { CONDITIONAL_TRUE_EVENT, COUNT, LISTAGG, OBJECT_AGG, STDDEV, VALUE_IN_WINDOW, arrayAgg, extremeBy } from './aggregate-functions.js';
import { GET, GET_PATH, arrayAdd, arrayConstruct, callPlace, noNullElements, objectConstruct, parseJson } from './variant-functions.js';

export type { Arg, CallSite, HandlerResult, Renderer } from './function-calls.js';
export { arrayConstruct, jsonHasHole, undefinedElementMessage } from './variant-functions.js';

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
