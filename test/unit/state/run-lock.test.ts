// Taking a pipeline's lock while another run's take is refused with a conflict and has not committed yet
// (no holder to be seen): the take is tried again, a little later each time, and gives up only when the
// refusal goes on, so a busy warehouse is not mistaken for a broken one.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { WarehouseError } from '../../../src/errors.js';
import { ensureMetaSchema } from '../../../src/state/meta.js';
import { acquirePipelineLocks, conflictBackoffMs, lockHolder } from '../../../src/state/run-lock.js';
import type { Warehouse } from '../../../src/warehouse/adapter.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';

let warehouse: DuckDBWarehouse;

beforeEach(async () => {
  warehouse = await DuckDBWarehouse.open(':memory:');
  await ensureMetaSchema(warehouse);
});
afterEach(() => warehouse.close());

/** The warehouse, but its first `refusals` takes of a lock fail as a write conflict would. */
function conflicting(refusals: number): Warehouse & { takes: number } {
  let takes = 0;
  return new Proxy(warehouse, {
    get(target, name, receiver) {
      if (name === 'takes') return takes;
      if (name !== 'execute') return Reflect.get(target, name, receiver);
      return async (sql: string) => {
        if (/^UPDATE meta\.locks SET run_id/.test(sql.trim()) && ++takes <= refusals) {
          throw new WarehouseError('Transaction conflict: cannot update a table that has been altered!');
        }
        return target.execute(sql);
      };
    },
  }) as unknown as Warehouse & { takes: number };
}

describe('a take refused with no holder to be seen', () => {
  test.each([1, 3, 5])('%i refusals in a row, then the other run lets go: the lock is taken', async (refusals) => {
    const session = conflicting(refusals);
    const locks = await acquirePipelineLocks(session, ['orders'], { runId: 'run_one', timeoutSeconds: 0 });
    expect(session.takes).toBe(refusals + 1);
    expect(await lockHolder(warehouse, 'orders')).toMatchObject({ run_id: 'run_one' });
    await locks.release();
  });

  test('a refusal that goes on is reported as it is, not waited on forever', async () => {
    const session = conflicting(Infinity);
    await expect(acquirePipelineLocks(session, ['orders'], { runId: 'run_one', timeoutSeconds: 0 })).rejects.toThrow(/Transaction conflict/);
    expect(session.takes).toBe(7);
    expect(await lockHolder(warehouse, 'orders')).toBeUndefined();
  });

  test('the waits between attempts double, with jitter, and stay short', () => {
    for (let attempt = 1; attempt <= 6; attempt++) {
      const wait = conflictBackoffMs(attempt);
      expect(wait).toBeGreaterThanOrEqual(25 * 2 ** (attempt - 1));
      expect(wait).toBeLessThan(75 * 2 ** (attempt - 1));
    }
  });
});
