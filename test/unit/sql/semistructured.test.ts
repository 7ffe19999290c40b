// ARRAY, OBJECT and VARIANT functions, PARSE_JSON, TYPEOF and FLATTEN's SEQ on DuckDB: each case is Snowflake's
// documented result, or a refusal that names the construct (docs: each function's page). A SQL NULL element of an
// ARRAY (Snowflake's "undefined") has no JSON form, so everything that would make one is refused.
import { describe, expect, it } from 'vitest';
import { ownRefusal } from '../../../src/sql/errors.js';
import { translateSnowflakeToDuckDB } from '../../../src/sql/translate.js';
import { snowflakeSessionOnDuckDB, translated } from '../../helpers/duckdb-session.js';

const translatedIn = (sql: string): string => translated(sql, 'm.sql');
const session = snowflakeSessionOnDuckDB([
  `CREATE TABLE t AS SELECT 1 AS id, CAST('[5,6]' AS JSON) AS v, CAST(NULL AS INTEGER) AS missing`,
]);

/** The first column of every row, JSON as its text. */
async function values(sql: string): Promise<unknown[]> {
  const reader = await session.connection.runAndReadAll(translatedIn(sql));
  return reader.getRowsJson().map((r) => r[0]);
}

const value = async (expr: string): Promise<unknown> => (await values(`SELECT ${expr}`))[0];

function refusal(sql: string): string {
  const errors = translateSnowflakeToDuckDB(sql, { file: 'm.sql' }).diagnostics.filter((d) => d.severity === 'error');
  expect(errors.length, sql).toBeGreaterThan(0);
  return `${errors[0].file}:${errors[0].line}:${errors[0].col}: ${errors[0].message}`;
}

/** The message a statement refused at run time ends with, as the DuckDB warehouse reports it. */
async function runtimeMessage(sql: string): Promise<string | undefined> {
  try {
    await session.connection.runAndReadAll(translatedIn(sql));
  } catch (e) {
    return ownRefusal((e as Error).message) ?? `not a refusal: ${(e as Error).message}`;
  }
  return undefined;
}

describe('ARRAY functions', () => {
  it.each([
    // ARRAY_DISTINCT keeps first occurrences in order; JSON null is a value like any other.
    ["ARRAY_DISTINCT(['B', 'A', 'B', 'C'])", '["B","A","C"]'],
    ["ARRAY_DISTINCT([PARSE_JSON('null'), 1, PARSE_JSON('null')])", '[null,1]'],
    ["ARRAY_DISTINCT([OBJECT_CONSTRUCT('a', 1, 'b', 2), OBJECT_CONSTRUCT('b', 2, 'a', 1)])", '[{"a":1,"b":2}]'],
    ['ARRAY_DISTINCT(NULL)', null],
    // ARRAY_CONTAINS matches a JSON null, and OBJECTs whatever order their keys were written in.
    ["ARRAY_CONTAINS(PARSE_JSON('null'), ARRAY_CONSTRUCT('hola', PARSE_JSON('null')))", true],
    ["ARRAY_CONTAINS(NULL, ARRAY_CONSTRUCT('hola', PARSE_JSON('null')))", null],
    ["ARRAY_CONTAINS(OBJECT_CONSTRUCT('b', 2, 'a', 1), [OBJECT_CONSTRUCT('a', 1, 'b', 2)])", true],
    ["ARRAY_CONTAINS('hi'::VARIANT, ['hello', 'hi'])", true],
    // ARRAY_PREPEND / ARRAY_APPEND take the array first.
    ["ARRAY_PREPEND(ARRAY_CONSTRUCT(0, 1, 2, 3), 'hello')", '["hello",0,1,2,3]'],
    ["ARRAY_APPEND(ARRAY_CONSTRUCT(0, 1), PARSE_JSON('null'))", '[0,1,null]'],
    ['ARRAY_APPEND(NULL, 1)', null],
    ['ARRAY_CAT(NULL, [1])', null],
    ['ARRAY_CAT([1], [PARSE_JSON(\'null\')])', '[1,null]'],
    ["ARRAY_TO_STRING([1, 'a', [1, 2], OBJECT_CONSTRUCT('b', 1, 'a', 2)], ',')", '1,a,[1,2],{"a":2,"b":1}'],
    ["ARRAY_SIZE(ARRAY_COMPACT([1, PARSE_JSON('null'), 2]))", '2'],
  ])('%s = %j', async (expr, expected) => {
    expect(await value(expr)).toEqual(expected);
  });

  it('refuses a SQL NULL element where the SQL shows it', () => {
    expect(refusal('SELECT ARRAY_CONSTRUCT(1, NULL)')).toMatch(/^m\.sql:1:27: ARRAY_CONSTRUCT with a SQL NULL element: .*undefined/);
    expect(refusal('SELECT [1, NULL]')).toMatch(/^m\.sql:1:12: an array constant with a SQL NULL element/);
    expect(refusal('SELECT ARRAY_APPEND([1], NULL)')).toMatch(/^m\.sql:1:26: ARRAY_APPEND with a SQL NULL element/);
    expect(refusal("SELECT ARRAY_PREPEND([1], NULL)")).toMatch(/^m\.sql:1:27: ARRAY_PREPEND with a SQL NULL element/);
  });

  it('refuses a SQL NULL element where the data has it, naming the construct', async () => {
    expect(await runtimeMessage('SELECT ARRAY_CONSTRUCT(id, missing) FROM t')).toMatch(/^m\.sql:1:8: ARRAY_CONSTRUCT\(\.\.\.\): a SQL NULL array element is undefined/);
    expect(await runtimeMessage('SELECT [id, missing] FROM t')).toMatch(/^m\.sql:1:8: \[id, missing\]: a SQL NULL array element/);
    expect(await runtimeMessage('SELECT ARRAY_APPEND(v, missing) FROM t')).toMatch(/^m\.sql:1:8: ARRAY_APPEND\(\.\.\.\): /);
    expect(await runtimeMessage('SELECT ARRAY_CONSTRUCT_COMPACT(id, missing) FROM t')).toBeUndefined();
  });

  it('keeps a lateral column alias of an ARRAY working (the refusal has no side effects)', async () => {
    expect(await values('SELECT ARRAY_CONSTRUCT(id, id) AS arr, ARRAY_SIZE(arr) FROM t')).toEqual(['[1,1]']);
  });
});

