// Aggregates, windows, dates, comparisons and casts where DuckDB's own answer differs from Snowflake's (issue #13):
// each case runs translated on DuckDB and must give the documented value, or must be refused with a diagnostic
// that names the construct as the user wrote it.
import { describe, expect, it } from 'vitest';
import { translateSnowflakeToDuckDB } from '../../../src/sql/translate.js';
import { uniqueColumnNames } from '../../../src/warehouse/adapter.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';
import { normalizeCell, type CellKind } from '../../fixtures/sql/corpus.js';
import { snowflakeSessionOnDuckDB, translated } from '../../helpers/duckdb-session.js';

const session = snowflakeSessionOnDuckDB();


/** Runs Snowflake statements (translated) and returns the last one's rows, normalised as the corpus does. */
async function rows(...statements: string[]): Promise<Record<string, unknown>[]> {
  let last: Record<string, unknown>[] = [];
  for (const statement of statements) {
    const reader = await session.connection.runAndReadAll(translated(statement));
    const names = reader.columnNames().map((n) => n.toLowerCase());
    const kinds = names.map((_, i): CellKind => {
      const type = reader.columnType(i).toString();
      if (reader.columnLogicalType(i).alias === 'JSON') return 'json';
      return type === 'DATE' ? 'date' : type.startsWith('TIMESTAMP') ? 'timestamp' : type === 'TIME' ? 'time' : 'other';
    });
    last = reader.getRowsJS().map((values) => Object.fromEntries(values.map((v, i) => [names[i], normalizeCell(v, kinds[i])])));
  }
  return last;
}

function refusal(sql: string): string {
  const errors = translateSnowflakeToDuckDB(sql, { file: 'm.sql' }).diagnostics.filter((d) => d.severity === 'error');
  expect(errors.length, sql).toBeGreaterThan(0);
  return `${errors[0].file}:${errors[0].line}:${errors[0].col}: ${errors[0].message}`;
}

describe('DATE_FROM_PARTS counts on from parts outside their range (docs: date_from_parts)', () => {
  it.each([
    ['2004, 1, 1', '2004-01-01'],
    ['2004, 0, 1', '2003-12-01'],
    ['2004, -1, 1', '2003-11-01'],
    ['2004, 2, 0', '2004-01-31'],
    ['2004, 2, -1', '2004-01-30'],
    ['2004, -1, -1', '2003-10-30'],
    ['2010, 1, 100', '2010-04-10'],
    ['2010, 1 + 24, 1', '2012-01-01'],
    ['2024, 2, 30', '2024-03-01'],
    ['NULL, 1, 1', null],
  ])('DATE_FROM_PARTS(%s) = %s', async (parts, expected) => {
    expect((await rows(`SELECT DATE_FROM_PARTS(${parts}) AS d`))[0].d).toBe(expected);
  });
});

describe('COUNT', () => {
  const setup = [
    'CREATE OR REPLACE TABLE basic_example (i_col INTEGER, j_col INTEGER, v VARIANT)',
    `INSERT INTO basic_example SELECT column1, column2, PARSE_JSON(column3)
     FROM VALUES (11, 101, '{"t": 1}'), (11, 102, '{"t": null}'), (11, NULL, '{}'), (12, 101, '{"t": "x"}'), (NULL, 101, NULL), (NULL, 102, 'null')`,
  ];
  it.each([
    ['COUNT(*)', 6],
    ['COUNT(i_col)', 4],
    ['COUNT(DISTINCT i_col)', 2],
    ['COUNT(n.*)', 3],
    ["COUNT(* ILIKE 'i_c%')", 4],
    ['COUNT(* EXCLUDE i_col)', 3],
    ['COUNT(n.* EXCLUDE (i_col, v))', 5],
    ['COUNT(i_col, j_col)', 3],
    ['COUNT(DISTINCT i_col, j_col)', 3],
    // A JSON null counts as NULL (docs: count, usage notes).
    ['COUNT(v:t)', 2],
    ['COUNT(v)', 4],
  ])('%s = %s', async (expr, expected) => {
    expect((await rows(...setup, `SELECT ${expr} AS n FROM basic_example AS n`))[0].n).toBe(expected);
  });

  it('COUNT(t.*) works as a window function too', async () => {
    const out = await rows(...setup, 'SELECT i_col, COUNT(n.*) OVER (PARTITION BY i_col) AS c FROM basic_example AS n ORDER BY i_col NULLS LAST, j_col');
    expect(out.map((r) => r.c)).toEqual([2, 2, 2, 1, 0, 0]);
  });

  it.each([
    ["SELECT COUNT(n.* ILIKE 'i%') FROM t AS n", 'm.sql:1:8: COUNT(n.* ILIKE'],
    ['SELECT COUNT(DISTINCT n.*) FROM t AS n', 'm.sql:1:8: COUNT(DISTINCT n.*)'],
  ])('%s is refused', (sql, message) => {
    expect(refusal(sql)).toContain(message);
  });
});

