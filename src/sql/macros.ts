// DuckDB macros that give Snowflake's semantics to the functions the translator rewrites to. Each one runs
// once per connection, before any translated SQL. Snowflake VARIANT, OBJECT and ARRAY values are DuckDB JSON;
// macros named sf_* are only called by translated SQL. Typed overloads (x DATE) / (x TIMESTAMP) keep the
// input's type where Snowflake does (DATEADD(day, 1, <date>) is a DATE); the untyped overload takes the rest.
// docs: https://docs.snowflake.com/en/sql-reference/functions (each function's own page).

import { NUMBER_MACROS } from './numbers.js';
import { SCALAR_MACROS } from './scalar-functions.js';
import { SET_OPERATION_MACROS } from './set-operations.js';

const macro = (body: string): string => `CREATE OR REPLACE TEMP MACRO ${body}`;

/** Session settings that make DuckDB order and print like a Snowflake session in UTC. */
export const DUCKDB_SNOWFLAKE_SETTINGS: string[] = [
  "SET TimeZone = 'UTC'",
  // Snowflake sorts NULL as the largest value: last ascending, first descending. DuckDB's default is last
  // both ways, which would change which row ROW_NUMBER() OVER (ORDER BY x DESC) picks.
  "SET default_null_order = 'nulls_last_on_asc_first_on_desc'",
];

// Epoch integers in text or VARIANT are seconds, milliseconds, microseconds or nanoseconds by magnitude
// (docs: TO_TIMESTAMP usage notes, "integer" input); a NUMBER argument is always seconds.
const EPOCH_BY_MAGNITUDE = `CASE
  WHEN n < 31536000000 THEN make_timestamp(CAST(n * 1000000 AS BIGINT))
  WHEN n < 31536000000000 THEN make_timestamp(CAST(n * 1000 AS BIGINT))
  WHEN n < 31536000000000000 THEN make_timestamp(CAST(n AS BIGINT))
  ELSE make_timestamp(CAST(n // 1000 AS BIGINT)) END`;

const OTHER_INPUT_FORMATS = `[${['%d-%b-%Y', '%d-%B-%Y', '%m/%d/%Y']
  .flatMap((d) => [d, `${d} %H:%M:%S`, `${d} %H:%M:%S.%f`, `${d} %H:%M`])
  .map((f) => `'${f}'`)
  .join(', ')}]`;

/** Why an ARRAY cannot get a SQL NULL element on DuckDB. */
export const UNDEFINED_ELEMENT =
  "a SQL NULL array element is undefined in Snowflake (counted by ARRAY_SIZE, shown as undefined), which DuckDB JSON cannot hold; use PARSE_JSON('null') for a JSON null, ARRAY_CONSTRUCT_COMPACT to leave NULLs out, or COALESCE the value";