describe('PARSE_JSON and TRY_PARSE_JSON', () => {
  it.each([
    // Keys without quotes, and TRUE/FALSE/NULL in any case, as Snowflake reads them; strings stay as written.
    ["PARSE_JSON('[{r:255,g:12,b:0},{r:0,g:255,b:0}]')", '[{"r":255,"g":12,"b":0},{"r":0,"g":255,"b":0}]'],
    ["PARSE_JSON('[TRUE, False, NULL]')", '[true,false,null]'],
    ["PARSE_JSON('NULL')", 'null'],
    [`PARSE_JSON('{"k": "NULL: x, {a: TRUE}"}')`, '{"k":"NULL: x, {a: TRUE}"}'],
    [`PARSE_JSON('{"a": "[1,,2]"}')`, '{"a":"[1,,2]"}'],
    // A number in exponent form is a DOUBLE, shown as Snowflake shows one.
    ["PARSE_JSON('1.912e2')", '1.912000000000000e+02'],
    ["PARSE_JSON('  ')", null],
    [`TRY_PARSE_JSON('{"a":1,"a":2}')`, null],
    [`TRY_PARSE_JSON('{ "bad" : "json"')`, null],
    [`TRY_PARSE_JSON('{ x : FALSE }')`, '{"x":false}'],
  ])('%s = %j', async (expr, expected) => {
    expect(await value(expr)).toEqual(expected);
  });

  it('refuses JSON text with an empty element (an undefined element in Snowflake)', async () => {
    expect(refusal("SELECT PARSE_JSON('[1, ,77]')")).toMatch(/^m\.sql:1:19: PARSE_JSON: JSON text with an empty element/);
    expect(refusal("SELECT TRY_PARSE_JSON('[1, 2,]')")).toMatch(/^m\.sql:1:23: TRY_PARSE_JSON: JSON text with an empty element/);
    expect(await runtimeMessage(`SELECT PARSE_JSON(s) FROM (SELECT '[-1, FALSE,]' AS s)`)).toMatch(/^m\.sql:1:8: PARSE_JSON\(\.\.\.\): JSON text with an empty element/);
    expect(await runtimeMessage(`SELECT TRY_PARSE_JSON(s) FROM (SELECT '[, 1]' AS s)`)).toMatch(/^m\.sql:1:8: TRY_PARSE_JSON\(\.\.\.\): JSON text with an empty element/);
  });

  it("takes 's' (the default) and refuses 'd' (duplicate keys, the last one kept)", async () => {
    expect(await value(`PARSE_JSON('{"a":1}', 's')`)).toBe('{"a":1}');
    expect(refusal(`SELECT PARSE_JSON('{"a":1,"a":2}', 'd')`)).toMatch(/^m\.sql:1:36: PARSE_JSON: only the parameter 's' is supported/);
  });

  it('refuses a duplicate key, as Snowflake does', async () => {
    expect(await runtimeMessage(`SELECT PARSE_JSON(s) FROM (SELECT '{"a":1,"a":2}' AS s)`)).toMatch(/^m\.sql:1:8: PARSE_JSON\(\.\.\.\): duplicate key/);
  });
});

