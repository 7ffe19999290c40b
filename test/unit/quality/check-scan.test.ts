// Checks counted up front (one scan per table for its row-level checks, unique proved with a bitmap) must
// count what each check's own failing-rows query counts, on a real DuckDB table with the awkward cases:
// NULLs, a parent with a NULL key, duplicates, non-integer keys, negative integers, new rows only.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CheckSpec, DeclaredCheck } from '../../../src/config/types.js';
import { failingRowsSql } from '../../../src/quality/check-kinds.js';
import { checkedRows, countChecks } from '../../../src/quality/check-scan.js';
import { ensureMetaSchema } from '../../../src/state/meta.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';

let w: DuckDBWarehouse;
beforeAll(async () => {
  w = await DuckDBWarehouse.open(':memory:');
  await ensureMetaSchema(w);
  await w.execute(`CREATE TABLE silver.items AS SELECT * FROM (VALUES
    (1, -5, 1.5, 'A-1', 'new', 5, 'b1'), (2, -5, 2.5, 'A-2', 'old', 50, 'b1'), (2, NULL, 2.5, NULL, 'lost', 7, 'b2'),
    (4, 3, NULL, 'bad', NULL, -1, 'b2'), (NULL, 9, 4.5, 'A-9', 'new', 3, 'b2'))
    AS t(id, neg, price, code, state, qty, _batch_id)`);
  await w.execute('CREATE TABLE silver.parents AS SELECT * FROM (VALUES (1), (2), (NULL)) AS t(id)');
  await w.execute(`INSERT INTO meta.batches (batch_id, run_id, pipeline, resource) VALUES ('b1', 'run_1', 'shop', 'items'), ('b2', 'run_2', 'shop', 'items')`);
});
afterAll(() => w.close());

const declared = (spec: CheckSpec, scope: 'all' | 'new' = 'all'): DeclaredCheck => ({ table: 'silver.items', spec, severity: 'error', scope, samples: 20, line: 1 });

const CASES: Array<[string, CheckSpec, 'all' | 'new']> = [
  ['not_null on two columns', { kind: 'not_null', columns: ['code', 'state'] }, 'all'],
  ['accepted_values with NULLs', { kind: 'accepted_values', column: 'state', values: ['new', 'old'] }, 'all'],
  ['range', { kind: 'range', column: 'qty', min: 0, max: 10 }, 'all'],
  ['pattern', { kind: 'pattern', column: 'code', regex: 'A-[0-9]' }, 'all'],
  ['expression', { kind: 'expression', expression: 'qty >= 0' }, 'all'],
  ['relationships to a parent with a NULL key', { kind: 'relationships', column: 'id', to: { table: 'silver.parents', column: 'id' } }, 'all'],
  ['pattern on an integer column (cast to text)', { kind: 'pattern', column: 'qty', regex: '[0-9]+' }, 'all'],
  ['pattern on new rows', { kind: 'pattern', column: 'code', regex: 'A-[0-9]' }, 'new'],
  ['relationships on new rows', { kind: 'relationships', column: 'id', to: { table: 'silver.parents', column: 'id' } }, 'new'],
  ['unique integers with a duplicate', { kind: 'unique', columns: ['id'] }, 'all'],
  ['unique negative integers with a duplicate', { kind: 'unique', columns: ['neg'] }, 'all'],
  ['unique integers without duplicates', { kind: 'unique', columns: ['qty'] }, 'all'],
  ['unique decimals', { kind: 'unique', columns: ['price'] }, 'all'],
];

describe('counted up front, the same counts as each check alone', () => {
  test.each(CASES)('%s', async (_name, spec, scope) => {
    const check = declared(spec, scope);
    const counts = await countChecks(w, [check], 'run_2');
    const looked = checkedRows('silver.items', { current: false, ...(scope === 'new' ? { newInRun: 'run_2' } : {}) });
    const translated = w.translate(scope === 'new' ? `WITH new_rows AS (SELECT * FROM ${looked} AS r) ${failingRowsSql('new_rows', spec)}` : failingRowsSql('silver.items', spec)).sql;
    const [{ n }] = await w.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${looked} AS t`);
    const alone = { failing: (await w.query(translated)).length, tableRows: Number(n) };
    const counted = counts.get(check);
    // A unique check is counted up front only when it has no duplicates; the GROUP BY counts the others.
    if (spec.kind === 'unique' && alone.failing > 0) expect(counted).toBeUndefined();
    else expect(counted).toEqual(alone);
  });
});

test("one table's row-level checks are counted together, each with its own count", async () => {
  const checks = CASES.filter(([, spec, scope]) => spec.kind !== 'unique' && scope === 'all').map(([, spec]) => declared(spec));
  const counts = await countChecks(w, checks, 'run_2');
  expect(checks.map((c) => counts.get(c)?.failing)).toEqual([2, 1, 2, 1, 1, 1, 1]);
});

test('a check that fails on some row leaves its table to each check alone; one that does not translate is left out', async () => {
  const nonNull = declared({ kind: 'not_null', columns: ['code'] });
  const failsOnARow = declared({ kind: 'expression', expression: "CAST(code AS INTEGER) > 0" });
  expect((await countChecks(w, [nonNull, failsOnARow], 'run_2')).size).toBe(0);
  const untranslatable = declared({ kind: 'expression', expression: "qty REGEXP 'x'" });
  const counts = await countChecks(w, [nonNull, untranslatable], 'run_2');
  expect([counts.get(nonNull), counts.has(untranslatable)]).toEqual([{ failing: 1, tableRows: 5 }, false]);
});

test('a table that keeps history is counted on its current rows, the rows its readers see', async () => {
  await w.execute(`CREATE TABLE silver.people AS SELECT * FROM (VALUES
    (1, NULL, false, 'b1'), (1, 'a@x', true, 'b2'), (2, 'b@x', false, 'b1'), (2, 'c@x', true, 'b2'))
    AS t(id, email, is_current, _batch_id)`);
  const notNull: DeclaredCheck = { table: 'silver.people', spec: { kind: 'not_null', columns: ['email'] }, severity: 'error', scope: 'all', samples: 20, line: 1 };
  const unique: DeclaredCheck = { ...notNull, spec: { kind: 'unique', columns: ['id'] } };
  const current = await countChecks(w, [notNull, unique], 'run_2', (table) => table === 'silver.people');
  expect([current.get(notNull), current.get(unique)]).toEqual([{ failing: 0, tableRows: 2 }, { failing: 0, tableRows: 2 }]);
  // Every version: the closed one's NULL counts, and the key repeats (so unique is left to the GROUP BY).
  const all = await countChecks(w, [notNull, unique], 'run_2');
  expect([all.get(notNull), all.has(unique)]).toEqual([{ failing: 1, tableRows: 4 }, false]);
});
