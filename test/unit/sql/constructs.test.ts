// Edges of the constructs in test/fixtures/sql/corpus-constructs.ts: each case runs translated on DuckDB, or
// must be refused with a diagnostic that names the construct as the user wrote it.
import { describe, expect, it } from 'vitest';
import { translateSnowflakeToDuckDB } from '../../../src/sql/translate.js';
import { normalizeCell, type CellKind } from '../../fixtures/sql/corpus.js';
import { snowflakeSessionOnDuckDB, translated } from '../../helpers/duckdb-session.js';

const session = snowflakeSessionOnDuckDB();


/** Runs Snowflake statements (translated) and returns the last one's first row, normalised as the corpus does. */
async function row(...statements: string[]): Promise<Record<string, unknown>> {
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
  return last[0];
}

function refusal(sql: string): string {
  const errors = translateSnowflakeToDuckDB(sql, { file: 'm.sql' }).diagnostics.filter((d) => d.severity === 'error');
  expect(errors.length, sql).toBeGreaterThan(0);
  return `${errors[0].file}:${errors[0].line}:${errors[0].col}: ${errors[0].message}`;
}

describe('EXTRACT and DATE_PART', () => {
  it.each([
    ["EXTRACT('year' FROM '2024-04-08'::DATE)", 2024],
    ["EXTRACT('month', '2024-04-08'::DATE)", 4],
    ["EXTRACT(dw_iso FROM '2024-04-07'::DATE)", 7],
    ["EXTRACT(yearofweek FROM '2024-12-30'::DATE)", 2025],
    ["EXTRACT(epoch FROM '1970-01-02'::TIMESTAMP_NTZ)", 86400],
    ["EXTRACT(nanosecond FROM '2024-01-01 10:00:59.000123'::TIMESTAMP_NTZ)", 123000],
    ["DATE_PART('ns', '2024-01-01 10:00:59.25'::TIMESTAMP_NTZ)", 250000000],
    ["EXTRACT(year FROM '15-Mar-2024')", 2024],
  ])('%s = %s', async (expr, value) => {
    expect(await row(`SELECT ${expr} AS v`)).toEqual({ v: value });
  });

  it.each([
    ['SELECT EXTRACT(millisecond FROM ts) FROM t', 'm.sql:1:16: EXTRACT: unsupported date or time part millisecond'],
    ["SELECT DATE_PART('fortnight', ts) FROM t", "m.sql:1:18: DATE_PART: unsupported date or time part 'fortnight'"],
    ['SELECT EXTRACT(ts) FROM t', 'm.sql:1:8: EXTRACT expects EXTRACT(<part> FROM <expression>)'],
  ])('refuses %s', (sql, message) => {
    expect(refusal(sql)).toContain(message);
  });
});