describe('TYPEOF and the IS_ type predicates', () => {
  it.each([
    ["TYPEOF(PARSE_JSON('1.912e2'))", 'DOUBLE'],
    ["TYPEOF(PARSE_JSON('123.12'))", 'DECIMAL'],
    ["TYPEOF(PARSE_JSON('-17'))", 'INTEGER'],
    ["TYPEOF(PARSE_JSON('12345678901234567890123'))", 'INTEGER'],
    ["TYPEOF(PARSE_JSON('null'))", 'NULL_VALUE'],
    ['TYPEOF(TO_VARIANT(3.21::DOUBLE))', 'DOUBLE'],
    ['TYPEOF(1.5::FLOAT::VARIANT)', 'DOUBLE'],
    ['TYPEOF(TO_VARIANT(1.23::DECIMAL(6, 3)))', 'DECIMAL'],
    ['TO_VARIANT(3.21::DOUBLE)', '3.210000000000000e+00'],
    ["IS_DECIMAL(PARSE_JSON('1.912e2'))", false],
    ["IS_DECIMAL(PARSE_JSON('123.12'))", true],
    ['IS_DECIMAL(TO_VARIANT(15))', true],
    ['IS_DECIMAL(TO_VARIANT(3.21::DOUBLE))', false],
    ["IS_DOUBLE(PARSE_JSON('15'))", true],
    ["IS_REAL(PARSE_JSON('1.912e2'))", true],
    [`IS_DOUBLE(PARSE_JSON('"1"'))`, false],
    ["IS_INTEGER(PARSE_JSON('1.5'))", false],
    ["IS_INTEGER(PARSE_JSON('-17'))", true],
  ])('%s = %j', async (expr, expected) => {
    expect(await value(expr)).toEqual(expected);
  });

  it('refuses the date and time predicates (a VARIANT keeps dates as strings on DuckDB)', () => {
    expect(refusal('SELECT IS_DATE(v) FROM t')).toMatch(/^m\.sql:1:8: IS_DATE is not supported on DuckDB: .*strings/);
    expect(refusal('SELECT IS_TIMESTAMP_NTZ(v) FROM t')).toMatch(/^m\.sql:1:8: IS_TIMESTAMP_NTZ is not supported/);
  });
});

describe('GET_IGNORE_CASE', () => {
  it.each([
    [`GET_IGNORE_CASE(PARSE_JSON('{"aa":1, "aA":2, "Aa":3, "AA":4}'), 'aA')`, '2'],
    [`GET_IGNORE_CASE(PARSE_JSON('{"Abc":1}'), 'aBC')`, '1'],
    [`GET_IGNORE_CASE(PARSE_JSON('{"Abc":1}'), 'x')`, null],
    [`GET_IGNORE_CASE(PARSE_JSON('[5, 6]'), 1)`, '6'],
    [`GET_IGNORE_CASE(NULL, 'a')`, null],
  ])('%s = %j', async (expr, expected) => {
    expect(await value(expr)).toEqual(expected);
  });

  it('refuses several keys equal ignoring case and none exactly (Snowflake picks one it does not name)', async () => {
    expect(await runtimeMessage(`SELECT GET_IGNORE_CASE(PARSE_JSON('{"aa":1, "aA":2, "Aa":3}'), 'AA')`)).toMatch(
      /^m\.sql:1:8: GET_IGNORE_CASE\(\.\.\.\): the OBJECT has several keys equal to AA ignoring case/,
    );
  });
});

describe("FLATTEN's SEQ", () => {
  it('is 1 for a constant input (one input row)', async () => {
    expect(await values(`SELECT f.seq FROM TABLE(FLATTEN(INPUT => PARSE_JSON('{"a":1, "b":[77,88]}'), PATH => 'b')) f`)).toEqual([1, 1]);
  });

  it('is refused where it numbers the rows of a table', async () => {
    expect(refusal('SELECT f.seq, f.value FROM t, LATERAL FLATTEN(input => t.v) f')).toMatch(/^m\.sql:1:10: FLATTEN's SEQ numbers the input rows/);
    expect(refusal('SELECT * FROM t, LATERAL FLATTEN(input => t.v) f')).toMatch(/^m\.sql:1:8: FLATTEN's SEQ/);
    expect(refusal('SELECT f.* FROM t, LATERAL FLATTEN(input => t.v) f')).toMatch(/^m\.sql:1:10: FLATTEN's SEQ/);
    expect(await values('SELECT t.id, f.value FROM t, LATERAL FLATTEN(input => t.v) f ORDER BY f.index')).toEqual([1, 1]);
    expect(await values('SELECT t.*, f.value FROM t, LATERAL FLATTEN(input => t.v) f ORDER BY f.index')).toEqual([1, 1]);
  });

  it('fails, naming FLATTEN, where a clause after FROM reads it', async () => {
    expect(await runtimeMessage('SELECT f.value FROM t, LATERAL FLATTEN(input => t.v) f WHERE f.seq = 1')).toMatch(/^m\.sql:1:32: FLATTEN\(\.\.\.\) SEQ: FLATTEN's SEQ numbers/);
  });
});

describe('ownRefusal', () => {
  it('reads the message out of the failing cast, and nothing else', () => {
    expect(ownRefusal(`Conversion Error: Could not convert string 'm.sql:3:7: PARSE_JSON(...): use PARSE_JSON('null')' to BOOL\nLINE 1: ...`)).toBe(
      "m.sql:3:7: PARSE_JSON(...): use PARSE_JSON('null')",
    );
    expect(ownRefusal(`Conversion Error: Could not convert string 'yes' to BOOL`)).toBeUndefined();
  });
});
