// What a model says about itself for the catalog: its leading comment's prose and its columns' trailing
// comments, read from files as people write them.
import { describe, expect, test } from 'vitest';
import { modelDocs } from '../../../src/config/model-docs.js';
import { parseModel } from '../../../src/config/sql-model.js';

describe('a model\'s description', () => {
  test.each([
    ['prose lines, options left out', '-- Revenue per store and day.\n-- materialized: view\n-- Refunds are counted apart.\nSELECT 1 AS a', 'Revenue per store and day. Refunds are counted apart.'],
    ['a capitalised "Word:" is prose', '-- Grain: one row per sale.\nSELECT 1 AS a', 'Grain: one row per sale.'],
    ['an empty comment line starts a paragraph', '-- First.\n--\n-- Second.\nSELECT 1 AS a', 'First.\n\nSecond.'],
    ['only options: none', '-- materialized: view\nSELECT 1 AS a', undefined],
    ['no comment: none', 'SELECT 1 AS a', undefined],
    ['comments after the SQL starts are not the description', 'SELECT 1 AS a -- one\n-- later', undefined],
  ])('%s', (_what, text, description) => {
    expect(modelDocs(text).description).toBe(description);
  });
});

describe('column comments', () => {
  test.each([
    ['after the comma', 'SELECT\n  revenue_usd, -- revenue net of refunds\n  b\nFROM gold.t', { revenue_usd: 'revenue net of refunds' }],
    ['the last item, before FROM', 'SELECT\n  a,\n  b -- the b\nFROM gold.t', { b: 'the b' }],
    ['before a leading comma', 'SELECT\n  a -- the a\n  , b\nFROM gold.t', { a: 'the a' }],
    ['an alias with AS', 'SELECT\n  SUM(x) AS total, -- all of it\n  y\nFROM gold.t', { total: 'all of it' }],
    ['an alias without AS', 'SELECT\n  SUM(x) total, -- all of it\n  y\nFROM gold.t', { total: 'all of it' }],
    ['a qualified column', 'SELECT\n  f.store_key, -- the store\n  f.day\nFROM gold.f AS f', { store_key: 'the store' }],
    ['a quoted alias', 'SELECT\n  x AS "Net", -- net\n  y\nFROM gold.t', { net: 'net' }],
    ['a multi-line expression: the line it ends on', 'SELECT\n  CASE WHEN a > 0 -- positive\n    THEN 1 ELSE 0 END AS flag, -- 1 when a is positive\n  b\nFROM gold.t', { flag: '1 when a is positive' }],
    ['an unnamed expression gets none', 'SELECT\n  CASE WHEN a THEN 1 END, -- what\n  COUNT(*), -- how many\n  *, -- all\n  NOT a -- negated\nFROM gold.t', {}],
    ['the outer select of a WITH, not the CTE\'s', 'WITH x AS (\n  SELECT a, -- inner\n  b FROM silver.t\n)\nSELECT\n  a, -- outer\n  b\nFROM x', { a: 'outer' }],
    ['the first branch of a UNION names the columns', 'SELECT a, -- first\n  b FROM silver.t\nUNION ALL\nSELECT a, -- second\n  b FROM silver.u', { a: 'first' }],
    ['DISTINCT before the list', 'SELECT DISTINCT\n  a, -- the a\n  b\nFROM silver.t', { a: 'the a' }],
    ['a comment of the next line\'s item is not this one\'s', 'SELECT\n  a,\n  -- about b\n  b\nFROM silver.t', {}],
    ['a select with no FROM', "SELECT\n  1 AS one, -- just one\n  'x' AS ex; -- a letter", { one: 'just one', ex: 'a letter' }],
    ['a string that looks like a comment', "SELECT\n  '--' AS dashes,\n  b\nFROM silver.t", {}],
  ])('%s', (_what, text, columns) => {
    expect(modelDocs(text).columns).toEqual(columns);
  });

  test('a parsed model carries its docs', () => {
    const { model } = parseModel('sql/gold/daily.sql', '-- Revenue per day.\n-- materialized: table\nSELECT\n  day, -- the sales day, UTC\n  SUM(net) AS revenue -- net of refunds\nFROM gold.fact_sales\nGROUP BY day');
    expect(model!.docs).toEqual({ description: 'Revenue per day.', columns: { day: 'the sales day, UTC', revenue: 'net of refunds' } });
  });
});