describe('text read as dates and timestamps', () => {
  it('reads the AUTO formats from text columns in DATEADD, DATEDIFF, DATE_TRUNC and casts', async () => {
    expect(
      await row(`SELECT DATEADD(month, 1, column1) AS a, DATEDIFF(day, column1, column2) AS b, DATE_TRUNC('month', column2) AS c,
                        column2::DATE AS d, TRY_CAST(column3 AS DATE) AS e
                 FROM VALUES ('2024-01-31', '15-Mar-2024', '03/15/2024')`),
    ).toEqual({ a: '2024-02-29 00:00:00.000', b: 44, c: '2024-03-01 00:00:00.000', d: '2024-03-15', e: '2024-03-15' });
  });

  it('drops the offset of text going into TIMESTAMP_NTZ and keeps the instant for TIMESTAMP_TZ', async () => {
    expect(
      await row(`SELECT '2024-01-02 16:00:00 +02:00'::TIMESTAMP_NTZ AS ntz, '2024-01-02T16:00:00-0700'::TIMESTAMP_NTZ AS ntz2,
                        '2024-01-02 16:00:00 +02:00'::TIMESTAMP_TZ AS tz`),
    ).toEqual({ ntz: '2024-01-02 16:00:00.000', ntz2: '2024-01-02 16:00:00.000', tz: '2024-01-02 14:00:00.000' });
  });

  it('a lateral column alias (typed or text) works in date functions and casts to DATE', async () => {
    expect(
      await row(`SELECT TO_TIMESTAMP('2024-04-08T23:39:20') AS ts, DATE_PART(year, ts) AS y, ts::DATE AS d,
                        '15-Mar-2024' AS t, DATEDIFF(day, t, ts) AS days, t::DATE AS td`),
    ).toEqual({ ts: '2024-04-08 23:39:20.000', y: 2024, d: '2024-04-08', t: '15-Mar-2024', days: 24, td: '2024-03-15' });
  });

  it("fails as Snowflake does on text it does not recognise, naming the value; TRY_ forms give NULL", async () => {
    await expect(row("SELECT '15-Mrz-2024'::DATE AS d")).rejects.toThrow('"15-Mrz-2024"');
    await expect(row('SELECT DATEADD(day, 1, column1) AS d FROM VALUES (\'soon\')')).rejects.toThrow('"soon"');
    expect(await row("SELECT TRY_TO_TIMESTAMP('15-Mrz-2024') AS t, TRY_CAST('31/12/2024' AS DATE) AS d")).toEqual({ t: null, d: null });
  });
});

describe('window events', () => {
  it('CONDITIONAL_TRUE_EVENT counts row by row, ties included, and NULL is not true', async () => {
    const sql = `SELECT LISTAGG(e::string, ',') WITHIN GROUP (ORDER BY i) AS events FROM (
                   SELECT column1 AS i, CONDITIONAL_TRUE_EVENT(column2) OVER (ORDER BY column3) AS e
                   FROM VALUES (1, TRUE, 1), (2, NULL, 2), (3, TRUE, 2), (4, FALSE, 3), (5, TRUE, 4))`;
    const events = String((await row(sql)).events).split(',');
    // Rows 2 and 3 tie on the order: one of them sees the other's TRUE first.
    expect([events[0], [events[1], events[2]].sort().join('|'), events[3], events[4]]).toEqual(['1', '1|2', '2', '3']);
  });

  it.each([
    ['SELECT CONDITIONAL_CHANGE_EVENT(v) OVER (ORDER BY ts) FROM t', 'm.sql:1:8: CONDITIONAL_CHANGE_EVENT is not supported on DuckDB: compute LAG(x)'],
    ['SELECT CONDITIONAL_TRUE_EVENT(v) FROM t', 'm.sql:1:8: CONDITIONAL_TRUE_EVENT needs OVER'],
    ['SELECT CONDITIONAL_TRUE_EVENT(v) OVER (PARTITION BY k) FROM t', 'no frame'],
    ['SELECT CONDITIONAL_TRUE_EVENT(v) OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t', 'no frame'],
  ])('refuses %s', (sql, message) => {
    expect(refusal(sql)).toContain(message);
  });
});

describe('STRTOK and INITCAP', () => {
  it.each([
    ["STRTOK('a]b^c-d\\\\e[f', ']^-\\\\[', 5)", 'e'],
    ["STRTOK('a.b', '.', 0)", null],
    ["STRTOK('a.b', '.', -1)", null],
    ["STRTOK('  a  b ', ' ', 2)", 'b'],
    ["STRTOK('...', '.', 1)", null],
    ["STRTOK('a.b', NULL, 1)", null],
    ["INITCAP('a-b]c^d', ']^-')", 'A-B]C^D'],
    ["INITCAP('hello wORLD-x', ' ')", 'Hello World-x'],
    ["INITCAP('', 'x')", ''],
    ["INITCAP('abc', NULL)", null],
  ])('%s = %j', async (expr, value) => {
    expect(await row(`SELECT ${expr} AS v`)).toEqual({ v: value });
  });

  it('STRTOK_TO_ARRAY of the empty string is an empty array', async () => {
    expect(await row("SELECT STRTOK_TO_ARRAY('', '.') AS v")).toEqual({ v: [] });
  });
});

