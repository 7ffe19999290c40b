// Every check kind of the registry, run on a real DuckDB table: its failing rows, its name, its level.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CheckSpec } from '../../../src/config/types.js';
import { CHECK_KINDS, checkKind, checkName, failingRowsSql } from '../../../src/quality/check-kinds.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';

let w: DuckDBWarehouse;
beforeAll(async () => {
  w = await DuckDBWarehouse.open(':memory:');
  await w.execute('CREATE SCHEMA silver');
  await w.execute(`CREATE TABLE silver.items AS SELECT * FROM (VALUES
    (1, 'A-1', 'new', 5), (2, 'A-2', 'old', 50), (2, NULL, 'lost', 7), (4, 'bad', NULL, -1)) AS t(id, code, state, qty)`);
  await w.execute('CREATE TABLE silver.parents AS SELECT * FROM (VALUES (1), (2)) AS t(id)');
});
afterAll(() => w.close());

describe('check kinds', () => {
  test.each<[CheckSpec, string, 'row' | 'table', number]>([
    [{ kind: 'not_null', columns: ['code', 'state'] }, 'not_null(code, state)', 'row', 2],
    [{ kind: 'unique', columns: ['id'] }, 'unique(id)', 'table', 1],
    [{ kind: 'accepted_values', column: 'state', values: ['new', 'old'] }, 'accepted_values(state)', 'row', 1],
    [{ kind: 'range', column: 'qty', min: 0, max: 10 }, 'range(qty >= 0 <= 10)', 'row', 2],
    [{ kind: 'relationships', column: 'id', to: { table: 'silver.parents', column: 'id' } }, 'relationships(id -> silver.parents.id)', 'row', 1],
    [{ kind: 'row_count', min: 5 }, 'row_count(5..∞)', 'table', 1],
    [{ kind: 'row_count', max: 4 }, 'row_count(0..4)', 'table', 0],
  ])('%j', async (spec, name, level, failing) => {
    expect(checkName(spec)).toBe(name);
    expect(checkKind(spec).level).toBe(level);
    const rows = await w.query(failingRowsSql('silver.items', spec));
    expect(rows).toHaveLength(failing);
  });

  test('an unknown kind lists the known ones', () => {
    expect(() => checkKind({ kind: 'bogus' } as unknown as CheckSpec)).toThrow(`unknown check kind "bogus" (expected one of: ${CHECK_KINDS.join(', ')})`);
  });
});
