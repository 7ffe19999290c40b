// Snowflake's fixed-point arithmetic on DuckDB. Snowflake gives `/` and `*` on NUMBER a result scale computed
// from the inputs' scales; DuckDB divides into DOUBLE and multiplies with the sum of the scales. The macros here
// read the inputs' types while DuckDB binds the query (typeof() folds to a constant, round()'s scale argument
// and struct_extract's key may be such constants), so one macro gives each input type its own result type.
// docs: https://docs.snowflake.com/en/sql-reference/operators-arithmetic ("Scale and precision in arithmetic
// operations"): division scale max(S1, min(S1 + 6, 12)); multiplication scale min(S1 + S2, max(S1, S2, 12)).

const macro = (body: string): string => `CREATE OR REPLACE TEMP MACRO ${body}`;

/**
 * `value`, unless `condition` (on the inputs' types only) holds: then the query is refused with `message`
 * (sf_refuse, decoded by src/sql/errors.ts ownRefusal). DuckDB computes a struct key while it binds the query,
 * inside lambdas too, so the refusal is raised then: unlike error(), which fires on a row, this refuses a query
 * that reads no rows too, so `dataops validate` sees it. The message is NULL unless the condition holds.
 */
const refuseWhen = (condition: string, message: string, value: string): string =>
  `struct_extract({'ok': ${value}}, CASE WHEN ${condition} THEN CAST(sf_refuse(CASE WHEN ${condition} THEN ${message} END) AS VARCHAR) ELSE 'ok' END)`;

/** Exact numeric DuckDB types: Snowflake's NUMBER. */
const EXACT = `'(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|DECIMAL\\(.*\\)|"NULL")'`;

