// Silver SQL models over the demo: sql/silver/payments.sql reads the point-of-sale records in bronze with
// VARIANT paths, incremental by batch, merged by transaction id (latest updated_at wins). Hour after hour
// of new sales and late refunds, reading only the new batches gives the same table as a build over all of
// bronze; a changed model is rebuilt as a changed gold model is; and plan and status see it.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { resolveSettings, runProject, type RunResult } from '../../src/engine.js';
import { planTables } from '../../src/models/plan.js';
import { loadProject } from '../../src/project.js';
import { readStatus } from '../../src/state/status.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
const HOUR = 3_600_000;

let project: DemoProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

const change = (result: RunResult, table: string) => result.tableChanges.find((c) => c.table === table);
const runPos = (p: DemoProject, options: Parameters<typeof runProject>[1] = {}) => runProject(p.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'], ...options });

async function edit(p: DemoProject, file: string, from: string, to: string): Promise<void> {
  const path = join(p.dir, file);
  const text = await readFile(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
  await writeFile(path, text.replace(from, to));
}

/** Every version of every sale, as each batch brought it: appended, no key. */
const EVENTS_SQL = `-- materialized: incremental_by_batch
SELECT
    b._record:id::int AS transaction_id,
    b._record:status::string AS status,
    b._record:updated_at::timestamp_ntz AS updated_at,
    f.index AS line_index,
    b._batch_id
FROM bronze.retail_pos_transactions AS b, LATERAL FLATTEN(input => b._record:lines) AS f
`;

/** Keeps the table's rows aside, to compare with it after a full build. */
const keep = (p: DemoProject, table: string) => withDatabase(p.settings, (w) => w.execute(`CREATE OR REPLACE TABLE main.kept_${table.replace('.', '_')} AS SELECT * FROM ${table}`));

/** Rows in the table and not in what was kept, and the other way (as multisets). */
const differs = (p: DemoProject, table: string) => withDatabase(p.settings, (w) => {
  const kept = `main.kept_${table.replace('.', '_')}`;
  return count(w, `SELECT COUNT(*) AS n FROM ((SELECT * FROM ${table} EXCEPT ALL SELECT * FROM ${kept}) UNION ALL (SELECT * FROM ${kept} EXCEPT ALL SELECT * FROM ${table}))`);
});

describe('a silver model incremental by batch', () => {
  test('after runs of new sales and late refunds, reading only new batches equals a build over all of bronze', async () => {
    project = await demoProject(ANCHOR);
    await writeFile(join(project.dir, 'sql/silver/payment_lines.sql'), EVENTS_SQL);
    const first = await runProject(project.settings, { steps: ['ingest', 'transform'] });
    expect(first.ok).toBe(true);
    expect(change(first, 'silver.payments')).toMatchObject({ action: 'create' });
    for (let hours = 6; hours <= 48; hours += 6) {
      await project.moveTo(new Date(ANCHOR.getTime() + hours * HOUR));
      const run = await runPos(project);
      expect(run.ok).toBe(true);
      // Merged from the new batches, never rebuilt.
      expect(change(run, 'silver.payments')).toMatchObject({ action: 'update', reasons: ['new data in bronze.retail_pos_transactions'] });
      expect(change(run, 'silver.payment_lines')).toMatchObject({ action: 'update' });
    }
    await withDatabase(project.settings, async (w) => {
      // One row per sale in bronze, at its latest version: the same as the YAML mapping keeps for each sale it accepts.
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.payments')).toBe(await count(w, "SELECT COUNT(DISTINCT CAST(_record->>'id' AS BIGINT)) AS n FROM bronze.retail_pos_transactions"));
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.payments p JOIN silver.transactions t USING (transaction_id) WHERE p.updated_at <> t.updated_at OR p.status <> t.status')).toBe(0);
      // Late refunds reached it: sales whose refund came in a later batch than the sale.
      expect(await count(w, "SELECT COUNT(*) AS n FROM silver.payments p WHERE p.status = 'refunded' AND EXISTS (SELECT 1 FROM bronze.retail_pos_transactions b WHERE CAST(b._record->>'id' AS BIGINT) = p.transaction_id AND b._batch_id <> p._batch_id)")).toBeGreaterThan(0);
      // Appended: one row per line of every version bronze holds.
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.payment_lines')).toBe(await count(w, 'SELECT COALESCE(SUM(json_array_length(_record, \'$.lines\')), 0) AS n FROM bronze.retail_pos_transactions'));
      expect(await count(w, "SELECT COUNT(*) AS n FROM meta.model_batches WHERE table_name = 'silver.payments'")).toBe(await count(w, "SELECT COUNT(*) AS n FROM meta.batches WHERE pipeline = 'retail_pos'"));
    });

    await keep(project, 'silver.payments');
    await keep(project, 'silver.payment_lines');
    const full = await runPos(project, { steps: ['transform'], fullRefresh: ['silver.payments', 'silver.payment_lines'] });
    expect(change(full, 'silver.payments')).toMatchObject({ action: 'rebuild', category: 'breaking', reasons: ['full refresh asked for'] });
    expect(await differs(project, 'silver.payments')).toBe(0);
    expect(await differs(project, 'silver.payment_lines')).toBe(0);
  }, 180_000);

  test('a batch read again replaces its own rows, never doubles them; a run with nothing new builds nothing', async () => {
    project = await demoProject(ANCHOR);
    await writeFile(join(project.dir, 'sql/silver/payment_lines.sql'), EVENTS_SQL);
    await runProject(project.settings, { steps: ['ingest', 'transform'] });
    await project.moveTo(new Date(ANCHOR.getTime() + 6 * HOUR));
    await runPos(project);
    const idle = await runPos(project, { steps: ['transform'] });
    expect(idle.tableChanges).toEqual([]);

    // As if the run that read the last batch had stopped before recording it (Snowflake commits at DDL).
    await withDatabase(project.settings, (w) => w.execute(
      "DELETE FROM meta.model_batches WHERE batch_id = (SELECT MAX(batch_id) FROM meta.batches WHERE pipeline = 'retail_pos')",
    ));
    await project.moveTo(new Date(ANCHOR.getTime() + 12 * HOUR));
    const reread = await runPos(project);
    expect(reread.ok).toBe(true);
    expect(change(reread, 'silver.payment_lines')).toMatchObject({ action: 'update' });
    await withDatabase(project.settings, async (w) => {
      expect(await count(w, "SELECT COUNT(*) AS n FROM meta.model_batches WHERE table_name = 'silver.payment_lines'")).toBe(await count(w, "SELECT COUNT(*) AS n FROM meta.batches WHERE pipeline = 'retail_pos'"));
    });
    await keep(project, 'silver.payments');
    await keep(project, 'silver.payment_lines');
    await runPos(project, { steps: ['transform'], fullRefresh: ['silver.payments', 'silver.payment_lines'] });
    expect(await differs(project, 'silver.payments')).toBe(0);
    expect(await differs(project, 'silver.payment_lines')).toBe(0);
  }, 120_000);

  test('a key that is NULL fails the run with the model, its line and why; the table stays as it was', async () => {
    project = await demoProject(ANCHOR);
    await runPos(project);
    await keep(project, 'silver.payments');
    await edit(project, 'sql/silver/payments.sql', '-- unique_key: transaction_id', '-- unique_key: [transaction_id, card_last4]');
    const run = await runPos(project, { steps: ['transform'] });
    expect(run.ok).toBe(false);
    expect(run.pipelines[0].error).toMatch(/^sql\/silver\/payments\.sql:5:1: silver\.payments: \d+ rows have a NULL in unique_key \[transaction_id, card_last4\] \(leave them out in the SELECT: WHERE \.\.\. IS NOT NULL\)$/);
    expect(run.diagnostics).toEqual([expect.objectContaining({ file: 'sql/silver/payments.sql', line: 5 })]);
    expect(await differs(project, 'silver.payments')).toBe(0);
  }, 60_000);
});

describe('which version of a key a model incremental by batch keeps', () => {
  // Batches of dropped files, so each batch holds exactly the versions a case needs.
  const PIPELINE = 'name: drops\nsource:\n  kind: files\n  path: drop\n  resources:\n    sales: { primary_key: [id] }\n';
  const MODEL = `-- materialized: incremental_by_batch
-- unique_key: sale_id
-- latest_by: updated_at
SELECT _record:id::int AS sale_id, _record:amount::number(10, 2) AS amount, _record:updated_at::timestamp_ntz AS updated_at, _batch_id
FROM bronze.drops_sales
`;
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(dir!, path)), { recursive: true });
    await writeFile(join(dir!, path), text);
  };
  const sale = (id: number, amount: number, at?: string) => JSON.stringify({ id, amount, ...(at ? { updated_at: at } : {}) });
  const rows = (settings: ReturnType<typeof resolveSettings>) =>
    withDatabase(settings, (w) => w.query<{ sale_id: number; amount: number }>('SELECT sale_id, CAST(amount AS DOUBLE) AS amount FROM silver.sales ORDER BY sale_id'));

  test('the greatest latest_by (NULL least), then the later batch; the same as a build over all of bronze', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dataops-silver-sql-'));
    await write('pipelines/drops.yml', PIPELINE);
    await write('sql/silver/sales.sql', MODEL);
    const settings = resolveSettings({ projectDir: dir, env: {} });
    const batches = [
      [sale(1, 10, '2026-11-20T10:00:00Z'), sale(2, 5, '2026-11-20T09:00:00Z'), sale(4, 40)],
      // 1: an older version arriving later stays out; 2: the same time, a later batch: replaces; 4: a time beats none.
      [sale(1, 99, '2026-11-20T09:00:00Z'), sale(2, 6, '2026-11-20T09:00:00Z'), sale(3, 30, '2026-11-20T09:00:00Z'), sale(4, 41, '2026-11-20T08:00:00Z')],
      // 1: the same time as the kept version, a later batch: replaces; 4: none never beats a time.
      [sale(1, 11, '2026-11-20T10:00:00Z'), sale(4, 42)],
    ];
    for (const [i, batch] of batches.entries()) {
      await write(`drop/source=sales/dt=2026-11-20/hour=0${i}/part-0001.jsonl`, `${batch.join('\n')}\n`);
      const run = await runProject(settings, { steps: ['ingest', 'transform'] });
      expect(run.ok).toBe(true);
      expect(change(run, 'silver.sales')).toMatchObject({ action: i === 0 ? 'create' : 'update' });
    }
    const expected = [{ sale_id: 1, amount: 11 }, { sale_id: 2, amount: 6 }, { sale_id: 3, amount: 30 }, { sale_id: 4, amount: 41 }];
    expect(await rows(settings)).toEqual(expected);
    await runProject(settings, { steps: ['transform'], fullRefresh: ['silver.sales'] });
    expect(await rows(settings)).toEqual(expected);

    // Two different rows of one batch with the same key and time: which is the latest cannot be told.
    await write('drop/source=sales/dt=2026-11-20/hour=09/part-0001.jsonl', `${sale(5, 1, '2026-11-20T11:00:00Z')}\n${sale(5, 2, '2026-11-20T11:00:00Z')}\n`);
    const tie = await runProject(settings, { steps: ['ingest', 'transform'] });
    expect(tie.pipelines[0].error).toBe('sql/silver/sales.sql:2:1: silver.sales: 1 keys have several different rows in one batch with the same updated_at, so which is the latest cannot be told (a latest_by that tells them apart or a finer unique_key would)');
    expect(await rows(settings)).toEqual(expected);
  }, 60_000);
});

