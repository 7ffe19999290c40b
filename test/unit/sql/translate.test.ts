import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DUCKDB_SNOWFLAKE_MACROS,
  DUCKDB_SNOWFLAKE_SETTINGS,
  translateSnowflakeToDuckDB,
  type TranslateOptions,
} from '../../../src/sql/translate.js';
import { tokenize } from '../../../src/sql/tokenize.js';
import { corpus, normalizeCell, type CellKind } from '../../fixtures/sql/corpus.js';

const GOLD_DIR = join(import.meta.dirname, '../../../sql/gold');

async function withDuckDB<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const s of [...DUCKDB_SNOWFLAKE_SETTINGS, ...DUCKDB_SNOWFLAKE_MACROS]) await connection.run(s);
    return await fn(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function translateClean(sql: string, options?: TranslateOptions): string {
  const { sql: out, diagnostics } = translateSnowflakeToDuckDB(sql, options);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  expect(errors, `diagnostics for:\n${sql}\n->\n${out}`).toEqual([]);
  return out;
}

function kindOf(typeName: string, alias: string | undefined): CellKind {
  if (alias === 'JSON') return 'json';
  if (typeName === 'DATE') return 'date';
  if (typeName.startsWith('TIMESTAMP')) return 'timestamp';
  if (typeName === 'TIME') return 'time';
  return 'other';
}

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  const names = reader.columnNames().map((n) => n.toLowerCase());
  const kinds = names.map((_, i) => kindOf(reader.columnType(i).toString(), reader.columnLogicalType(i).alias));
  return reader.getRowsJS().map((values) => Object.fromEntries(values.map((v, i) => [names[i], normalizeCell(v, kinds[i])])));
}

describe('Snowflake corpus on DuckDB', () => {
  it('has at least 60 entries with unique names', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(new Set(corpus.map((e) => e.name)).size).toBe(corpus.length);
  });

  for (const entry of corpus) {
    it(entry.name, async () => {
      await withDuckDB(async (c) => {
        for (const statement of entry.setup ?? []) {
          const sql = translateClean(statement);
          try {
            await c.run(sql);
          } catch (e) {
            throw new Error(`setup failed: ${(e as Error).message}\n${statement}\n->\n${sql}`);
          }
        }
        const sql = translateClean(entry.sql);
        let actual: Record<string, unknown>[];
        try {
          actual = await rows(c, sql);
        } catch (e) {
          throw new Error(`${(e as Error).message}\n${entry.sql}\n->\n${sql}`);
        }
        expect(actual, sql).toEqual(entry.expected);
      });
    });
  }
});

