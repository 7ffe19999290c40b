// Statements users write that DuckDB takes differently, and what `dataops sql --json` prints, through the
// command itself (main() in process, a real in-memory DuckDB).
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';

async function sqlJson(query: string): Promise<unknown[]> {
  let out = '';
  let err = '';
  const code = await main(['--database', ':memory:', 'sql', '--json', '-q', query], { out: (t) => (out += t), err: (t) => (err += `${t}\n`), env: {} });
  expect(code, err).toBe(0);
  return JSON.parse(out) as unknown[];
}

const TWO_ROWS = 'CREATE TABLE demo1 (i INT);\nINSERT INTO demo1 VALUES (1), (2), (3);\n';

describe('statements Snowflake accepts that DuckDB takes differently', () => {
  it.each([
    ["LIMIT '' is no limit, OFFSET '' no offset", `${TWO_ROWS}SELECT i FROM demo1 ORDER BY i LIMIT '' OFFSET ''`, [{ i: 1 }, { i: 2 }, { i: 3 }]],
    ['LIMIT $$$$ is no limit, OFFSET $$$$ no offset', `${TWO_ROWS}SELECT i FROM demo1 ORDER BY i LIMIT $$$$ OFFSET $$$$`, [{ i: 1 }, { i: 2 }, { i: 3 }]],
    ['an empty OFFSET with a real LIMIT', `${TWO_ROWS}SELECT i FROM demo1 ORDER BY i LIMIT 2 OFFSET ''`, [{ i: 1 }, { i: 2 }]],
    [
      'text with a UTC offset going into TIMESTAMP_NTZ keeps its wallclock time; into TIMESTAMP_TZ, its instant',
      "CREATE OR REPLACE TABLE t (ts TIMESTAMP_NTZ, tz TIMESTAMP_TZ);\nINSERT INTO t (tz, ts) VALUES ('2024-05-09 08:50:57.891 -0700', '2024-05-09 08:50:57.891 -0700'), (NULL, '2024-05-10T01:00:00+02:00');\nSELECT ts, tz FROM t ORDER BY ts",
      [{ ts: '2024-05-09T08:50:57.891Z', tz: '2024-05-09T15:50:57.891Z' }, { ts: '2024-05-10T01:00:00.000Z', tz: null }],
    ],
    [
      'CREATE TABLE with column definitions AS SELECT: the declared names and types, by position',
      "CREATE OR REPLACE TABLE c (\n  cust_id INT,\n  email VARCHAR,\n  amount NUMBER(10,2))\nAS SELECT column1, column2, column3 FROM VALUES ('1', 'a@b', 1.234), ('2', 'c@d', 2);\nSELECT cust_id, email, amount, TYPEOF(cust_id::VARIANT) AS t FROM c ORDER BY cust_id",
      [{ cust_id: 1, email: 'a@b', amount: 1.23, t: 'INTEGER' }, { cust_id: 2, email: 'c@d', amount: 2, t: 'INTEGER' }],
    ],
  ])('%s', async (_what, query, rows) => {
    expect(await sqlJson(query)).toEqual(rows);
  });
});

describe('dataops sql --json', () => {
  it('prints a TIME as Snowflake shows it, with the fraction of a second only when there is one', async () => {
    expect(await sqlJson("SELECT '12:34:56'::TIME AS t, '01:02:03.120'::TIME AS u, TIME_FROM_PARTS(0, 0, 0) AS z")).toEqual([{ t: '12:34:56', u: '01:02:03.12', z: '00:00:00' }]);
  });

  it('keeps every column of the same name, the later ones suffixed', async () => {
    const [row] = (await sqlJson('SELECT 1 AS a, 2 AS a, 3 AS a_2, 4 AS a')) as Array<Record<string, unknown>>;
    expect(Object.entries(row)).toEqual([['a', 1], ['a_3', 2], ['a_2', 3], ['a_4', 4]]);
  });

  it('names an unaliased column the translation rewrote as Snowflake does: the expression as written, words upper-cased', async () => {
    const [row] = (await sqlJson(
      "SELECT to_date('2024-05-10'), DATE('2024-05-10'), Try_To_Number('12') + 1, 7/2, v.column1, 'x' AS y, upper('a') u,\n  iff(column1 > 0,  'pos', 'Neg') FROM VALUES (1) v",
    )) as Array<Record<string, unknown>>;
    expect(Object.keys(row)).toEqual([
      "TO_DATE('2024-05-10')",
      "DATE('2024-05-10')",
      "TRY_TO_NUMBER('12') + 1",
      '7/2',
      'column1',
      'y',
      'u',
      "IFF(COLUMN1 > 0, 'pos', 'Neg')",
    ]);
  });
});
