import { describe, expect, it } from 'vitest';
import { canonicalPart, duckdbJsonPath, duckdbTimeFormat, mapType, parseSnowflakePath } from '../../../src/sql/snowflake.js';
import { translateSnowflakeToDuckDB } from '../../../src/sql/translate.js';
import { corpus } from '../../fixtures/sql/corpus.js';

describe('Snowflake names', () => {
  it.each([
    ['VARIANT', [], 'JSON', 'variant'],
    ['NUMBER', [], 'DECIMAL(38, 0)', 'other'],
    ['number', ['12', '2'], 'DECIMAL(12, 2)', 'other'],
    ['STRING', [], 'VARCHAR', 'varchar'],
    ['VARCHAR', ['100'], 'VARCHAR', 'varchar'],
    ['TIMESTAMP_NTZ', ['9'], 'TIMESTAMP', 'timestamp_ntz'],
    ['TIMESTAMP_LTZ', [], 'TIMESTAMPTZ', 'timestamp_tz'],
    ['TIMESTAMP WITH TIME ZONE', [], 'TIMESTAMPTZ', 'timestamp_tz'],
    ['DOUBLE PRECISION', [], 'DOUBLE', 'other'],
    ['UUID', [], 'UUID', 'other'],
  ])('maps type %s(%j)', (name, args, duckdb, category) => {
    expect(mapType(name, args as string[])).toMatchObject({ duckdb, category });
  });

  it.each([
    ['VARCHAR', ['100'], 100],
    ['STRING', [], undefined],
    ['CHAR', [], 1],
    ['NCHAR', ['3'], 3],
  ])('a cast to %s(%j) checks the length %s', (name, args, length) => {
    expect(mapType(name, args as string[]).length).toBe(length);
  });

  it('knows date part aliases', () => {
    expect(canonicalPart('DD')).toBe('day');
    expect(canonicalPart('hh')).toBe('hour');
    expect(canonicalPart('dw')).toBe('dayofweek');
    expect(canonicalPart('fortnight')).toBeUndefined();
  });

  it('parses Snowflake paths and renders DuckDB JSON paths', () => {
    expect(parseSnowflakePath('a.b[0]."c d"[\'e\']')).toEqual([{ key: 'a' }, { key: 'b' }, { index: 0 }, { key: 'c d' }, { key: 'e' }]);
    expect(parseSnowflakePath('a..b')).toBeUndefined();
    // As the ':' operator reads it (GET_PATH's page: 'object_outer_key1:object_inner_key1a').
    expect(parseSnowflakePath('a:b[1]')).toEqual([{ key: 'a' }, { key: 'b' }, { index: 1 }]);
    expect(parseSnowflakePath(':a')).toBeUndefined();
    expect(duckdbJsonPath([{ key: 'a"b' }, { index: 2 }])).toBe('$."a\\"b"[2]');
  });

  it('translates date formats', () => {
    expect(duckdbTimeFormat('YYYY-MM-DD HH24:MI:SS.FF3')).toBe('%Y-%m-%d %H:%M:%S.%g');
    expect(duckdbTimeFormat('DD/MON/YY "at" HH12 AM')).toBe('%d/%b/%y at %I %p');
    expect(duckdbTimeFormat('Q')).toBeUndefined();
  });
});

describe('robustness', () => {
  it('never throws, whatever prefix of the corpus it is given', () => {
    for (const entry of corpus) {
      for (const sql of [entry.sql, ...(entry.setup ?? [])]) {
        for (let end = 0; end <= sql.length; end += 5) {
          expect(() => translateSnowflakeToDuckDB(sql.slice(0, end))).not.toThrow();
        }
      }
    }
  });

  it.each([
    'UNSET',
    'SET',
    'CREATE',
    'CREATE OR REPLACE TABLE',
    'ALTER TABLE t ADD COLUMN',
    'SELECT CAST(',
    'SELECT CAST(x AS)',
    'SELECT x::',
    'MERGE INTO t USING s ON 1=1 WHEN MATCHED THEN UPDATE SET t.',
    'SELECT raw:',
    'SELECT raw[',
    'SELECT DECODE(',
    'SELECT ARRAY_AGG(x) WITHIN',
    'SELECT ARRAY_AGG(x) WITHIN GROUP',
    'SELECT LAG(x) IGNORE',
    'SELECT * FROM TABLE(FLATTEN(',
    'SELECT * FROM t, LATERAL FLATTEN() f',
    'SELECT CASE',
    'SELECT $',
    '$$',
    "SELECT '",
    'SELECT /*',
    'SELECT "',
    'FROM VALUES',
    'SELECT OBJECT_CONSTRUCT(1)',
    'SELECT DATEADD()',
    ';;;',
    'USE',
  ])('handles the fragment %j', (sql) => {
    expect(() => translateSnowflakeToDuckDB(sql)).not.toThrow();
  });

  it('reports unbalanced brackets with their place', () => {
    const { diagnostics } = translateSnowflakeToDuckDB('SELECT (1\nFROM t', { file: 'f.sql' });
    expect(diagnostics).toEqual([expect.objectContaining({ file: 'f.sql', line: 1, col: 8, message: "unbalanced '('" })]);
  });
});