describe('a changed silver model', () => {
  test('a column appended rebuilds the model only; a filter rebuilds it and what reads it', async () => {
    project = await demoProject(ANCHOR);
    await writeFile(join(project.dir, 'sql/gold/payment_mix.sql'), 'SELECT payment_method, COUNT(*) AS sales FROM silver.payments GROUP BY payment_method\n');
    await runPos(project);
    const built = (p: DemoProject) => withDatabase(p.settings, (w) => count(w, "SELECT COUNT(*) AS n FROM meta.model_runs WHERE model = 'gold.payment_mix'"));
    expect(await built(project)).toBe(1);

    await edit(project, 'sql/silver/payments.sql', '    _batch_id\n', '    _batch_id,\n    _record:store_id::int AS store_id\n');
    const nonBreaking = await runPos(project, { steps: ['transform'] });
    expect(change(nonBreaking, 'silver.payments')).toEqual({ table: 'silver.payments', action: 'rebuild', category: 'non_breaking', reasons: ['column added: _record:store_id::int as store_id'] });
    expect(change(nonBreaking, 'gold.payment_mix')).toBeUndefined();
    expect(await built(project)).toBe(1);
    await withDatabase(project.settings, async (w) => expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.payments WHERE store_id IS NULL')).toBe(0));

    await edit(project, 'sql/silver/payments.sql', 'WHERE _record:id::int IS NOT NULL', "WHERE _record:id::int IS NOT NULL AND _record:status::string <> 'void'");
    const breaking = await runPos(project, { steps: ['transform'] });
    expect(change(breaking, 'silver.payments')).toMatchObject({ action: 'rebuild', category: 'breaking' });
    expect(change(breaking, 'gold.payment_mix')).toMatchObject({ action: 'update', reasons: ['new data in silver.payments'] });
    expect(await built(project)).toBe(2);
    await withDatabase(project.settings, async (w) => expect(await count(w, "SELECT COUNT(*) AS n FROM silver.payments WHERE status = 'void'")).toBe(0));

    await expect(runProject(project.settings, { pipelines: ['stores'], steps: ['transform'], fullRefresh: ['silver.payments'] }))
      .rejects.toThrow('--full-refresh: silver.payments is loaded by pipeline retail_pos, which this run does not run; name it too');
  }, 120_000);
});

test('plan and status see a silver model: its pending batches, its pipeline, when it was built', async () => {
  project = await demoProject(ANCHOR);
  await runProject(project.settings, { steps: ['ingest', 'transform'] });
  await project.moveTo(new Date(ANCHOR.getTime() + 6 * HOUR));
  await runPos(project, { steps: ['ingest'] });
  const p = project;
  const loaded = await loadProject(p.dir, p.settings.env);
  const planned = await withDatabase(p.settings, (w) => planTables(w, loaded.graph));
  const payments = planned.find((t) => t.table === 'silver.payments')!;
  expect(payments).toMatchObject({ layer: 'silver', pipeline: 'retail_pos', action: 'update', pending_batches: 1 });
  expect(payments.reasons).toEqual([`1 new bronze batch, ${payments.pending_rows} rows`]);
  expect(payments.pending_rows).toBeGreaterThan(0);

  const run = await runPos(project, { steps: ['transform'] });
  expect(run.tableChanges.map((c) => c.table).sort()).toEqual(planned.map((t) => t.table).sort());
  const status = await withDatabase(p.settings, (w) => readStatus(w, loaded));
  expect(status.tables.find((t) => t.name === 'silver.payments')).toMatchObject({ layer: 'silver', pipeline: 'retail_pos', last_loaded_at: expect.anything() });
}, 60_000);
