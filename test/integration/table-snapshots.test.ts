// Each run leaves one row per table in meta.table_snapshots: its rows and, with an SLA, its freshness lag
// after the run. Those rows are the volume and freshness series of the history pages.
import { afterEach, describe, expect, test } from 'vitest';
import { runProject } from '../../src/engine.js';
import { historyWindow, readTableTrends } from '../../src/state/history.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
const LATER = new Date('2026-11-20T15:30:00Z');

let project: DemoProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

interface Snapshot {
  run_id: string;
  pipeline: string | null;
  table_name: string;
  row_count: number;
  freshness_field: string | null;
  newest_at: string | null;
  lag_seconds: number | null;
}

describe('meta.table_snapshots', () => {
  test("one row per table per run, with the table's rows and the freshness lag against the run's clock", async () => {
    project = await demoProject(ANCHOR);
    const first = await runProject(project.settings, { now: ANCHOR });
    await project.moveTo(LATER);
    const second = await runProject(project.settings, { now: LATER });
    expect([first.ok, second.ok]).toEqual([true, true]);
    await withDatabase(project.settings, async (w) => {
      const tables = await w.query<{ t: string }>(
        `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('bronze', 'silver', 'gold') ORDER BY 1`,
      );
      const snapshots = await w.query<Snapshot>(
        `SELECT run_id, pipeline, table_name, row_count, freshness_field, CAST(newest_at AS VARCHAR) AS newest_at, lag_seconds
         FROM meta.table_snapshots WHERE run_id = '${second.runId}' ORDER BY table_name`,
      );
      expect(snapshots.map((s) => s.table_name)).toEqual(tables.map((t) => t.t));
      for (const s of snapshots) expect(s.row_count, s.table_name).toBe(await count(w, `SELECT COUNT(*) AS n FROM ${s.table_name}`));
      const transactions = snapshots.find((s) => s.table_name === 'silver.transactions')!;
      const [{ newest }] = await w.query<{ newest: string }>('SELECT CAST(MAX(sold_at) AS VARCHAR) AS newest FROM silver.transactions');
      expect(transactions).toMatchObject({ pipeline: 'retail_pos', freshness_field: 'sold_at', newest_at: newest });
      expect(transactions.lag_seconds).toBe(Math.round((LATER.getTime() - Date.parse(`${newest.replace(' ', 'T')}Z`)) / 1000));
      // A gold table without a freshness SLA.
      expect(snapshots.find((s) => s.table_name === 'gold.dim_store')).toMatchObject({ pipeline: null, freshness_field: null, newest_at: null, lag_seconds: null });
      expect(await count(w, `SELECT COUNT(*) AS n FROM meta.table_snapshots WHERE run_id = '${first.runId}'`)).toBe(tables.length);

      // Two points per table: the volume trend has both runs.
      const trends = await readTableTrends(w, await historyWindow(w));
      expect(trends.get('silver.transactions')!.map((p) => p.run_id)).toEqual([first.runId, second.runId]);
    });
  });

  test('a later step of the same run (the quality gate after the transform) replaces its rows; a pipeline of its own touches only its tables', async () => {
    project = await demoProject(ANCHOR);
    const run = await runProject(project.settings, { now: ANCHOR, steps: ['ingest', 'transform'] });
    const snapshots = () => withDatabase(project!.settings, (w) => w.query<Snapshot>(`SELECT * FROM meta.table_snapshots WHERE run_id = '${run.runId}' ORDER BY table_name`));
    const afterTransform = await snapshots();
    await runProject(project.settings, { now: LATER, steps: ['check'], runId: run.runId });
    const afterCheck = await snapshots();
    expect(afterCheck.map((s) => s.table_name)).toEqual(afterTransform.map((s) => s.table_name));
    expect(afterCheck.find((s) => s.table_name === 'silver.transactions')!.lag_seconds).toBe(
      afterTransform.find((s) => s.table_name === 'silver.transactions')!.lag_seconds! + (LATER.getTime() - ANCHOR.getTime()) / 1000,
    );

    const inventoryOnly = await runProject(project.settings, { now: LATER, pipelines: ['inventory'] });
    const tables = await withDatabase(project.settings, (w) =>
      w.query<{ table_name: string }>(`SELECT table_name FROM meta.table_snapshots WHERE run_id = '${inventoryOnly.runId}' ORDER BY table_name`));
    expect(tables.map((t) => t.table_name).filter((t) => !t.startsWith('gold.'))).toEqual(['bronze.inventory_movements', 'silver.inventory_movements']);
  });
});