describe('gold models', () => {
  const files = readdirSync(GOLD_DIR).filter((f) => f.endsWith('.sql'));

  it.each(files)('%s translates without diagnostics and keeps its lines', (file) => {
    const text = readFileSync(join(GOLD_DIR, file), 'utf8');
    const { sql, diagnostics } = translateSnowflakeToDuckDB(text, { file: `sql/gold/${file}` });
    expect(diagnostics).toEqual([]);
    expect(sql.split('\n').length).toBe(text.split('\n').length);
  });

  it('gold models that are already plain SQL come out unchanged apart from date parts, casts to DATE and NUMBER arithmetic', () => {
    for (const file of files) {
      const text = readFileSync(join(GOLD_DIR, file), 'utf8');
      const { sql } = translateSnowflakeToDuckDB(text);
      // A cast to DATE reads Snowflake's other input formats (sf_temporal) when the value is text; products
      // become sf_mul, whose scale follows Snowflake's NUMBER rules; SUM's argument goes through sf_num, which
      // casts text to FLOAT as Snowflake does.
      const plain = withoutCalls(sql, 'sf_num')
        .replace(/CAST\(sf_temporal\(([^()]*)\) AS DATE\)/g, 'CAST($1 AS DATE)')
        .replace(/sf_mul\(([^,]+), ([^,]+), '[^']*'\)/g, '$1 * $2')
        // COUNT treats a JSON null as NULL (sf_count_value); on other types it is the value itself.
        .replace(/sf_count_value\(([^()]*)\)/g, '$1');
      if (!/EXTRACT|\//i.test(text)) expect(plain, file).toBe(text);
    }
  });
});

/** The text with every call to fn replaced by its argument: withoutCalls('f(g(x))', 'f') is 'g(x)'. */
function withoutCalls(text: string, fn: string): string {
  let out = text;
  for (let at = out.indexOf(`${fn}(`); at >= 0; at = out.indexOf(`${fn}(`)) {
    let depth = 0;
    let end = at + fn.length;
    do {
      if (out[end] === '(') depth++;
      if (out[end] === ')') depth--;
      end++;
    } while (depth > 0);
    out = out.slice(0, at) + out.slice(at + fn.length + 1, end - 1) + out.slice(end);
  }
  return out;
}

describe('tokens', () => {
  it('joins back to the exact input', () => {
    const sql = `SELECT a::int, b:c.d, 'it''s \\' x', "Q""id", $v, $1, $$raw$$ -- c\n/* b */ // d\n FROM t;`;
    expect(tokenize(sql).map((t) => t.text).join('')).toBe(sql);
  });

  it('never rewrites inside string literals or comments', () => {
    const sql = [
      "SELECT 'raw:customer.email::string IFF(a, b, c) DATEADD(day, 1, x)' AS s, -- raw:x::string NVL(a, b)",
      '  /* LATERAL FLATTEN(input => raw:items) SPLIT(a, b) */ 1 AS n, "raw:quoted" AS q',
    ].join('\n');
    const { sql: out, diagnostics } = translateSnowflakeToDuckDB(sql);
    expect(diagnostics).toEqual([]);
    expect(out).toBe(sql);
  });

  it('turns // comments into -- comments', () => {
    expect(translateSnowflakeToDuckDB('SELECT 1 // one\n').sql).toBe('SELECT 1 -- one\n');
  });

  it('applies Snowflake escapes and keeps escaped line breaks on one line', () => {
    const { sql } = translateSnowflakeToDuckDB(String.raw`SELECT '\\d+', 'a\nb', 'it\'s', $$x'y$$`);
    expect(sql).toBe(String.raw`SELECT '\d+', E'a\nb', 'it''s', 'x''y'`);
  });

  it('keeps line numbers through rewrites', () => {
    const sql = [
      'SELECT',
      '  IFF(a > 1,',
      "     'x',",
      "     'y') AS i,",
      '  DATEADD(day,',
      '          1, d) AS d2,',
      '  raw:customer.email::string AS email,',
      '  f.value:sku::string AS sku',
      'FROM t, LATERAL FLATTEN(',
      '  input => t.raw:items,',
      '  outer => TRUE) f',
      'WHERE marker = 1',
    ].join('\n');
    const { sql: out, diagnostics } = translateSnowflakeToDuckDB(sql);
    expect(diagnostics).toEqual([]);
    const lines = out.split('\n');
    expect(lines.length).toBe(12);
    expect(lines[6]).toContain("json_extract_string(raw, '$.\"customer\".\"email\"')");
    expect(lines[11]).toBe('WHERE marker = 1');
  });

  it('leaves statements valid in both dialects as they are', () => {
    const sql = 'SELECT a, COUNT(*) AS n FROM s.t WHERE b IN (1, 2) GROUP BY ALL HAVING COUNT(*) > 1 QUALIFY ROW_NUMBER() OVER (ORDER BY a) = 1;';
    expect(translateSnowflakeToDuckDB(sql)).toMatchObject({ sql, diagnostics: [], statements: [{ sql, start: 0, end: sql.length }, { sql: '', start: sql.length, end: sql.length }] });
  });
});

describe('date functions', () => {
  it("DATEDIFF(hour, '10:59', '11:01') reads time-of-day literals as TIME and counts the boundary", async () => {
    const sql = translateClean("SELECT DATEDIFF(hour, '10:59', '11:01') AS h, DATEDIFF(minute, '2024-01-01 10:00', '2024-01-01 10:30') AS m");
    expect(sql).toBe("SELECT date_diff( 'hour', CAST('10:59' AS TIME), CAST('11:01' AS TIME)) AS h, date_diff( 'minute', CAST('2024-01-01 10:00' AS TIMESTAMP), CAST('2024-01-01 10:30' AS TIMESTAMP)) AS m");
    await withDuckDB(async (c) => expect(await rows(c, sql)).toEqual([{ h: 1, m: 30 }]));
  });
});

describe('session variables', () => {
  it('SET becomes SET VARIABLE and $name reads it', () => {
    const { sql, diagnostics } = translateSnowflakeToDuckDB('SET day = \'2024-01-01\';\nSELECT $day::date');
    expect(sql).toBe("SET VARIABLE day = '2024-01-01';\nSELECT CAST(sf_temporal(getvariable('day')) AS DATE) AS \"$day::DATE\"");
    expect(diagnostics).toEqual([]);
  });

  it('substitutes variables given by the caller', () => {
    const { sql, diagnostics } = translateSnowflakeToDuckDB('SELECT $run_id AS r', { variables: new Map([['RUN_ID', "'r-1'"]]) });
    expect(sql).toBe("SELECT ('r-1') AS r");
    expect(diagnostics).toEqual([]);
  });

  it('warns about a variable that is neither given nor SET', () => {
    const { diagnostics } = translateSnowflakeToDuckDB('SELECT $missing', { file: 'm.sql' });
    expect(diagnostics).toEqual([
      expect.objectContaining({ file: 'm.sql', line: 1, col: 8, severity: 'warning', message: expect.stringContaining('$missing') }),
    ]);
  });
});

describe('diagnostics for constructs outside the subset', () => {
  const cases: [string, string, number, number, string][] = [
    ['CONNECT BY', 'SELECT id FROM t\nSTART WITH parent IS NULL\nCONNECT BY PRIOR id = parent', 2, 1, 'START WITH'],
    ['CONNECT BY alone', 'SELECT id FROM t CONNECT BY PRIOR id = parent', 1, 18, 'CONNECT BY'],
    ['MATCH_RECOGNIZE', 'SELECT * FROM t\n  MATCH_RECOGNIZE (ORDER BY ts PATTERN (a b) DEFINE a AS x > 1)', 2, 3, 'MATCH_RECOGNIZE'],
    ['PIVOT', "SELECT * FROM t PIVOT (SUM(v) FOR k IN ('a', 'b'))", 1, 17, 'PIVOT'],
    ['UNPIVOT', 'SELECT * FROM t UNPIVOT (v FOR k IN (a, b))', 1, 17, 'UNPIVOT'],
    ['HASH', 'SELECT HASH(a) FROM t', 1, 8, 'HASH'],
    ['REGEXP_INSTR', "SELECT REGEXP_INSTR(a, 'x') FROM t", 1, 8, 'REGEXP_INSTR'],
    ['SHA2 512', 'SELECT SHA2(a, 512) FROM t', 1, 8, 'SHA2'],
    ['FLATTEN recursive', 'SELECT f.value FROM t, LATERAL FLATTEN(input => t.v, recursive => TRUE) f', 1, 67, 'recursive'],
    ['FLATTEN path not literal', 'SELECT f.value FROM t, LATERAL FLATTEN(input => t.v, path => t.p) f', 1, 62, 'path'],
    ['SELECT TOP', 'SELECT TOP 10 a FROM t', 1, 8, 'TOP'],
    ['REGEXP operator', "SELECT a FROM t WHERE a REGEXP 'x'", 1, 25, 'REGEXP'],
    ['bind variable', 'SELECT a FROM t WHERE a = :id', 1, 27, 'bind'],
    ['stage', 'SELECT $1 FROM @my_stage', 1, 8, '$1'],
    ['COPY INTO', "COPY INTO t FROM @s FILE_FORMAT = (TYPE = 'JSON')", 1, 1, 'COPY'],
    ['CREATE STAGE', 'CREATE OR REPLACE STAGE s', 1, 19, 'STAGE'],
    ['ALTER SESSION', "ALTER SESSION SET TIMEZONE = 'UTC'", 1, 1, 'ALTER SESSION'],
    ['OBJECT_CONSTRUCT(*)', 'SELECT OBJECT_CONSTRUCT(*) FROM t', 1, 8, 'OBJECT_CONSTRUCT(*)'],
    ['unterminated string', "SELECT 'abc", 1, 8, 'unterminated'],
    ['variant compared with text', "SELECT 1 FROM t WHERE raw:status = 'paid'", 1, 34, 'VARIANT'],
    ['variant arithmetic', 'SELECT raw:qty * 2 FROM t', 1, 16, 'VARIANT'],
    ['AUTOINCREMENT', 'CREATE TABLE t (id INTEGER AUTOINCREMENT, v STRING)', 1, 28, 'AUTOINCREMENT'],
    ['unknown date part', 'SELECT DATEADD(fortnight, 1, d) FROM t', 1, 16, 'fortnight'],
    ['time travel', "SELECT * FROM t AT(TIMESTAMP => '2024-01-01'::timestamp)", 1, 17, 'time travel'],
    ['INSERT OVERWRITE', 'INSERT OVERWRITE INTO t SELECT 1', 1, 8, 'OVERWRITE'],
    ['USE WAREHOUSE', 'USE WAREHOUSE wh', 1, 1, 'WAREHOUSE'],
    ['number format', "SELECT TO_NUMBER(a, '999.99') FROM t", 1, 8, "number format models such as '999.99'"],
    ['number format in TO_CHAR', "SELECT TO_CHAR(a, '$9,999.99') FROM t", 1, 8, "number format models such as '$9,999.99'"],
    ['hex format in TO_CHAR', "SELECT TO_CHAR(a, 'XXX') FROM t", 1, 8, "number format models such as 'XXX'"],
    ['sign format in TO_DECIMAL', "SELECT TO_DECIMAL(a, 'S999') FROM t", 1, 8, "number format models such as 'S999'"],
  ];

  it.each(cases)('%s', (_, sql, line, col, construct) => {
    const { diagnostics } = translateSnowflakeToDuckDB(sql, { file: 'sql/gold/x.sql' });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ file: 'sql/gold/x.sql', line, col, severity: 'error' });
    expect(errors[0].message).toContain(construct);
    // A hint follows the construct.
    expect(errors[0].message.length).toBeGreaterThan(construct.length + 10);
  });
});