export const NUMBER_MACROS: string[] = [
  // The scale of a value's type (0 for integers), known when the query binds.
  macro(`sf_scale(x) AS CASE WHEN typeof(x) LIKE 'DECIMAL(%' THEN CAST(regexp_extract(typeof(x), ',(\\d+)\\)', 1) AS INTEGER) ELSE 0 END`),
  // 'f' when either side is floating point (Snowflake computes in FLOAT), 'n' when both are NUMBER, 'o' otherwise.
  macro(`sf_number_kind(a, b) AS CASE
    WHEN typeof(a) IN ('FLOAT', 'DOUBLE') OR typeof(b) IN ('FLOAT', 'DOUBLE') THEN 'f'
    WHEN regexp_full_match(typeof(a), ${EXACT}) AND regexp_full_match(typeof(b), ${EXACT}) THEN 'n'
    ELSE 'o' END`),
  macro(`sf_pow10(n) AS CAST('1' || repeat('0', CAST(n AS INTEGER)) AS HUGEINT)`),
  // The digits of a NUMBER without its decimal point: 12.50 (scale 2) is 1250.
  macro(`sf_unscaled(x) AS CAST(replace(CAST(x AS VARCHAR), '.', '') AS HUGEINT)`),
  // n / d rounded half away from zero, in integers.
  macro(`sf_round_quotient(n, d) AS CASE WHEN d = 0 THEN error('Division by zero')
    ELSE (abs(n) * 2 + abs(d)) // (abs(d) * 2) * sign(n) * sign(d) END`),
  // A NUMBER with scale s from its digits (s <= 12); round() with a bind-time scale gives the type DECIMAL(38, s).
  macro(`sf_from_unscaled(u, s) AS round(CAST(u * sf_pow10(12 - s) AS DECIMAL(38, 0)) * CAST(0.000000000001 AS DECIMAL(13, 12)), s)`),
  // The FLOAT quotient, when either side is FLOAT; division by zero is an error, as in Snowflake.
  macro(`sf_fdiv(a, b) AS CASE WHEN sf_number_kind(a, b) = 'f' THEN
    (CASE WHEN CAST(b AS DOUBLE) = 0 THEN error('Division by zero') ELSE CAST(a AS DOUBLE) / CAST(b AS DOUBLE) END) END`),
  // The scale of NUMBER / NUMBER: max(S1, min(S1 + 6, 12)).
  macro(`sf_div_scale(a) AS greatest(sf_scale(a), least(sf_scale(a) + 6, 12))`),
  // The digits of NUMBER / NUMBER at that scale, rounded half away from zero, when both sides are NUMBER.
  macro(`sf_ndiv(a, b, place) AS CASE WHEN sf_number_kind(a, b) = 'n' THEN ${refuseWhen(
    "sf_number_kind(a, b) = 'n' AND sf_scale(a) > 12",
    "place || ': dividing a NUMBER with more than 12 decimals is not supported on DuckDB; cast the dividend to NUMBER(38, 12) or FLOAT first'",
    'sf_round_quotient(sf_unscaled(a) * sf_pow10(sf_div_scale(a) - sf_scale(a) + sf_scale(b)), sf_unscaled(b))',
  )} END`),
  // ROUND(x, n, 'HALF_TO_EVEN'): a tie (the digits after the n-th decimal are exactly 5, 50, ...) goes to the
  // candidate whose last digit is even: trunc (toward zero) when that one is even, else round (away from zero).
  // Snowflake allows the mode on NUMBER only.
  macro(`sf_round_half_even(x, n, place) AS ${refuseWhen(
    "typeof(x) IN ('FLOAT', 'DOUBLE')",
    "place || ' with a rounding mode takes a NUMBER, not a FLOAT; cast it, e.g. ROUND(x::NUMBER(38, 12), n, ''HALF_TO_EVEN'')'",
    `CASE WHEN sf_scale(x) > n AND abs(sf_unscaled(x)) % sf_pow10(sf_scale(x) - n) = 5 * sf_pow10(sf_scale(x) - n - 1)
      AND sf_unscaled(trunc(x, n)) % 2 = 0 THEN trunc(x, n)
    ELSE round(x, n) END`,
  )}`),
  // a * b: DuckDB's scale is S1 + S2; Snowflake caps it at max(S1, S2, 12). They agree unless both scales are
  // above zero and add up to more than 12, which is refused (Snowflake's rounding there is not documented).
  macro(`sf_mul(a, b, place) AS ${refuseWhen(
    "sf_number_kind(a, b) = 'n' AND sf_scale(a) > 0 AND sf_scale(b) > 0 AND sf_scale(a) + sf_scale(b) > greatest(sf_scale(a), sf_scale(b), 12)",
    "place || ': the product of NUMBERs with ' || sf_scale(a) || ' and ' || sf_scale(b) || ' decimals has more than 12 decimals, which Snowflake cuts to ' || greatest(sf_scale(a), sf_scale(b), 12) || '; ROUND one side first'",
    'a * b',
  )}`),
];

/**
 * a / b as DuckDB SQL (a and b already translated): NUMBER / NUMBER is a NUMBER with scale max(S1, min(S1 + 6,
 * 12)), rounded half away from zero; FLOAT on either side divides in FLOAT. The result's type depends on the
 * inputs' types, so it is chosen where DuckDB binds the query: a lambda binds a and b once, and round() and
 * struct_extract() take scales and keys computed from their types (a macro cannot: its parameters have no
 * type when it is created). `place` names the construct in errors.
 */
export function divisionSql(a: string, b: string, place: string): string {
  const q = 'sf_q';
  // A bare NULL has no type to read a scale from; Snowflake's NULL / 2 is a NULL NUMBER.
  const typed = (x: string): string => (x.trim().toUpperCase() === 'NULL' ? x.replace(/null/i, 'CAST(NULL AS INTEGER)') : x);
  [a, b] = [typed(a), typed(b)];
  const pick =
    `struct_extract({'f': sf_fdiv(${q}.a, ${q}.b), ` +
    `'n': sf_from_unscaled(sf_ndiv(${q}.a, ${q}.b, ${place}), sf_div_scale(${q}.a)), ` +
    `'o': ${q}.a / ${q}.b}, sf_number_kind(${q}.a, ${q}.b))`;
  return `list_transform([{'a': ${a}, 'b':${/^\s/.test(b) ? '' : ' '}${b}}], lambda ${q}: ${pick})[1]`;
}