describe("FIRST_VALUE, LAST_VALUE and NTH_VALUE without a frame see the whole partition (Snowflake's default)", () => {
  const data = 'FROM VALUES (1, 10), (1, 11), (1, 12), (2, 20), (2, NULL), (2, 22)';
  it.each([
    ['LAST_VALUE(column2) OVER (PARTITION BY column1 ORDER BY column2)', [12, 12, 12, null, null, null]],
    ['NTH_VALUE(column2, 2) OVER (PARTITION BY column1 ORDER BY column2)', [11, 11, 11, 22, 22, 22]],
    ['FIRST_VALUE(column2) OVER (PARTITION BY column1 ORDER BY column2 DESC)', [12, 12, 12, null, null, null]],
    ['FIRST_VALUE(column2) IGNORE NULLS OVER (PARTITION BY column1 ORDER BY column2 DESC)', [12, 12, 12, 22, 22, 22]],
    // A frame written in the query is kept.
    ['LAST_VALUE(column2) OVER (PARTITION BY column1 ORDER BY column2 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)', [10, 11, 12, 20, 22, null]],
  ])('%s', async (expr, expected) => {
    const out = await rows(`SELECT ${expr} AS v ${data} ORDER BY column1, column2 NULLS LAST`);
    expect(out.map((r) => r.v)).toEqual(expected);
  });
});

describe('refused, with the construct as written', () => {
  it.each([
    ["SELECT CHARINDEX(X'EF', X'ABCDEF')", "m.sql:1:18: binary literals (X'EF')"],
    [
      'SELECT CONDITIONAL_TRUE_EVENT(LAG(o) OVER (PARTITION BY p ORDER BY o) > 1) OVER (PARTITION BY p ORDER BY o) FROM t',
      'm.sql:1:38: CONDITIONAL_TRUE_EVENT(... OVER (...))',
    ],
  ])('%s', (sql, message) => {
    expect(refusal(sql)).toContain(message);
  });
});

describe('TO_TIME and TRY_TO_TIME (docs: to_time)', () => {
  it.each([
    ["TO_TIME('13:30:00')", '13:30:00'],
    ["TIME('13:30:00.000')", '13:30:00'],
    ["TO_TIME('11.15.00', 'HH24.MI.SS')", '11:15:00'],
    // Text of digits is an epoch in seconds, milliseconds, microseconds or nanoseconds, by magnitude.
    ["TO_TIME('31536001')", '00:00:01'],
    ["TO_TIME('31536002400')", '00:00:02'],
    ["TO_TIME('31536004900000000')", '00:00:04'],
    ["TO_TIME('2024-01-01 10:11:12'::TIMESTAMP_NTZ)", '10:11:12'],
    ["TRY_TO_TIME('Invalid')", null],
    ['TO_TIME(NULL)', null],
  ])('%s = %s', async (expr, expected) => {
    expect((await rows(`SELECT ${expr} AS t`))[0].t).toBe(expected);
  });
});

describe('result rows', () => {
  it('keep every column when two have the same name, and print TIME as HH24:MI:SS', async () => {
    const w = await DuckDBWarehouse.open(':memory:');
    try {
      const { sql } = w.translate("SELECT TO_DATE('2024-05-10') AS d, DATE('2024-05-10') AS d, TO_TIME('13:30:00') AS t, 1 AS t");
      expect(await w.query(sql)).toEqual([
        { d: '2024-05-10', d_2: '2024-05-10', t: '13:30:00', t_2: 1 },
      ]);
    } finally {
      await w.close();
    }
  });

  it.each([
    [['a', 'b'], ['a', 'b']],
    [['a', 'a', 'a'], ['a', 'a_2', 'a_3']],
    [['a', 'a_1', 'a'], ['a', 'a_1', 'a_2']],
  ])('names %j become %j', (names, expected) => {
    expect(uniqueColumnNames(names)).toEqual(expected);
  });
});

