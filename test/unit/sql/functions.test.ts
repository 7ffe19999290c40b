// Which function calls reach DuckDB: the translated ones, and the pass-through list whose DuckDB namesakes give
// Snowflake's result; every other call is refused where it is written. Then the text, number and bitwise
// functions that DuckDB lacks or computes differently, run translated on DuckDB with the values Snowflake's
// reference pages show (docs: https://docs.snowflake.com/en/sql-reference/functions/<name>).
import { describe, expect, it } from 'vitest';
import { PASS_THROUGH } from '../../../src/sql/function-names.js';
import { HANDLED_FUNCTIONS } from '../../../src/sql/functions.js';
import { groupsBalanced } from '../../../src/sql/text-functions.js';
import { translateSnowflakeToDuckDB } from '../../../src/sql/translate.js';
import { snowflakeSessionOnDuckDB, translated } from '../../helpers/duckdb-session.js';

const session = snowflakeSessionOnDuckDB();

function errorsOf(sql: string): string[] {
  return translateSnowflakeToDuckDB(sql, { file: 'm.sql' })
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`);
}

/** The value of a one-column query, translated and run; numbers and dates as text so types show. */
async function value(expr: string, from = ''): Promise<unknown> {
  const { sql, diagnostics } = translateSnowflakeToDuckDB(`SELECT ${expr} AS v ${from}`);
  expect(diagnostics.filter((d) => d.severity === 'error'), sql).toEqual([]);
  const reader = await session.connection.runAndReadAll(`SELECT CAST(v AS VARCHAR) AS v FROM (${sql})`);
  return reader.getRowsJS()[0][0];
}

describe('calls the translator neither rewrites nor lists', () => {
  it.each([
    ['SELECT BITAND_AGG(x) FROM t', 'm.sql:1:8: BITAND_AGG is not supported on DuckDB: the translator has no exact equivalent'],
    ['SELECT id,\n  strftime(d, \'%Y\') FROM t', "m.sql:2:3: unknown function strftime: not a Snowflake function the translator knows"],
    ['SELECT RANDOM()', 'm.sql:1:8: RANDOM is not supported on DuckDB'],
    ['SELECT "MyUdf"(1)', 'm.sql:1:8: unknown function "MyUdf"'],
    ['SELECT COLLATE(name, \'en-ci\') FROM t', 'm.sql:1:8: COLLATE is not supported on DuckDB'],
    ["SELECT UPPER('i' COLLATE 'tr')", "m.sql:1:18: COLLATE 'tr' is not supported on DuckDB"],
    ['SELECT BITAND(a, b, \'LEFT\') FROM t', "m.sql:1:21: BITAND with a padding side ('LEFT') works on BINARY values"],
    ["SELECT NEXT_DAY(d, day_name) FROM t", 'm.sql:1:20: NEXT_DAY: the day of the week must be a string literal'],
    ["SELECT NEXT_DAY(d, 'x') FROM t", "m.sql:1:20: NEXT_DAY: the day of the week must be a string literal naming it, e.g. 'friday' or 'fr'; got 'x'"],
    ['SELECT LOG(8)', 'm.sql:1:8: LOG expects 2 argument(s), got 1'],
  ])('%s is refused', (sql, message) => {
    expect(errorsOf(sql)[0]).toContain(message);
  });

  it('passes through only names DuckDB defines, and none the translator rewrites', async () => {
    const reader = await session.connection.runAndReadAll('SELECT DISTINCT upper(function_name) FROM duckdb_functions()');
    const duckdb = new Set(reader.getRowsJS().map((r) => String(r[0])));
    // DuckDB's grammar has these, not its function catalog.
    const grammar = ['COALESCE', 'IFNULL', 'GROUPING', 'GROUPING_ID', 'PERCENTILE_CONT', 'PERCENTILE_DISC'];
    expect([...PASS_THROUGH].filter((name) => !duckdb.has(name)).sort()).toEqual(grammar.sort());
    await session.connection.run(`SELECT COALESCE(NULL, 1), IFNULL(NULL, 1), GROUPING(a), GROUPING_ID(a),
      PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY a), PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY a) FROM (SELECT 1 AS a) GROUP BY ROLLUP (a)`);
    expect(HANDLED_FUNCTIONS.filter((name) => PASS_THROUGH.has(name))).toEqual([]);
  });

  it.each([
    'SELECT SUM(x), COUNT(*), COALESCE(a, 0), LAG(x) IGNORE NULLS OVER (ORDER BY y) FROM t',
    'WITH calendar (date_key) AS (SELECT 1) SELECT * EXCLUDE (date_key) FROM calendar',
    'SELECT * FROM (VALUES (1)) v(a)',
    'SELECT * FROM t AS x(a, b)',
    'SELECT a, b, SUM(c) FROM t GROUP BY ROLLUP (a), CUBE (b), GROUPING SETS ((a), (b))',
    'SELECT db.schema.my_udf(1)',
    'INSERT INTO t (a) SELECT 1',
    'MERGE INTO t USING s ON t.a = s.a WHEN NOT MATCHED THEN INSERT (a) VALUES (s.a)',
  ])('%s is not refused', (sql) => {
    expect(errorsOf(sql)).toEqual([]);
  });
});

describe('text functions', () => {
  it.each([
    ["INSERT('abc', 1, 2, 'Z')", 'Zc'],
    ["INSERT('abcdef', 3, 2, 'zzz')", 'abzzzef'],
    ["INSERT('abc', 2, 1, '')", 'ac'],
    ["INSERT('abc', 4, 0, 'Z')", 'abcZ'],
    ["INSERT(NULL, 1, 2, 'Z')", null],
    ["SUBSTR('mystring', 0, 3)", 'mys'],
    ["SUBSTR('mystring', -3, 7)", 'ing'],
    ["SUBSTR('mystring', -7, 3)", 'yst'],
    ["SUBSTRING('mystring', 3)", 'string'],
    ["SUBSTR('abc', 2, -1)", ''],
    ["SUBSTR(NULL, 2, -1)", null],
    ['SUBSTR(20210320, 1, 4)', '2021'],
    ["LEFT('abc', -1)", ''],
    ["RIGHT('abc', -1)", ''],
    ["LEFT('ABCDEF', 3)", 'ABC'],
    ["RIGHT('ABCDEFG', 3)", 'EFG'],
    ["REVERSE('2019-05-22'::DATE)", '22-50-9102'],
    ["LPAD('ab', 4)", '  ab'],
    ["RPAD('ab', 4, '*')", 'ab**'],
    ["UNICODE('a')", '97'],
    ["UNICODE('')", '0'],
    ['UNICODE(NULL)', null],
    ['CHAR(10052)', '❄'],
  ])('%s = %s', async (expr, expected) => {
    expect(await value(expr)).toBe(expected);
  });
});

describe('numbers, bits, days', () => {
  it.each([
    ['BITAND(16, 24)', '16'],
    ['BITOR(16, 24)', '24'],
    ['BITXOR(16, 24)', '8'],
    ['BITNOT(1)', '-2'],
    ['BITSHIFTLEFT(16, 1)', '32'],
    ['BITSHIFTRIGHT(65504, 1)', '32752'],
    ['BITAND(NULL, 1)', null],
    ['GREATEST_IGNORE_NULLS(1, NULL, 3)', '3'],
    ['LEAST_IGNORE_NULLS(NULL, 2.5, 5)', '2.5'],
    ['GREATEST_IGNORE_NULLS(NULL::INT, NULL)', null],
    ["NEXT_DAY('2024-05-09'::DATE, 'Friday ')", '2024-05-10'],
    ["NEXT_DAY('2024-05-10'::DATE, 'fr')", '2024-05-17'],
    ["PREVIOUS_DAY('2024-05-10 13:00:00'::TIMESTAMP_NTZ, 'fri')", '2024-05-03'],
    ["PREVIOUS_DAY('2024-05-12'::DATE, 'mo')", '2024-05-06'],
    // A NUMBER keeps min(its scale, max(k, 0)) decimals; a FLOAT stays FLOAT.
    ['CEIL(135.135, 1)', '135.2'],
    ['FLOOR(-975.975, 2)', '-975.98'],
    ['CEIL(135.135, 50)', '135.135'],
    ['FLOOR(135.135, -2)', '100'],
    ['CEIL(135, -1)', '140'],
    ['CEIL(-1.25, 1)', '-1.2'],
    ['TRUNC(-975.975, 2)', '-975.97'],
    ['FLOOR(1.50, 0)', '1'],
    ['CEIL(135.135::FLOAT, 3)', '135.135'],
    ['FLOOR(-975.975::FLOAT, -1)', '-980.0'],
    ['TRUNC(135.135::FLOAT, 1)', '135.1'],
    ['LOG(2, 8)', '3.0'],
    ['VARIANCE_POP(x)', '0.0'],
  ])('%s = %s', async (expr, expected) => {
    expect(await value(expr, expr.includes('(x)') ? 'FROM (SELECT 1 AS x)' : '')).toBe(expected);
  });

  it('sums and averages text as FLOAT, and leaves a NUMBER its type', async () => {
    const sql = `SELECT SUM(s) AS s, AVG(s) AS a, SUM(d) AS d, SUM(DISTINCT k) AS k
      FROM (SELECT column1 AS k, column2::NUMBER(10, 5) AS d, column3 AS s FROM VALUES (1, 1.1, '1.1'), (1, 10, '10'), (2, NULL, NULL))`;
    const reader = await session.connection.runAndReadAll(translateSnowflakeToDuckDB(sql).sql);
    expect(reader.getRowsJS()[0].map(String)).toEqual(['11.1', '5.55', '11.1', '3']);
    expect(reader.columnType(2).toString()).toBe('DECIMAL(38,5)');
  });

  it('takes a column scale on FLOAT and refuses it on NUMBER where the query runs', async () => {
    const sql = 'SELECT n, CEIL(n, k) AS c FROM (SELECT column1 AS n, column2 AS k FROM VALUES (135.135::FLOAT, 1), (-975.975::FLOAT, 2)) ORDER BY n';
    const reader = await session.connection.runAndReadAll(translateSnowflakeToDuckDB(sql).sql);
    expect(reader.getRowsJS().map((r) => r[1])).toEqual([-975.97, 135.2]);
    const onNumber = translateSnowflakeToDuckDB('SELECT CEIL(n, k) FROM (SELECT 1.5 AS n, 1 AS k)', { file: 'm.sql' }).sql;
    await expect(session.connection.run(onNumber)).rejects.toThrow('m.sql:1:8: CEIL(n, k): on a NUMBER the scale must be a whole number literal');
  });
});

describe('REGEXP_LIKE with a literal pattern, anchored in the text (faster on DuckDB)', () => {
  const SUBJECTS = ['abc', 'abc\n', 'xabc', 'a', 'b', 'ab', ')', '))', 'A-12', 'a-12', 'a.b', 'aXb', 'x\ny', ''];
  const PATTERNS: Array<[string, string?]> = [
    ['abc'], ['a|b'], ['a|ab'], ['[)]+'], ['[^)]+'], ['[]a]+'], ['\\Q)\\E+'], ['\\)'], ['A-[0-9]+'], ['A-[0-9]+', 'i'],
    ['a.b'], ['a.b', 's'], ['x.y', 's'], ['(a)(b)?c'], ['[[:alpha:]]+'], ['.*'], ['x$\ny', 'm'], [''],
  ];
  it.each(PATTERNS)('%j (%s) matches what RE2 matches whole', async (pattern, params) => {
    // A Snowflake string literal reads backslash escapes: each backslash of the pattern is written twice.
    const call = `REGEXP_LIKE(s, '${pattern.replace(/'/g, "''").replace(/\\/g, '\\\\')}'${params ? `, '${params}'` : ''})`;
    const sql = translated(`SELECT s, ${call} AS m FROM (SELECT column1 AS s FROM VALUES ${SUBJECTS.map((x) => `('${x.replace(/'/g, "''")}')`).join(', ')})`);
    expect(sql).toContain(params === 'm' ? 'regexp_full_match' : 'regexp_matches');
    const got = (await session.connection.runAndReadAll(sql)).getRowsJS();
    const flags = params ? `(?${params.replace('c', '')})` : '';
    const whole = (await session.connection.runAndReadAll(
      `SELECT regexp_full_match(s, '${(flags + pattern).replace(/'/g, "''")}') FROM (VALUES ${SUBJECTS.map((x) => `('${x.replace(/'/g, "''")}')`).join(', ')}) AS t(s)`,
    )).getRowsJS();
    expect(got.map((r) => r[1])).toEqual(whole.map((r) => r[0]));
  });

  it('leaves a pattern with unbalanced groups to the full match, which refuses it as Snowflake does', () => {
    for (const bad of ['a)|(b', '(a', 'a)', '[a', '\\Qa']) expect(groupsBalanced(bad), bad).toBe(false);
    for (const good of ['(a)|(b)', '[(]', '\\(', '\\Q(\\E', '[[:digit:])]']) expect(groupsBalanced(good), good).toBe(true);
    expect(translated("SELECT REGEXP_LIKE('a', 'a)|(b')")).toContain('regexp_full_match');
  });
});
