import { describe, expect, it } from 'vitest';
import { translateSnowflakeToDuckDB } from '../../../src/sql/translate.js';
import { sqlErrorDiagnostic } from '../../../src/sql/errors.js';
import { snowflakeSessionOnDuckDB } from '../../helpers/duckdb-session.js';

const session = snowflakeSessionOnDuckDB([
  'CREATE TABLE amounts AS SELECT CAST(10 AS DECIMAL(12, 2)) AS amt, CAST(3 AS BIGINT) AS n, CAST(2.5 AS DOUBLE) AS f, CAST(1 AS DECIMAL(20, 14)) AS fine',
]);

/** Translates Snowflake SQL and returns each cell as DuckDB prints it (so a NUMBER's scale shows). */
async function cells(sql: string): Promise<string[]> {
  const { sql: out, diagnostics } = translateSnowflakeToDuckDB(sql, { file: 'm.sql' });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const reader = await session.connection.runAndReadAll(out);
  return reader.getRows()[0].map((v) => (v === null ? 'NULL' : String(v)));
}

/** The error as the user reads it (src/sql/errors.ts), file:line:col first. */
async function failure(sql: string): Promise<string> {
  const { sql: out } = translateSnowflakeToDuckDB(sql, { file: 'm.sql' });
  try {
    await session.connection.runAndReadAll(out);
  } catch (e) {
    const d = sqlErrorDiagnostic((e as Error).message, { file: 'm.sql', text: sql });
    return `${d.file}:${d.line}:${d.col}: ${d.message}`;
  }
  throw new Error(`no error for ${sql}`);
}

describe("ROUND with a rounding mode", () => {
  const cases: [string, string, string][] = [
    ['ties go to the even neighbour', "SELECT ROUND(2.5, 0, 'HALF_TO_EVEN'), ROUND(3.5, 0, 'half_to_even'), ROUND(-2.5, 0, 'HALF_TO_EVEN')", '2|4|-2'],
    ['only exact ties', "SELECT ROUND(0.125, 2, 'HALF_TO_EVEN'), ROUND(0.135, 2, 'HALF_TO_EVEN'), ROUND(0.1251, 2, 'HALF_TO_EVEN')", '0.12|0.14|0.13'],
    ['integers and NULL pass', "SELECT ROUND(7, 0, 'HALF_TO_EVEN'), ROUND(NULL::number(10,2), 1, 'HALF_TO_EVEN')", '7|NULL'],
    ['HALF_AWAY_FROM_ZERO is the default', "SELECT ROUND(2.5, 0, 'HALF_AWAY_FROM_ZERO'), ROUND(-2.5)", '3|-3'],
  ];
  it.each(cases)('%s', async (_, sql, expected) => {
    expect((await cells(sql)).join('|')).toBe(expected);
  });

  it('refuses a FLOAT, an unknown mode and a scale that is not a literal', async () => {
    expect(await failure("SELECT ROUND(2.5::float, 0, 'HALF_TO_EVEN')")).toContain('takes a NUMBER, not a FLOAT');
    const bad = (sql: string): string[] => translateSnowflakeToDuckDB(sql, { file: 'm.sql' }).diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);
    expect(bad("SELECT ROUND(x, 0, 'UP') FROM t")).toEqual([expect.stringMatching(/^1:20 ROUND: the rounding mode must be .* got 'UP'/)]);
    expect(bad("SELECT ROUND(x, s, 'HALF_TO_EVEN') FROM t")).toEqual([expect.stringMatching(/^1:17 ROUND with 'HALF_TO_EVEN' needs the scale/)]);
  });
});

describe('NUMBER division and multiplication', () => {
  const cases: [string, string, string][] = [
    ['integer / integer has scale 6, rounded half away from zero', 'SELECT 2/3, -2/3, 1/8', '0.666667|-0.666667|0.125000'],
    ['the dividend scale 2 gives 8', 'SELECT amt / n FROM amounts', '3.33333333'],
    ['aggregates divide the same way', 'SELECT SUM(amt) / COUNT(*) FROM amounts', '10.00000000'],
    ['a FLOAT on either side divides in FLOAT', 'SELECT f / n, amt / f FROM amounts', '0.8333333333333334|4'],
    ['* / % bind left to right: a * b / c divides the product', 'SELECT 3 * 2 / 4, 3 / 4 * 2, 7 % 4 / 2', '1.500000|1.500000|1.500000'],
    ['a unary minus on the divisor', 'SELECT 1 / -4', '-0.250000'],
    ['NULL on either side is NULL', 'SELECT NULL / 2, 2 / NULL', 'NULL|NULL'],
    ['DIV0 and DIV0NULL give 0 or the NUMBER quotient', 'SELECT DIV0(1, 0), DIV0(1, 3), DIV0NULL(1, NULL)', '0.000000|0.333333|0.000000'],
    ['38 digits stay exact', 'SELECT 12345678901234567890123.45 / 7', '1763668414462081127160.49285714'],
    ['products keep DuckDB scale when it is Snowflake scale', 'SELECT amt * amt, amt * f, 3 * 4 FROM amounts', '100.0000|25|12'],
  ];
  it.each(cases)('%s', async (_, sql, expected) => {
    expect((await cells(sql)).join('|')).toBe(expected);
  });

  it('keeps line numbers and names the construct in runtime refusals', async () => {
    const { sql } = translateSnowflakeToDuckDB('SELECT\n  fine\n  /\n  3 AS q\nFROM amounts', { file: 'm.sql' });
    expect(sql.split('\n')).toHaveLength(5);
    expect(await failure('SELECT\n  fine\n  /\n  3 AS q\nFROM amounts')).toContain('m.sql:3:3: fine / 3: dividing a NUMBER with more than 12 decimals');
    expect(await failure('SELECT .1 * .0000000000001')).toContain('m.sql:1:11: .1 * .0000000000001: the product of NUMBERs with 1 and 13 decimals');
  });

  it('refuses by the types alone, so a query that reads no rows (validate plans with LIMIT 0) is refused too', async () => {
    expect(await failure('SELECT amt * 0.0000000000001 FROM amounts LIMIT 0')).toMatch(/^m\.sql:1:12: amt \* 0\.0000000000001: the product of NUMBERs with 2 and 13 decimals/);
    expect(await failure('SELECT fine / 3 FROM amounts WHERE FALSE')).toMatch(/^m\.sql:1:13: fine \/ 3: dividing a NUMBER with more than 12 decimals/);
    expect(await failure("SELECT ROUND(f, 0, 'HALF_TO_EVEN') FROM amounts LIMIT 0")).toMatch(/^m\.sql:1:8: ROUND with a rounding mode takes a NUMBER, not a FLOAT/);
  });

  it('division by zero is an error, as in Snowflake', async () => {
    expect(await failure('SELECT 1 / 0')).toContain('Division by zero');
    expect(await failure('SELECT f / 0 FROM amounts')).toContain('Division by zero');
  });
});

describe('OBJECT text', () => {
  it('sorts keys at every level and escapes them; deeper than 5 levels is refused', async () => {
    const sql = `SELECT TO_JSON(PARSE_JSON('{"b":[{"z":1,"y":"q\\\\"x"}],"a b":{"d":true,"c":[]}}'))`;
    expect(await cells(sql)).toEqual(['{"a b":{"c":[],"d":true},"b":[{"y":"q\\"x","z":1}]}']);
    expect(await failure(`SELECT TO_JSON(PARSE_JSON('[[[[[[1]]]]]]'))`)).toContain('nested deeper than 5 levels');
  });
});