describe('casts to a text type of a given length (docs: try_cast)', () => {
  it.each([
    ["TRY_CAST('ABCD' AS CHAR(2))", null],
    ["TRY_CAST('AB' AS VARCHAR(2))", 'AB'],
    ["TRY_CAST('xy' AS CHAR)", null],
    ["'abc'::VARCHAR(5)", 'abc'],
    ["'abc'::VARCHAR", 'abc'],
  ])('%s = %s', async (expr, expected) => {
    expect((await rows(`SELECT ${expr} AS v`))[0].v).toBe(expected);
  });

  it('CAST fails for longer text instead of cutting it', async () => {
    await expect(rows("SELECT CAST('ABCD' AS VARCHAR(2)) AS v")).rejects.toThrow(/too long/);
  });
});

describe('row values in IN lists and comparisons compare member by member (docs: in)', () => {
  it.each([
    ['(4, 5, NULL) IN ((4, 5, NULL), (7, 8, 9))', null],
    ['(1, 2) IN ((1, 2), (3, 4))', true],
    ['(1, 2) NOT IN ((1, 2))', false],
    ['(1, 3) NOT IN ((1, 2), (1, NULL))', null],
    ['(1, 3) NOT IN ((1, 2), (2, NULL))', true],
    ['(1, 2) IN (SELECT 1, 2)', true],
    ['(1, NULL) = (1, NULL)', null],
    ['(1, NULL) = (2, NULL)', false],
    ['(1, NULL) <> (2, NULL)', true],
    ['(1, 2) != (1, 2)', false],
  ])('%s is %s', async (expr, expected) => {
    expect((await rows(`SELECT ${expr} AS v`))[0].v).toBe(expected);
  });
});

describe('MAX_BY and MIN_BY with a number of values (docs: max_by, min_by)', () => {
  const setup = [
    'CREATE OR REPLACE TABLE employees (employee_id NUMBER, department_id NUMBER, salary NUMBER)',
    `INSERT INTO employees VALUES (1001, 10, 10000), (1020, 10, 9000), (1030, 10, 8000), (900, 20, 15000),
     (2000, 20, NULL), (2010, 20, 15000), (2020, 20, 8000)`,
  ];
  it.each([
    // Tied salaries come in ascending order of the returned value, the same on every run.
    ['MAX_BY(employee_id, salary, 3)', [900, 2010, 1001]],
    ['MIN_BY(employee_id, salary, 3)', [1030, 2020, 1020]],
    ['MAX_BY(employee_id, salary, 100)', [900, 2010, 1001, 1020, 1030, 2020]],
  ])('%s = %j', async (expr, expected) => {
    expect((await rows(...setup, `SELECT ${expr} AS v FROM employees`))[0].v).toEqual(expected);
  });

  it.each([
    ['SELECT MAX_BY(a, b, 0) FROM t', 'm.sql:1:21: MAX_BY: the number of values'],
    ['SELECT MIN_BY(a, b, 2) OVER (PARTITION BY c) FROM t', 'm.sql:1:8: MIN_BY(x, y, n) as a window function'],
  ])('%s is refused', (sql, message) => {
    expect(refusal(sql)).toContain(message);
  });
});

describe('STDDEV of a NUMBER is refused when it runs; of a FLOAT it is computed (docs: stddev_pop)', () => {
  it('refuses a NUMBER argument with the call as written and a hint', async () => {
    await expect(rows('SELECT STDDEV_POP(column1) FROM VALUES (6), (10), (14)')).rejects.toThrow(
      /<sql>:1:8: STDDEV_POP\(column1\): the standard deviation of a NUMBER .* cast the argument to FLOAT/,
    );
  });

  it.each([
    ['STDDEV_POP(column1::FLOAT)', Math.sqrt(11)],
    ['STDDEV(column1::FLOAT)', Math.sqrt(44 / 3)],
    ['STDDEV_SAMP(DISTINCT column1::DOUBLE)', 4],
  ])('%s = %s', async (expr, expected) => {
    expect((await rows(`SELECT ${expr} AS v FROM VALUES (6), (10), (14), (14)`))[0].v).toBeCloseTo(expected as number, 12);
  });
});
