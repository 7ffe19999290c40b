// The whole flow on a real DuckDB file against the real demo API: the invariants DESIGN.md promises.
import { afterEach, describe, expect, test } from 'vitest';
import { generateRetailData } from '../../src/demo/data.js';
import { runProject } from '../../src/engine.js';
import { readStatus } from '../../src/state/status.js';
import { loadProject } from '../../src/project.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
const LATER = new Date('2026-11-21T06:30:00Z');
const GOLD = ['dim_customer', 'dim_product', 'dim_store', 'dim_date', 'fact_sales', 'daily_sales_summary', 'inventory'];

let project: DemoProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

async function tableCounts(w: Warehouse): Promise<Record<string, number>> {
  const tables = await w.query<{ t: string }>(
    `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('bronze', 'silver', 'gold', 'meta') AND table_schema <> 'meta' ORDER BY 1`,
  );
  const out: Record<string, number> = {};
  for (const { t } of tables) out[t] = await count(w, `SELECT COUNT(*) AS n FROM ${t}`);
  out['meta.rejected'] = await count(w, 'SELECT COUNT(*) AS n FROM meta.rejected');
  return out;
}

/** Transactions the API serves that silver must accept: they have a sale time and a non-negative total. */
function validTransactionIds(anchor: Date): Set<number> {
  return new Set(
    generateRetailData({ anchor })
      .transactions.filter((t) => t.sold_at !== undefined && t.total >= 0 && ['paid', 'refunded', 'void', 'unknown'].includes(t.status))
      .map((t) => t.id),
  );
}

