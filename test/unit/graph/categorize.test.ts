// A change's category decides what is rebuilt: non-breaking (columns added) rebuilds the table only;
// breaking rebuilds it and everything downstream. Cases from what users edit in pull requests.
import { describe, expect, test } from 'vitest';
import { categorizeModel, categorizeSilver, type SilverShape } from '../../../src/graph/categorize.js';

describe('a SQL model change', () => {
  test.each([
    ['a column appended', 'SELECT a, b FROM silver.t', 'SELECT a, b, c + 1 AS c FROM silver.t', 'non_breaking', ['column added: c + 1 as c']],
    ['two columns appended, in another case and layout', 'SELECT a, b FROM silver.t', 'select a,\n b, c, d\nFROM silver.t', 'non_breaking', ['column added: c', 'column added: d']],
    ['a column appended after CTEs', 'WITH x AS (SELECT a, b FROM silver.t) SELECT a FROM x', 'WITH x AS (SELECT a, b FROM silver.t) SELECT a, b FROM x', 'non_breaking', ['column added: b']],
    ['a column removed', 'SELECT a, b FROM silver.t', 'SELECT a FROM silver.t', 'breaking', ['select list: "b" removed or changed']],
    ['a column changed', 'SELECT a, b FROM silver.t', 'SELECT a, b * 2 AS b FROM silver.t', 'breaking', ['select list: "b" removed or changed']],
    ['a column inserted in front', 'SELECT a, b FROM silver.t', 'SELECT z, a, b FROM silver.t', 'breaking', ['select list: columns inserted before existing ones or reordered']],
    ['a filter', 'SELECT a FROM silver.t', 'SELECT a FROM silver.t WHERE a > 0', 'breaking', ['the query changed after its select list (FROM, JOIN, WHERE, GROUP BY, ...)']],
    ['a CTE changed', 'WITH x AS (SELECT a FROM silver.t) SELECT a FROM x', 'WITH x AS (SELECT a FROM silver.u) SELECT a FROM x', 'breaking', ['the query changed before its select list (WITH, DISTINCT, ...)']],
    ['a column added to SELECT DISTINCT', 'SELECT DISTINCT a FROM silver.t', 'SELECT DISTINCT a, b FROM silver.t', 'breaking', ['columns added to a SELECT DISTINCT or GROUP BY ALL change which rows there are']],
    ['a column added with GROUP BY ALL', 'SELECT a, SUM(x) AS s FROM silver.t GROUP BY ALL', 'SELECT a, SUM(x) AS s, b FROM silver.t GROUP BY ALL', 'breaking', ['columns added to a SELECT DISTINCT or GROUP BY ALL change which rows there are']],
    ['a UNION', 'SELECT a FROM silver.t', 'SELECT a FROM silver.t UNION ALL SELECT a FROM silver.u', 'breaking', ['the query changed (its outermost SELECT is not a plain select list, so added columns cannot be told apart)']],
  ])('%s is %s', (_what, before, after, category, reasons) => {
    expect(categorizeModel(before, after)).toEqual({ category, reasons });
  });

  test('a comma inside a function call does not split a column', () => {
    expect(categorizeModel('SELECT COALESCE(a, 0) AS a FROM silver.t', 'SELECT COALESCE(a, 0) AS a, b FROM silver.t')).toEqual({ category: 'non_breaking', reasons: ['column added: b'] });
  });
});

describe('a silver mapping change', () => {
  const base: SilverShape = {
    from: 'transactions', explode: null, key: ['id'], latest_by: 'updated_at',
    columns: [
      { name: 'id', path: 'id', type: 'integer', required: true, normalize: [], pattern: null, min: null, max: null },
      { name: 'email', path: 'customer.email', type: 'string', required: false, normalize: ['trim', 'lower'], pattern: null, min: null, max: null },
    ],
  };
  const withColumn = (name: string, patch: Partial<SilverShape['columns'][number]>) => ({ ...base, columns: base.columns.map((c) => (c.name === name ? { ...c, ...patch } : c)) });

  test.each<[string, SilverShape, string, string[]]>([
    ['a column added', { ...base, columns: [...base.columns, { name: 'total', path: 'total', type: 'double', required: false, normalize: [], pattern: null, min: null, max: null }] }, 'non_breaking', ['column total added']],
    ['a normalizer changed', withColumn('email', { normalize: ['trim', 'upper'] }), 'breaking', ['column email: normalize [trim, lower] -> [trim, upper]']],
    ['a type changed', withColumn('id', { type: 'string' }), 'breaking', ['column id: type integer -> string']],
    ['a column removed', { ...base, columns: [base.columns[0]] }, 'breaking', ['column email removed']],
    ['the key changed', { ...base, key: ['id', 'email'] }, 'breaking', ['key: [id] -> [id, email]']],
    ['explode added', { ...base, explode: 'lines' }, 'breaking', ['explode: none -> lines']],
    ['a range added', withColumn('id', { min: 0 }), 'breaking', ['column id: min none -> 0']],
    ['history kept', { ...base, history: 'scd2' }, 'breaking', ['history: none -> scd2']],
    ['deletes signalled', { ...base, deleted_when: { field: 'deleted', equals: true } }, 'breaking', ['deleted_when: none -> {"field":"deleted","equals":true}']],
  ])('%s is %s', (_what, after, category, reasons) => {
    expect(categorizeSilver(base, after)).toEqual({ category, reasons });
  });
});