describe('aggregate-only ORDER BY and MERGE ... ALL BY NAME', () => {
  it.each([
    ['SELECT COUNT(*) AS n FROM t ORDER BY v', 'SELECT COUNT(*) AS n FROM t '],
    ['SELECT COALESCE(SUM(v), 0) AS s FROM t\nORDER BY v DESC\nLIMIT 1', 'SELECT COALESCE(SUM(sf_num(v)), 0) AS s FROM t\n \nLIMIT 1'],
    ['SELECT x FROM (SELECT MAX(v) AS x FROM t ORDER BY v) AS q ORDER BY x', 'SELECT x FROM (SELECT MAX(v) AS x FROM t ) AS q ORDER BY x'],
  ])('drops the ORDER BY of a one-row aggregate, keeping the lines: %s', (sql, out) => {
    expect(translated(sql).replace(/ +/g, ' ')).toBe(out);
  });

  it.each([
    'SELECT k, COUNT(*) AS n FROM t GROUP BY k ORDER BY n',
    'SELECT COUNT(*) AS n FROM a UNION ALL SELECT COUNT(*) FROM b ORDER BY n',
    'SELECT v, COUNT(*) OVER () AS n FROM t ORDER BY v',
    'SELECT v FROM t ORDER BY v',
    'SELECT ARRAY_AGG(v) OVER (PARTITION BY k) AS a FROM t ORDER BY k',
  ])('keeps the ORDER BY of %s', (sql) => {
    expect(translated(sql)).toContain('ORDER BY');
  });

  it('MERGE ALL BY NAME matches columns by name whatever their order', async () => {
    const result = await row(
      'CREATE TABLE mt (id INTEGER, x INTEGER, y VARCHAR)',
      "INSERT INTO mt VALUES (1, 10, 'a')",
      'CREATE TABLE ms (y VARCHAR, id INTEGER, x INTEGER)',
      "INSERT INTO ms VALUES ('b', 1, 11), ('c', 2, 20)",
      'MERGE INTO mt USING ms ON mt.id = ms.id WHEN MATCHED THEN UPDATE ALL BY NAME WHEN NOT MATCHED THEN INSERT ALL BY NAME',
      "SELECT LISTAGG(id || ':' || x || ':' || y, ',') WITHIN GROUP (ORDER BY id) AS v FROM mt",
    );
    expect(result).toEqual({ v: '1:11:b,2:20:c' });
  });
});

describe('date formats with literal text', () => {
  it('keeps text in double quotes', async () => {
    expect(await row(`SELECT TO_VARCHAR('2024-04-08'::DATE, 'YYYY"Q"MM') AS a, TO_CHAR('2024-04-08 10:05:00'::TIMESTAMP_NTZ, '"at" HH24:MI') AS b`)).toEqual({
      a: '2024Q04',
      b: 'at 10:05',
    });
  });

  it('blames the format element, not the type of the value', () => {
    const message = refusal(`SELECT TO_VARCHAR(d, 'YYYY"Q"Q') FROM t`);
    expect(message).toContain(`m.sql:1:22: TO_VARCHAR: format 'YYYY"Q"Q' uses elements outside the supported subset`);
    expect(message).not.toContain('dates and timestamps only');
  });
});