// `validate` runs on fork pull requests: a model nested thousands deep is an error at its place, not a
// stack overflow printed as a crash.
describe('nesting past what the translator walks', () => {
  it.each<[string, string, number, number, RegExp]>([
    ['brackets 201 deep', `SELECT ${'('.repeat(201)}1${')'.repeat(201)} AS x`, 1, 208, /^brackets nested more than 200 deep; write the expression flatter/],
    ['brackets 50,000 deep', `SELECT ${'('.repeat(50_000)}1${')'.repeat(50_000)} AS x`, 1, 208, /^brackets nested more than 200 deep/],
    ['calls 3,000 deep', `SELECT\n  ${'ARRAY_CONSTRUCT('.repeat(3000)}1${')'.repeat(3000)} AS x`, 2, 3 + 16 * 200 + 15, /^brackets nested more than 200 deep/],
    ['CASE in CASE 1,500 deep', `SELECT ${'CASE WHEN a THEN '.repeat(1500)}1${' END'.repeat(1500)} AS x FROM t`, 1, 1, /^the SQL nests too deeply to read .*; write it flatter/],
  ])('%s', (_name, sql, line, col, expected) => {
    const { diagnostics } = translateSnowflakeToDuckDB(sql, { file: 'sql/gold/deep.sql' });
    expect(diagnostics).toEqual([expect.objectContaining({ file: 'sql/gold/deep.sql', line, col, severity: 'error', message: expect.stringMatching(expected) })]);
  });

  it('200 deep is still translated', () => {
    const { diagnostics } = translateSnowflakeToDuckDB(`SELECT ${'('.repeat(200)}1${')'.repeat(200)} AS x`);
    expect(diagnostics).toEqual([]);
  });
});

describe('macros', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  afterAll(() => {
    connection.closeSync();
    instance.closeSync();
  });

  it('all create on a fresh connection, and again (CREATE OR REPLACE)', async () => {
    for (let round = 0; round < 2; round++) {
      for (const s of [...DUCKDB_SNOWFLAKE_SETTINGS, ...DUCKDB_SNOWFLAKE_MACROS]) await connection.run(s);
    }
    expect(DUCKDB_SNOWFLAKE_MACROS.every((m) => m.startsWith('CREATE OR REPLACE TEMP MACRO '))).toBe(true);
  });

  it('keeps the Snowflake-named helpers for untranslated SQL', async () => {
    const result = await rows(connection, 'SELECT iff(true, 1, 2) AS a, nvl(NULL, 3) AS b, nvl2(1, 4, 5) AS c, div0(1, 0) AS d, zeroifnull(NULL) AS e');
    expect(result).toEqual([{ a: 1, b: 3, c: 4, d: 0, e: 0 }]);
  });
});