describe('a run on the embedded DuckDB', () => {
  test('loads every layer, keeps bronze = accepted + rejected, and rejects bad records with reasons', async () => {
    project = await demoProject(ANCHOR);
    const result = await runProject(project.settings, { now: ANCHOR });
    expect(result.pipelines.map((p) => [p.pipeline, p.error])).toEqual([
      ['catalog', undefined],
      ['inventory', undefined],
      ['retail_pos', undefined],
      ['stores', undefined],
    ]);
    expect(result.ok).toBe(true);

    await withDatabase(project.settings, async (w) => {
      for (const model of GOLD) expect(await count(w, `SELECT COUNT(*) AS n FROM gold.${model}`), model).toBeGreaterThan(0);
      for (const load of result.pipelines.flatMap((p) => p.silverLoads)) {
        expect(load.bronze, load.table).toBe(load.accepted + load.rejected);
        expect(load.bronze, load.table).toBeGreaterThan(0);
      }
      // Exact repeats in the customer list reach bronze once.
      const customers = result.pipelines.find((p) => p.pipeline === 'catalog')!.batches.find((b) => b.resource === 'customers')!;
      expect(customers.received - customers.bronzeRows).toBe(3);
      // Silver holds exactly the valid transactions, each once.
      const expected = validTransactionIds(ANCHOR);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.transactions')).toBe(expected.size);
      expect(await count(w, 'SELECT COUNT(DISTINCT transaction_id) AS n FROM silver.transactions')).toBe(expected.size);

      const reasons = (await w.query<{ reasons: string }>('SELECT DISTINCT reasons FROM meta.rejected')).map((r) => r.reasons);
      for (const reason of ['pattern_mismatch:email', 'missing_required:customer_id', 'out_of_range:total', 'missing_required:sold_at', 'out_of_range:unit_price', 'out_of_range:quantity', 'missing_required:product_id']) {
        expect(reasons.some((r) => r.split(',').includes(reason)), reason).toBe(true);
      }
      // A rejected row keeps the record as received, so it can be fixed and replayed.
      const [sample] = await w.query<{ record: string }>("SELECT record FROM meta.rejected WHERE reasons LIKE '%pattern_mismatch:email%' LIMIT 1");
      expect(JSON.parse(sample.record)).toHaveProperty('email');

      const checks = await w.query<{ run_id: string; status: string }>('SELECT run_id, status FROM meta.check_results');
      expect(checks.length).toBeGreaterThan(20);
      expect(new Set(checks.map((c) => c.run_id))).toEqual(new Set([result.runId]));

      // Each step is recorded as it ran: the pipelines' ingests one after another, then one transform for
      // them all, then each pipeline's checks; a pipeline's run ends with its last step.
      const steps = await w.query<{ pipeline: string; step: string; started_at: string; finished_at: string }>(
        'SELECT pipeline, step, started_at, finished_at FROM meta.run_steps',
      );
      const time = (pipeline: string, step: string, end: 'started_at' | 'finished_at') => Date.parse(steps.find((s) => s.pipeline === pipeline && s.step === step)![end]);
      const names = result.pipelines.map((p) => p.pipeline);
      for (const s of steps) expect(Date.parse(s.finished_at), `${s.pipeline} ${s.step}`).toBeGreaterThanOrEqual(Date.parse(s.started_at));
      names.slice(1).forEach((name, i) => expect(time(name, 'ingest', 'started_at'), name).toBeGreaterThanOrEqual(time(names[i], 'ingest', 'finished_at')));
      for (const name of names) {
        expect(time(name, 'transform', 'started_at'), name).toBeGreaterThanOrEqual(time(names.at(-1)!, 'ingest', 'finished_at'));
        expect(time(name, 'transform', 'finished_at'), name).toBe(time(names[0], 'transform', 'finished_at'));
        expect(time(name, 'check', 'started_at'), name).toBeGreaterThanOrEqual(time(name, 'transform', 'finished_at'));
      }
      const runs = await w.query<{ pipeline: string; finished_at: string }>('SELECT pipeline, finished_at FROM meta.runs');
      for (const r of runs) expect(Date.parse(r.finished_at), r.pipeline).toBe(time(r.pipeline, 'check', 'finished_at'));

      const status = await readStatus(w, await loadProject(project!.dir, project!.settings.env), { now: ANCHOR });
      expect(status.conservation_ok).toBe(true);
      expect(status.tables.filter((t) => t.layer === 'gold').every((t) => t.rows > 0)).toBe(true);
    });
  });

  test('running again adds nothing anywhere; a later hour adds only new data and applies late updates in place', async () => {
    project = await demoProject(ANCHOR);
    await runProject(project.settings, { now: ANCHOR });
    const first = await withDatabase(project.settings, tableCounts);
    const second = await runProject(project.settings, { now: ANCHOR });
    expect(second.pipelines.flatMap((p) => p.batches).every((b) => b.bronzeRows === 0)).toBe(true);
    expect(await withDatabase(project.settings, tableCounts)).toEqual(first);

    await project.moveTo(LATER);
    const later = await runProject(project.settings, { now: LATER });
    expect(later.ok).toBe(true);
    await withDatabase(project.settings, async (w) => {
      // Silver keeps history: the older hours that left the API's window stay.
      const expected = new Set([...validTransactionIds(ANCHOR), ...validTransactionIds(LATER)]);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.transactions')).toBe(expected.size);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.transactions')).toBeGreaterThan(first['silver.transactions']);
      // Every transaction's status is the API's latest: late refunds replaced the earlier version.
      const api = new Map(generateRetailData({ anchor: LATER }).transactions.map((t) => [t.id, t]));
      const rows = await w.query<{ transaction_id: number; status: string; updated_at: string }>('SELECT transaction_id, status, updated_at FROM silver.transactions');
      const lateRefunds = rows.filter((r) => api.has(r.transaction_id) && api.get(r.transaction_id)!.status === 'refunded' && api.get(r.transaction_id)!.updated_at !== api.get(r.transaction_id)!.sold_at);
      expect(lateRefunds.length).toBeGreaterThan(0);
      for (const row of rows.filter((r) => api.has(r.transaction_id))) expect(row.status, String(row.transaction_id)).toBe(api.get(row.transaction_id)!.status);
      // Bronze kept both versions: it is append-only.
      expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze.retail_pos_transactions')).toBeGreaterThan(rows.length);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM (SELECT transaction_id, line_no FROM silver.transaction_lines GROUP BY ALL HAVING COUNT(*) > 1)')).toBe(0);
    });
  });

  test('a refused source fails its pipeline only: bronze and the cursor stay, and the next run resumes', async () => {
    project = await demoProject(ANCHOR, { token: 'wrong-token-123' });
    const failed = await runProject(project.settings, { http: { maxAttempts: 1 }, now: ANCHOR });
    expect(failed.ok).toBe(false);
    const pos = failed.pipelines.find((p) => p.pipeline === 'retail_pos')!;
    expect(pos.error).toMatch(/\/v1\/transactions.*HTTP 401/);
    expect(pos.error).not.toContain('wrong-token-123');
    expect(failed.pipelines.find((p) => p.pipeline === 'stores')!.error).toBeUndefined();
    await withDatabase(project.settings, async (w) => {
      expect(await count(w, "SELECT COUNT(*) AS n FROM meta.cursors WHERE pipeline = 'retail_pos'")).toBe(0);
      expect(await count(w, "SELECT COUNT(*) AS n FROM meta.batches WHERE pipeline = 'retail_pos'")).toBe(0);
      expect(await w.query("SELECT status FROM meta.runs WHERE pipeline = 'retail_pos'")).toEqual([{ status: 'failed' }]);
    });

    project.settings = { ...project.settings, env: { ...project.settings.env, DEMO_API_TOKEN: 'test-token-5f1c9e0b7a' } };
    const resumed = await runProject(project.settings, { now: ANCHOR });
    expect(resumed.ok).toBe(true);
    await withDatabase(project.settings, async (w) => {
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.transactions')).toBe(validTransactionIds(ANCHOR).size);
    });
  });

  test('steps can run apart (as the actions do): ingest now, transform later picks up the pending batches', async () => {
    project = await demoProject(ANCHOR);
    const ingest = await runProject(project.settings, { steps: ['ingest'] });
    expect(ingest.pipelines.every((p) => p.batches.every((b) => b.bronzeRows > 0))).toBe(true);
    await withDatabase(project.settings, async (w) => {
      expect(await count(w, "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'silver'")).toBe(0);
    });
    const transform = await runProject(project.settings, { steps: ['transform'], runId: ingest.runId });
    const pos = transform.pipelines.find((p) => p.pipeline === 'retail_pos')!;
    const batch = ingest.pipelines.find((p) => p.pipeline === 'retail_pos')!.batches[0].batchId;
    expect(pos.silverLoads.map((l) => [l.table, l.batchId])).toEqual([
      ['silver.transactions', batch],
      ['silver.transaction_lines', batch],
    ]);
    // The gold models, and the silver SQL model (sql/silver/payments.sql).
    expect(transform.models.map((m) => m.model).sort()).toEqual(['silver.payments', ...GOLD.map((g) => `gold.${g}`)].sort());
    const check = await runProject(project.settings, { steps: ['check'], runId: ingest.runId, now: ANCHOR });
    expect(check.ok).toBe(true);
    await withDatabase(project.settings, async (w) => {
      expect(await w.query(`SELECT DISTINCT run_id FROM meta.check_results`)).toEqual([{ run_id: ingest.runId }]);
      expect(await w.query(`SELECT DISTINCT run_id, status FROM meta.runs`)).toEqual([{ run_id: ingest.runId, status: 'success' }]);
    });

    // A later run that brings nothing new rebuilds nothing; one that brings new rows to one pipeline
    // rebuilds only the models downstream of its tables.
    const idle = await runProject(project.settings, { pipelines: ['retail_pos'], now: ANCHOR });
    expect(idle.models).toEqual([]);
    await project.moveTo(new Date(ANCHOR.getTime() + 6 * 3_600_000));
    const one = await runProject(project.settings, { pipelines: ['retail_pos'], now: ANCHOR });
    expect(one.models.map((m) => m.model).sort()).toEqual(['gold.daily_sales_summary', 'gold.dim_date', 'gold.fact_sales', 'silver.payments']);
    expect(one.tableChanges.find((c) => c.table === 'gold.fact_sales')).toMatchObject({ action: 'update', reasons: ['new data in silver.transaction_lines, silver.transactions'] });
  });
});