describe('set operators over text and another type', () => {
  // Snowflake converts the text to the other type and fails on text that does not convert; DuckDB would return
  // the rows as text, so the statement is refused when it runs, naming the operator as written.
  it.each([
    ["SELECT 'Smith, Jane' AS v UNION SELECT 42", 'm.sql:1:27: UNION: column 1 is text in one query and NUMBER in another'],
    ["SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 3.5::FLOAT", 'm.sql:1:25: UNION ALL: column 2 is text in one query and FLOAT in another'],
    ["SELECT '2024-01-01' AS d INTERSECT SELECT '2024-01-01'::DATE", 'm.sql:1:26: INTERSECT: column 1 is text in one query and DATE in another'],
    ["SELECT 42 AS n EXCEPT SELECT '42'", 'm.sql:1:16: EXCEPT: column 1 is text in one query and NUMBER in another'],
    ["SELECT 42 AS n MINUS SELECT '42'", 'm.sql:1:16: MINUS: column 1 is text in one query and NUMBER in another'],
    ["SELECT 1 AS id, 'a' AS name UNION ALL BY NAME SELECT 'b' AS id", 'm.sql:1:29: UNION ALL BY NAME: column 1 is text in one query and NUMBER in another'],
    ["WITH c AS (SELECT 1 AS n\n  UNION SELECT 2\n  UNION SELECT 'three') SELECT * FROM c", 'm.sql:2:3: UNION: column 1 is text in one query and NUMBER in another'],
  ])('refuses %s', async (sql, message) => {
    await expect(session.connection.run(translated(sql, 'm.sql'))).rejects.toThrow(message);
  });

  it('keeps what needs no conversion: same types, NULL, a cast on one side, and the queries own rows and order', async () => {
    const reader = await session.connection.runAndReadAll(
      translated(`SELECT 'x' AS v, NULL AS w UNION ALL SELECT 42::VARCHAR, 1.5 UNION ALL (SELECT 'y', 2) ORDER BY v DESC`),
    );
    expect(reader.getRowsJS().map((r) => r.map(String))).toEqual([
      ['y', '2'],
      ['x', 'null'],
      ['42', '1.5'],
    ]);
  });
  it('leaves a recursive common table expression unguarded (a copy of its queries would refer to it inside itself)', async () => {
    const sql = 'WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT i FROM n ORDER BY i';
    const reader = await session.connection.runAndReadAll(translated(sql));
    expect(reader.getRowsJS().map((r) => Number(r[0]))).toEqual([1, 2, 3]);
  });

  it("keeps an unnamed FLATTEN's name in the first query (the guard reads a copy of it)", async () => {
    const reader = await session.connection.runAndReadAll(
      translated("SELECT flatten.value::INT AS v FROM LATERAL FLATTEN(input => PARSE_JSON('[1,2]')) UNION ALL SELECT 3 ORDER BY v"),
    );
    expect(reader.getRowsJS().map((r) => Number(r[0]))).toEqual([1, 2, 3]);
  });
});

describe('a column alias used in DATEADD and DATEDIFF later in the same SELECT list', () => {
  const setup = ["CREATE OR REPLACE TABLE lat (x INTEGER, d DATE, s VARCHAR)", "INSERT INTO lat VALUES (1, '2024-01-31', '2024-03-01')"];

  it.each([
    ['SELECT x + 1 AS a, DATEADD(day, a, d) AS v FROM lat', '2024-02-02'],
    ["SELECT d AS a, DATEADD(month, 1, a) AS v FROM lat", '2024-02-29'],
    ["SELECT DISTINCT d AS a, DATEADD(month, 1, a) AS v FROM lat", '2024-02-29'],
    ["SELECT d::TIMESTAMP_NTZ AS ts, DATEDIFF(hour, ts, DATEADD(hour, 5, ts)) AS v FROM lat", 5],
    ["SELECT s::DATE AS a, x * 2 AS n, DATEDIFF(day, d, a) - n AS v FROM lat", 28],
    // The alias's own expression reads a column of the same name: Snowflake reads the column, and so does this.
    ["SELECT DATEADD(day, 1, d) AS d, DATEDIFF(day, '2024-01-01', d) AS v FROM lat", 30],
  ])('%s', async (sql, value) => {
    expect((await row(...setup, sql)).v).toEqual(value);
  });

  it('refuses a row where a column of the FROM clause has the name and another value (Snowflake reads the column)', async () => {
    await expect(row(...setup, 'SELECT s AS d, DATEADD(day, 1, d) AS v FROM lat')).rejects.toThrow(
      '<sql>:1:16: DATEADD(day, 1, d): d is a column of the FROM clause and an alias earlier in this SELECT list with another value',
    );
  });
});