const UNDEFINED_ELEMENT_SQL = UNDEFINED_ELEMENT.replace(/'/g, "''");

/** Why JSON text with an empty element ([1, ,2] or [1,]) is refused. */
export const JSON_HOLE =
  'JSON text with an empty element ([1, ,2] or [1,]) has an undefined element in Snowflake, which DuckDB JSON cannot hold; remove the empty element';
const HOLE_SQL = JSON_HOLE.replace(/'/g, "''");

const INITCAP_DELIMITERS = `[\\s!?@"^#$&~_,.:;+\\-*%/|\\\\\\[\\](){}<>]`;

// The untyped overloads: VARIANT (JSON), text and numbers. Macros are bound when created, so they cannot
// call another overloaded macro with an argument of unknown type; the branches are written out instead.
function ntzFromOther(tryCast: boolean): string {
  const cast = tryCast ? 'TRY_CAST' : 'CAST';
  const text = tryCast ? 'sf_try_text_to_timestamp' : 'sf_text_to_timestamp';
  return `CASE
      WHEN typeof(x) = 'JSON' THEN (CASE WHEN json_type(to_json(x)) IN ('BIGINT', 'UBIGINT')
        THEN sf_epoch_to_timestamp(${cast}(to_json(x) AS HUGEINT)) ELSE ${text}(json_extract_string(to_json(x), '$')) END)
      WHEN typeof(x) = 'VARCHAR' THEN ${text}(CAST(x AS VARCHAR))
      ELSE make_timestamp(${cast}(round(${cast}(x AS DOUBLE) * 1000000) AS BIGINT)) END`;
}

function tzFromOther(tryCast: boolean): string {
  const cast = tryCast ? 'TRY_CAST' : 'CAST';
  const text = tryCast ? 'sf_try_text_to_timestamptz' : 'sf_text_to_timestamptz';
  return `CASE
      WHEN typeof(x) = 'JSON' THEN (CASE WHEN json_type(to_json(x)) IN ('BIGINT', 'UBIGINT')
        THEN CAST(sf_epoch_to_timestamp(${cast}(to_json(x) AS HUGEINT)) AS TIMESTAMPTZ) ELSE ${text}(json_extract_string(to_json(x), '$')) END)
      WHEN typeof(x) = 'VARCHAR' THEN ${text}(CAST(x AS VARCHAR))
      ELSE CAST(make_timestamp(${cast}(round(${cast}(x AS DOUBLE) * 1000000) AS BIGINT)) AS TIMESTAMPTZ) END`;
}

/** How deep OBJECT text is sorted (DuckDB binds each level again, so cost grows fast with depth); deeper values are an error rather than text in another key order. */
const SORTED_JSON_DEPTH = 5;

/**
 * sf_json_text(v): the JSON text of a VARIANT as Snowflake writes it, object keys sorted at every level (Snowflake
 * stores an OBJECT's keys sorted; DuckDB keeps them as written). Macros cannot recurse, so level k calls level
 * k - 1, once: an object's and an array's members go through one list of (prefix, value) pairs.
 */
function sortedJsonMacros(): string[] {
  const out = [
    macro(`sf_json_text_0(v) AS CASE WHEN json_type(v) IN ('OBJECT', 'ARRAY')
      THEN error('a VARIANT nested deeper than ${SORTED_JSON_DEPTH} levels cannot be written as text with sorted keys on DuckDB')
      ELSE CAST(v AS VARCHAR) END`),
  ];
  for (let k = 1; k <= SORTED_JSON_DEPTH; k++) {
    // Members reach the next level as a lambda's field (m.v), never as an expression: a macro copies its
    // argument into every place it is used, which would grow exponentially with the depth.
    const members = `CASE json_type(v)
        WHEN 'OBJECT' THEN list_transform(list_sort(json_keys(v)), lambda k${k}: {'p': CAST(to_json(k${k}) AS VARCHAR) || ':',
          'v': json_extract(v, '$."' || replace(replace(k${k}, '\\', '\\\\'), '"', '\\"') || '"')})
        ELSE list_transform(CAST(v AS JSON[]), lambda e${k}: {'p': '', 'v': e${k}}) END`;
    out.push(
      macro(`sf_json_text_${k}(v) AS CASE WHEN json_type(v) IN ('OBJECT', 'ARRAY') THEN
        (CASE json_type(v) WHEN 'OBJECT' THEN '{' ELSE '[' END)
        || array_to_string(list_transform(${members}, lambda m${k}: m${k}.p || sf_json_text_${k - 1}(m${k}.v)), ',')
        || (CASE json_type(v) WHEN 'OBJECT' THEN '}' ELSE ']' END)
      ELSE CAST(v AS VARCHAR) END`),
    );
  }
  // json() writes every number in its shortest form, as nested ones already are (a top-level DOUBLE keeps
  // Snowflake's display form, 3.210000000000000e+00, only as a VARIANT).
  out.push(macro(`sf_json_text(v) AS sf_json_text_${SORTED_JSON_DEPTH}(json(CAST(v AS JSON)))`));
  return out;
}

/** An empty JSON element: a comma right after [ or another comma, or right before ] or }. */
const HOLE_PATTERN = String.raw`[\[,]\s*,|,\s*[\]}]`;

/** A JSON number in exponent form, which Snowflake's PARSE_JSON reads as a DOUBLE. */
const EXPONENT_NUMBER = String.raw`'-?[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+'`;

/**
 * PARSE_JSON and TRY_PARSE_JSON read JSON as Snowflake does: keys without quotes ({r:255}) and TRUE, FALSE and NULL
 * in any case are accepted; an empty element ([1, ,2], [1,]) is an undefined element, which DuckDB's JSON cannot
 * hold, so it is refused; a duplicate key is an error (PARSE_JSON) or NULL (TRY_PARSE_JSON); a number in exponent
 * form is a DOUBLE, kept in Snowflake's text for it (1.912000000000000e+02) so TYPEOF reads it back.
 * The text is split into string literals and what lies between them, and only the latter is rewritten.
 * docs: functions/parse_json, functions/try_parse_json.
 */
function parseJsonMacros(): string[] {
  const outside = (p: string): string => `left(${p}, 1) <> '"'`;
  return [
    macro(String.raw`sf_json_pieces(s) AS regexp_extract_all(s, '"(?:[^"\\]|\\.)*"|[^"]+|"')`),
    // Between string literals: TRUE/FALSE/NULL as values (not keys) in lower case, then bare keys quoted.
    macro(String.raw`sf_json_relaxed_piece(p) AS regexp_replace(
      regexp_replace(regexp_replace(regexp_replace(p,
        '(?i)\btrue\b(\s*)([^\s:]|$)', 'true\1\2', 'g'),
        '(?i)\bfalse\b(\s*)([^\s:]|$)', 'false\1\2', 'g'),
        '(?i)\bnull\b(\s*)([^\s:]|$)', 'null\1\2', 'g'),
      '([{,]\s*)([A-Za-z_$][A-Za-z0-9_$]*)(\s*:)', '\1"\2"\3', 'g')`),
    macro(`sf_json_relaxed(s) AS array_to_string(list_transform(sf_json_pieces(s), lambda p: CASE WHEN ${outside('p')} THEN sf_json_relaxed_piece(p) ELSE p END), '')`),
    // An empty element: a comma right after [ or another comma, or right before ] or }. The whole text is
    // tested first (the common case, none anywhere, needs no split); a match may lie inside a string.
    macro(String.raw`sf_json_has_hole(s) AS regexp_matches(s, '${HOLE_PATTERN}')
      AND len(list_filter(sf_json_pieces(s), lambda p: ${outside('p')} AND regexp_matches(p, '${HOLE_PATTERN}'))) > 0`),
    macro(`sf_json_duplicate_key(v) AS json_type(v) = 'OBJECT' AND len(json_keys(v)) <> len(list_distinct(json_keys(v)))`),
    // Text DuckDB reads as it is (valid JSON, no holes) is not rewritten: the relaxed forms are all invalid to it.
    macro(`sf_json_value(s) AS CASE WHEN regexp_full_match(trim(s), ${EXPONENT_NUMBER})
      THEN CAST(printf('%.15e', CAST(trim(s) AS DOUBLE)) AS JSON) WHEN json_valid(s) THEN json(s) ELSE json(sf_json_relaxed(s)) END`),
    macro(`sf_parse_json(s, place) AS CASE WHEN trim(s) = '' THEN NULL
      WHEN sf_json_has_hole(s) THEN to_json(sf_refuse(place || ': ${HOLE_SQL}'))
      WHEN sf_json_duplicate_key(sf_json_value(s)) THEN to_json(sf_refuse(place || ': duplicate key in the JSON object (Snowflake''s PARSE_JSON refuses it unless given the ''d'' parameter)'))
      ELSE sf_json_value(s) END`),
    macro(`sf_try_parse_json(s, place) AS CASE WHEN trim(s) = '' THEN NULL
      WHEN sf_json_has_hole(s) THEN to_json(sf_refuse(place || ': ${HOLE_SQL}'))
      WHEN NOT json_valid(s) AND NOT json_valid(sf_json_relaxed(s)) THEN NULL
      WHEN sf_json_duplicate_key(sf_json_value(s)) THEN NULL
      ELSE sf_json_value(s) END`),
  ];
}

export const DUCKDB_SNOWFLAKE_MACROS: string[] = [
  // The translation's one way to refuse: fails with the message (file:line:col: construct: why) while DuckDB plans
  // the query when the message is a constant, else on the row (src/sql/errors.ts ownRefusal decodes it); NULL
  // passes. A failing cast, not error(): DuckDB will not resolve a lateral column alias (SELECT ... AS a, f(a))
  // whose expression has error()'s side effects.
  macro(`sf_refuse(message) AS CAST(message AS BOOLEAN)`),
  // TRUE where `same` holds, else a refusal; the message is not a constant, so DuckDB raises it only for such a row.
  macro(`sf_lateral(same, message) AS same OR CAST(CASE WHEN same IS NULL OR NOT same THEN message END AS BOOLEAN)`),
  ...sortedJsonMacros(),
  // Division and multiplication with Snowflake's NUMBER scales (numbers.ts).
  ...NUMBER_MACROS,
  ...SCALAR_MACROS,
  ...SET_OPERATION_MACROS,
  // Kept under their Snowflake names too, for SQL that reaches DuckDB without translation.
  macro('iff(c, a, b) AS CASE WHEN c THEN a ELSE b END'),
  macro('nvl(a, b) AS COALESCE(a, b)'),
  macro('nvl2(a, b, c) AS CASE WHEN a IS NOT NULL THEN b ELSE c END'),
  macro('div0(a, b) AS CASE WHEN b = 0 THEN 0 ELSE a / b END'),
  macro('zeroifnull(a) AS COALESCE(a, 0)'),

  // Conditional
  // GREATEST / LEAST / CONCAT / CONCAT_WS return NULL when any argument is NULL (DuckDB's skip NULLs).
  macro('sf_greatest(l) AS CASE WHEN list_count(l) < len(l) THEN NULL ELSE list_max(l) END'),
  macro('sf_least(l) AS CASE WHEN list_count(l) < len(l) THEN NULL ELSE list_min(l) END'),
  macro(`sf_concat(l) AS CASE WHEN list_count(l) < len(l) THEN NULL ELSE array_to_string(l, '') END`),
  macro('sf_concat_ws(sep, l) AS CASE WHEN sep IS NULL OR list_count(l) < len(l) THEN NULL ELSE array_to_string(l, sep) END'),

  // Text. A VARIANT string converts to its text without JSON quotes; TIMESTAMP_NTZ and TIMESTAMP_LTZ print
  // in Snowflake's default output formats (YYYY-MM-DD HH24:MI:SS.FF3 [TZHTZM]); the session is UTC.
  macro(`sf_to_varchar(x DATE) AS CAST(x AS VARCHAR),
    (x TIMESTAMP) AS strftime(x, '%Y-%m-%d %H:%M:%S.%g'),
    (x TIMESTAMPTZ) AS strftime(x, '%Y-%m-%d %H:%M:%S.%g +0000'),
    (x) AS CASE WHEN typeof(x) <> 'JSON' THEN CAST(x AS VARCHAR)
      WHEN json_type(to_json(x)) IN ('OBJECT', 'ARRAY') THEN sf_json_text(to_json(x))
      ELSE json_extract_string(to_json(x), '$') END`),
  // A cast to VARCHAR(n) / CHAR(n): longer text is an error (docs: try_cast, cast), NULL for TRY_CAST.
  macro(`sf_fit_text(s, n) AS CASE WHEN length(s) > n
    THEN error('String is too long and would be truncated: a cast to a text type of length ' || n || ' got ' || length(s) || ' characters') ELSE s END`),
  macro(`sf_try_fit_text(s, n) AS CASE WHEN length(s) > n THEN NULL ELSE s END`),
  macro(`sf_split(s, sep) AS to_json(CASE WHEN sep = '' THEN [s] ELSE string_split(s, sep) END)`),
  macro(`sf_split_part(s, sep, n) AS CASE
    WHEN sep = '' THEN (CASE WHEN n IN (0, 1, -1) THEN s ELSE '' END)
    ELSE split_part(s, sep, CASE WHEN n = 0 THEN 1 ELSE n END) END`),
  macro(`sf_charindex(sub, s) AS strpos(s, sub),
    (sub, s, p) AS CASE WHEN strpos(substring(s, p), sub) = 0 THEN 0 ELSE strpos(substring(s, p), sub) + p - 1 END`),
  macro(`sf_initcap(s) AS array_to_string(list_transform(
    regexp_extract_all(s, '${INITCAP_DELIMITERS}+|[^${INITCAP_DELIMITERS.slice(1)}+'),
    lambda w: upper(left(w, 1)) || lower(substring(w, 2))), '')`),

  // A set of characters as an RE2 bracket expression: [, ], \\, ^ and - are escaped.
  // The empty set is a class that matches nothing, so a branch not taken still compiles.
  macro(String.raw`sf_char_class(d) AS CASE WHEN d = '' THEN '[^\x00-\x{10FFFF}]' ELSE '[' || regexp_replace(d, '([\]\[\\^-])', '\\\1', 'g') || ']' END`),
  // INITCAP(s, delimiters): each delimiter character ends a word; '' makes the whole string one word.
  macro(`sf_initcap_with(s, d) AS CASE WHEN s IS NULL OR d IS NULL THEN NULL WHEN d = '' THEN upper(left(s, 1)) || lower(substring(s, 2)) ELSE array_to_string(list_transform(
    regexp_extract_all(s, sf_char_class(d) || '+|[^' || substring(sf_char_class(d), 2) || '+'),
    lambda w: CASE WHEN regexp_full_match(w, sf_char_class(d) || '+') THEN w ELSE upper(left(w, 1)) || lower(substring(w, 2)) END), '') END`),
  // STRTOK: each delimiter character separates tokens, and empty tokens are never returned.
  macro(`sf_strtok_tokens(s, d) AS CASE WHEN s IS NULL OR d IS NULL THEN NULL WHEN d = '' THEN (CASE WHEN s = '' THEN [] ELSE [s] END)
    ELSE list_filter(regexp_split_to_array(s, sf_char_class(d)), lambda t: t <> '') END`),
  macro(`sf_strtok(s, d, n) AS CASE WHEN n >= 1 THEN sf_strtok_tokens(s, d)[n] END`),
  macro(`sf_strtok_to_array(s, d) AS to_json(sf_strtok_tokens(s, d))`),

  // Regular expressions: the translator puts REGEXP parameters (i, m, s) into the pattern as (?ims).
  macro('sf_regexp_substr(s, p, pos, occ, grp) AS regexp_extract_all(substring(s, pos), p, grp)[occ]'),
  macro(`sf_regexp_replace(s, p, r, pos, all_matches) AS
    substring(s, 1, pos - 1) || CASE WHEN all_matches THEN regexp_replace(substring(s, pos), p, r, 'g')
                                      ELSE regexp_replace(substring(s, pos), p, r) END`),
  macro('sf_regexp_count(s, p, pos) AS len(regexp_extract_all(substring(s, pos), p))'),

  // Semi-structured data (VARIANT = JSON)
  ...parseJsonMacros(),
  macro(`sf_get(v, k) AS CASE
    WHEN typeof(k) = 'VARCHAR' THEN json_extract(v, '$."' || replace(CAST(k AS VARCHAR), '"', '\\"') || '"')
    WHEN TRY_CAST(k AS BIGINT) >= 0 THEN json_extract(v, '$[' || CAST(TRY_CAST(k AS BIGINT) AS VARCHAR) || ']') END`),
  // GET_IGNORE_CASE: an exact key first, else the one key equal ignoring case. Between several such keys Snowflake
  // picks one it does not document, so that is refused (docs: functions/get_ignore_case).
  macro(`sf_keys_like(v, k) AS list_filter(json_keys(v), lambda x: lower(x) = lower(CAST(k AS VARCHAR)))`),
  macro(`sf_get_ignore_case(v, k, place) AS CASE
    WHEN json_type(v) <> 'OBJECT' OR typeof(k) <> 'VARCHAR' THEN sf_get(v, k)
    WHEN list_contains(json_keys(v), CAST(k AS VARCHAR)) THEN sf_get(v, k)
    WHEN len(sf_keys_like(v, k)) = 1 THEN sf_get(v, sf_keys_like(v, k)[1])
    WHEN len(sf_keys_like(v, k)) > 1 THEN to_json(sf_refuse(place || ': the OBJECT has several keys equal to ' || CAST(k AS VARCHAR) || ' ignoring case and none equal to it exactly; Snowflake returns one of them without saying which'))
    END`),
  macro(`sf_array_size(v) AS CASE WHEN json_type(v) = 'ARRAY' THEN CAST(json_array_length(v) AS BIGINT) END`),
  // An ARRAY's elements as a list of VARIANTs. A JSON null element stays JSON null: a cast to JSON[] would make it
  // SQL NULL, which ARRAY_CONTAINS(PARSE_JSON('null'), ...) and ARRAY_DISTINCT must not see.
  macro(`sf_elements(a) AS CASE WHEN json_type(CAST(a AS JSON)) = 'ARRAY' THEN CAST(json_extract(CAST(a AS JSON), '$[*]') AS JSON[])
    ELSE CAST(CAST(a AS JSON) AS JSON[]) END`),
  // What two VARIANTs are compared by: OBJECTs with their keys sorted, as Snowflake stores them.
  macro(`sf_variant_key(e) AS CASE WHEN json_type(e) IN ('OBJECT', 'ARRAY') THEN sf_json_text(e) ELSE CAST(e AS VARCHAR) END`),
  // A value becoming an ARRAY element: SQL NULL is an undefined element in Snowflake, which JSON text cannot hold.
  macro(`sf_element(x, place) AS CASE WHEN x IS NULL THEN to_json(sf_refuse(place || ': ${UNDEFINED_ELEMENT_SQL}')) ELSE to_json(x) END`),
  macro(`sf_array_of(l, place) AS CASE WHEN list_count(l) < len(l) THEN to_json(sf_refuse(place || ': ${UNDEFINED_ELEMENT_SQL}')) ELSE to_json(l) END`),
  macro(`sf_array_contains(x, arr) AS list_contains(list_transform(sf_elements(arr), lambda e: sf_variant_key(e)), sf_variant_key(to_json(x)))`),
  // Elements print as text: strings without quotes, OBJECTs and ARRAYs as JSON with sorted keys, JSON null as ''.
  macro(`sf_array_to_string(arr, sep) AS array_to_string(list_transform(sf_elements(arr), lambda e: CASE
    WHEN json_type(e) IN ('OBJECT', 'ARRAY') THEN sf_json_text(e) ELSE coalesce(json_extract_string(e, '$'), '') END), sep)`),
  macro(`sf_array_cat(a, b) AS CASE WHEN a IS NOT NULL AND b IS NOT NULL THEN to_json(list_concat(sf_elements(a), sf_elements(b))) END`),
  macro(`sf_array_append(a, x, place) AS CASE WHEN a IS NOT NULL THEN to_json(list_append(sf_elements(a), sf_element(x, place))) END`),
  macro(`sf_array_prepend(a, x, place) AS CASE WHEN a IS NOT NULL THEN to_json(list_prepend(sf_element(x, place), sf_elements(a))) END`),
  macro(`sf_array_compact(a) AS to_json(list_filter(sf_elements(a), lambda e: json_type(e) <> 'NULL'))`),
  // ARRAY_DISTINCT keeps each value's first occurrence, in the array's order (DuckDB's list_distinct does not).
  macro(`sf_distinct_in_order(l, k) AS list_transform(list_sort(list_transform(list_distinct(k), lambda d: list_position(k, d))), lambda p: l[p])`),
  macro(`sf_array_distinct(a) AS to_json(sf_distinct_in_order(sf_elements(a), list_transform(sf_elements(a), lambda e: sf_variant_key(e))))`),
  macro(`sf_object_from_entries(l) AS to_json(map_from_entries(list_filter(l, lambda e: e.k IS NOT NULL AND e.v IS NOT NULL)))`),
  // Snowflake keeps an OBJECT's keys sorted.
  macro(`sf_object_keys(o) AS to_json(list_sort(json_keys(o)))`),
  macro(`sf_to_array(x) AS CASE WHEN x IS NULL THEN NULL WHEN json_type(to_json(x)) = 'ARRAY' THEN to_json(x) ELSE to_json([to_json(x)]) END`),
  // The number kinds Snowflake tells apart in a VARIANT. DuckDB's JSON has BIGINT/UBIGINT and DOUBLE; a DOUBLE whose
  // text has an exponent came from a FLOAT or a JSON number in exponent form (Snowflake's DOUBLE, see
  // sf_to_variant and sf_json_value), an integer too large for BIGINT is still an INTEGER, and the rest is DECIMAL.
  macro(String.raw`sf_number_type(v) AS CASE
    WHEN json_type(v) IN ('BIGINT', 'UBIGINT') THEN 'INTEGER'
    WHEN json_type(v) <> 'DOUBLE' THEN NULL
    WHEN regexp_matches(CAST(v AS VARCHAR), '[eEnN]') THEN 'DOUBLE'
    WHEN regexp_full_match(CAST(v AS VARCHAR), '-?[0-9]+') THEN 'INTEGER'
    ELSE 'DECIMAL' END`),
  macro(`sf_typeof(v) AS CASE json_type(v)
    WHEN 'NULL' THEN 'NULL_VALUE' WHEN 'UBIGINT' THEN 'INTEGER' WHEN 'BIGINT' THEN 'INTEGER' WHEN 'DOUBLE' THEN sf_number_type(v)
    ELSE json_type(v) END`),
  // A FLOAT becomes a VARIANT DOUBLE in Snowflake's text for it (3.000000000000000e+00), which TYPEOF reads back.
  macro(`sf_to_variant(x) AS CASE WHEN typeof(x) IN ('DOUBLE', 'FLOAT') AND isfinite(CAST(x AS DOUBLE))
    THEN CAST(printf('%.15e', CAST(x AS DOUBLE)) AS JSON) ELSE to_json(x) END`),
  macro(`sf_is_null_value(v) AS json_type(v) = 'NULL'`),
  macro(`sf_strip_null_value(v) AS CASE WHEN json_type(v) = 'NULL' THEN NULL ELSE v END`),
  macro(`sf_as_varchar(v) AS CASE WHEN json_type(v) = 'VARCHAR' THEN json_extract_string(v, '$') END`),
  macro(`sf_is_decimal(v) AS sf_number_type(v) IN ('INTEGER', 'DECIMAL')`),
  macro(`sf_is_integer(v) AS sf_number_type(v) = 'INTEGER'`),
  macro(`sf_is_double(v) AS sf_number_type(v) IS NOT NULL`),
  macro(`sf_as_number(v) AS CASE WHEN json_type(v) IN ('UBIGINT', 'BIGINT', 'DOUBLE') THEN CAST(v AS DOUBLE) END`),
  macro(`sf_as_boolean(v) AS CASE WHEN json_type(v) = 'BOOLEAN' THEN CAST(v AS BOOLEAN) END`),
  // COUNT treats a JSON null as NULL; typeof() is known when DuckDB binds the query, so other types cost nothing.
  macro(`sf_count_value(x) AS CASE WHEN typeof(x) = 'JSON' AND json_type(to_json(x)) = 'NULL' THEN NULL ELSE x END`),
  // STDDEV of a NUMBER: Snowflake's digits past the seventh are not DuckDB's and the rule is undocumented.
  macro(`sf_float_only(x, place) AS CASE WHEN typeof(x) IN ('DOUBLE', 'FLOAT') THEN CAST(x AS DOUBLE)
    ELSE error(place || ': the standard deviation of a NUMBER is not computed the same way on DuckDB (Snowflake''s digits differ from the eighth on); cast the argument to FLOAT, e.g. STDDEV(x::FLOAT)') END`),
  // Whether no member of a row (as a JSON object of its columns) is NULL or JSON null: COUNT(t.*).
  macro(`sf_none_null(j) AS list_bool_and(list_transform(json_extract(j, '$.*'), lambda e: json_type(e) <> 'NULL'))`),

  // Dates and times. DATEADD keeps a DATE a DATE for day and larger units; smaller units give a TIMESTAMP.
  macro(`sf_add_months(x DATE, n) AS CAST(x + to_months(CAST(n AS INTEGER)) AS DATE),
    (x TIMESTAMP, n) AS x + to_months(CAST(n AS INTEGER)),
    (x TIMESTAMPTZ, n) AS x + to_months(CAST(n AS INTEGER))`),
  macro(`sf_add_days(x DATE, n) AS CAST(x + to_days(CAST(n AS INTEGER)) AS DATE),
    (x TIMESTAMP, n) AS x + to_days(CAST(n AS INTEGER)),
    (x TIMESTAMPTZ, n) AS x + to_days(CAST(n AS INTEGER))`),
  macro(`sf_add_micros(x DATE, n) AS CAST(x AS TIMESTAMP) + to_microseconds(CAST(n AS BIGINT)),
    (x TIMESTAMP, n) AS x + to_microseconds(CAST(n AS BIGINT)),
    (x TIMESTAMPTZ, n) AS x + to_microseconds(CAST(n AS BIGINT)),
    (x TIME, n) AS x + to_microseconds(CAST(n AS BIGINT))`),
  // ADD_MONTHS: the last day of a month stays the last day of the resulting month.
  macro(`sf_add_months_eom(x DATE, n) AS CASE WHEN x = last_day(x) THEN last_day(CAST(x + to_months(CAST(n AS INTEGER)) AS DATE))
      ELSE CAST(x + to_months(CAST(n AS INTEGER)) AS DATE) END,
    (x TIMESTAMP, n) AS CASE WHEN CAST(x AS DATE) = last_day(x)
      THEN CAST(last_day(x + to_months(CAST(n AS INTEGER))) AS TIMESTAMP) + (x - date_trunc('day', x))
      ELSE x + to_months(CAST(n AS INTEGER)) END`),
  // DATEDIFF(week): weeks start on Monday (WEEK_START = 0); count the week boundaries crossed.
  // DATE_FROM_PARTS: a month or day outside its range counts on from the year's first month and the month's
  // first day, so (2004, 0, 1) is 2003-12-01 and (2004, 2, 0) is 2004-01-31 (docs: date_from_parts).
  macro(`sf_date_from_parts(y, m, d) AS CAST(make_date(CAST(y AS INTEGER), 1, 1)
    + to_months(CAST(m AS INTEGER) - 1) + to_days(CAST(d AS INTEGER) - 1) AS DATE)`),
  macro(`sf_datediff_week(a, b) AS date_diff('day', date_trunc('week', a), date_trunc('week', b)) // 7`),
  macro(`sf_date_trunc(p, x DATE) AS CAST(date_trunc(p, x) AS DATE),
    (p, x TIMESTAMP) AS date_trunc(p, x),
    (p, x TIMESTAMPTZ) AS date_trunc(p, x),
    (p, x TIME) AS CAST(date_trunc(p, DATE '1970-01-01' + x) AS TIME)`),
  macro(`sf_last_day(x, p) AS CAST(date_trunc(p, x) + CASE p
    WHEN 'year' THEN INTERVAL 1 YEAR WHEN 'quarter' THEN INTERVAL 3 MONTH WHEN 'week' THEN INTERVAL 7 DAY
    ELSE INTERVAL 1 MONTH END - INTERVAL 1 DAY AS DATE)`),
  macro(`sf_epoch_to_timestamp(n) AS ${EPOCH_BY_MAGNITUDE}`),
  // TO_TIME: text of digits is an epoch (seconds, milliseconds, ... by magnitude) whose time of day is taken.
  macro(`sf_to_time(x VARCHAR) AS CASE WHEN regexp_full_match(trim(x), '-?[0-9]+')
      THEN CAST(sf_epoch_to_timestamp(CAST(trim(x) AS HUGEINT)) AS TIME) ELSE CAST(x AS TIME) END,
    (x) AS CAST(x AS TIME)`),
  macro(`sf_try_to_time(x VARCHAR) AS CASE WHEN regexp_full_match(trim(x), '-?[0-9]+')
      THEN CAST(sf_epoch_to_timestamp(TRY_CAST(trim(x) AS HUGEINT)) AS TIME) ELSE TRY_CAST(x AS TIME) END,
    (x) AS TRY_CAST(x AS TIME)`),
  macro(`sf_scaled_epoch_to_timestamp(n, scale) AS CASE WHEN scale <= 6
    THEN make_timestamp(CAST(CAST(n AS HUGEINT) * CAST(10 ** (6 - scale) AS HUGEINT) AS BIGINT))
    ELSE make_timestamp(CAST(CAST(n AS HUGEINT) // CAST(10 ** (scale - 6) AS HUGEINT) AS BIGINT)) END`),
  // Snowflake's AUTO input formats beyond ISO: DD-MON-YYYY (the month's short or full name) and MM/DD/YYYY,
  // each optionally followed by a time of day (docs: date-time-input-output, "Supported formats for AUTO detection").
  macro(`sf_other_text_to_timestamp(s) AS try_strptime(trim(s), ${OTHER_INPUT_FORMATS})`),
  // '2024-01-01 10:00:00 +02:00': DuckDB reads an offset after a space as a time zone name.
  macro(`sf_timestamp_text(s) AS regexp_replace(trim(s), '\\s+([+-][0-9]{2}(:?[0-9]{2})?)$', '\\1')`),
  // Text no format reads fails in the last CAST, with DuckDB's conversion error naming the value: not error(),
  // whose side effects would stop DuckDB from resolving a lateral column alias of a TO_TIMESTAMP(...).
  macro(`sf_text_to_timestamp(s) AS CASE WHEN regexp_full_match(trim(s), '-?[0-9]+')
    THEN sf_epoch_to_timestamp(CAST(trim(s) AS HUGEINT))
    ELSE coalesce(TRY_CAST(sf_timestamp_text(s) AS TIMESTAMP), sf_other_text_to_timestamp(s),
      CAST(sf_timestamp_text(s) AS TIMESTAMP)) END`),
  macro(`sf_try_text_to_timestamp(s) AS CASE WHEN regexp_full_match(trim(s), '-?[0-9]+')
    THEN sf_epoch_to_timestamp(TRY_CAST(trim(s) AS HUGEINT))
    ELSE coalesce(TRY_CAST(sf_timestamp_text(s) AS TIMESTAMP), sf_other_text_to_timestamp(s)) END`),
  macro(`sf_text_to_timestamptz(s) AS CASE WHEN regexp_full_match(trim(s), '-?[0-9]+')
    THEN CAST(sf_epoch_to_timestamp(CAST(trim(s) AS HUGEINT)) AS TIMESTAMPTZ)
    ELSE coalesce(TRY_CAST(sf_timestamp_text(s) AS TIMESTAMPTZ), CAST(sf_other_text_to_timestamp(s) AS TIMESTAMPTZ),
      CAST(sf_timestamp_text(s) AS TIMESTAMPTZ)) END`),
  macro(`sf_try_text_to_timestamptz(s) AS CASE WHEN regexp_full_match(trim(s), '-?[0-9]+')
    THEN CAST(sf_epoch_to_timestamp(TRY_CAST(trim(s) AS HUGEINT)) AS TIMESTAMPTZ)
    ELSE coalesce(TRY_CAST(sf_timestamp_text(s) AS TIMESTAMPTZ), CAST(sf_other_text_to_timestamp(s) AS TIMESTAMPTZ)) END`),
  // TO_TIMESTAMP_NTZ: text (ISO forms; an offset is dropped, not applied), epoch seconds, DATE, TIMESTAMP, VARIANT.
  macro(`sf_to_timestamp_ntz(x DATE) AS CAST(x AS TIMESTAMP),
    (x TIMESTAMP) AS x,
    (x TIMESTAMPTZ) AS CAST(x AS TIMESTAMP),
    (x) AS ${ntzFromOther(false)}`),
  macro(`sf_try_to_timestamp_ntz(x DATE) AS CAST(x AS TIMESTAMP),
    (x TIMESTAMP) AS x,
    (x TIMESTAMPTZ) AS CAST(x AS TIMESTAMP),
    (x) AS ${ntzFromOther(true)}`),
  // TO_TIMESTAMP_LTZ / _TZ: an instant; text with an offset is converted, text without one is UTC.
  macro(`sf_to_timestamp_tz(x DATE) AS CAST(x AS TIMESTAMPTZ),
    (x TIMESTAMP) AS CAST(x AS TIMESTAMPTZ),
    (x TIMESTAMPTZ) AS x,
    (x) AS ${tzFromOther(false)}`),
  macro(`sf_try_to_timestamp_tz(x DATE) AS CAST(x AS TIMESTAMPTZ),
    (x TIMESTAMP) AS CAST(x AS TIMESTAMPTZ),
    (x TIMESTAMPTZ) AS x,
    (x) AS ${tzFromOther(true)}`),
  macro(`sf_to_date(x DATE) AS x,
    (x TIMESTAMP) AS CAST(x AS DATE),
    (x TIMESTAMPTZ) AS CAST(x AS DATE),
    (x) AS CAST(${ntzFromOther(false)} AS DATE)`),
  // A value DATEADD, DATEDIFF, DATE_TRUNC or DATE_PART works on: text (and VARIANT) is read as a TIMESTAMP_NTZ
  // in Snowflake's AUTO input formats, as Snowflake casts it implicitly.
  // Two overloads only, text (VARIANT is text to DuckDB's overload matching) and anything else: with more,
  // DuckDB cannot choose one for a lateral column alias (an alias of the same SELECT list, not typed yet).
  macro(`sf_temporal(x VARCHAR) AS ${ntzFromOther(false)},
    (x) AS x`),
  macro(`sf_try_temporal(x VARCHAR) AS ${ntzFromOther(true)},
    (x) AS x`),
  macro(`sf_try_to_date(x DATE) AS x,
    (x TIMESTAMP) AS CAST(x AS DATE),
    (x TIMESTAMPTZ) AS CAST(x AS DATE),
    (x) AS CAST(${ntzFromOther(true)} AS DATE)`),
];
