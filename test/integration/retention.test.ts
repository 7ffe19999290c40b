// dataops.yml retention: each layer removes what is older than its days, and never bronze a table has not built.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { resolveSettings, runProject } from '../../src/engine.js';
import { loadProject } from '../../src/project.js';
import { applyRetention, type RetentionCount } from '../../src/state/retention.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const DAY = 86_400;
let project: DemoProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

/** Moves a run's batches (and their bronze rows) back to a day long ago. */
async function backdate(w: Warehouse, runId: string, day: string): Promise<void> {
  for (const table of ['bronze.catalog_customers', 'bronze.catalog_products']) {
    await w.execute(`UPDATE ${table} SET _fetched_at = CAST('${day}' AS TIMESTAMP) WHERE _batch_id LIKE '${runId}.%'`);
  }
  await w.execute(`UPDATE meta.batches SET fetched_at = CAST('${day}' AS TIMESTAMP) WHERE run_id = '${runId}'`);
}

const removed = (counts: RetentionCount[], table: string) => counts.find((c) => c.table === table);

describe('retention', () => {
  test('bronze: old batches every reader has built go; unbuilt and recent ones stay; a rebuild then refuses to lose rows', async () => {
    project = await demoProject();
    const first = await runProject(project.settings, { pipelines: ['catalog'] });
    expect(first.ok).toBe(true);
    const silverBefore = await withDatabase(project.settings, async (w) => {
      await backdate(w, first.runId, '2025-01-01');
      return count(w, 'SELECT COUNT(*) AS n FROM silver.customers');
    });
    // Fetched again (its copies are past the copy window, so appended again) but never built, also long ago.
    const unbuilt = await runProject(project.settings, { pipelines: ['catalog'], steps: ['ingest'] });
    const [built, pending] = await withDatabase(project.settings, async (w) => {
      await backdate(w, unbuilt.runId, '2025-01-02');
      return [
        await count(w, `SELECT COUNT(*) AS n FROM bronze.catalog_customers WHERE _batch_id LIKE '${first.runId}.%'`),
        await count(w, `SELECT COUNT(*) AS n FROM bronze.catalog_customers WHERE _batch_id LIKE '${unbuilt.runId}.%'`),
      ];
    });
    expect(built).toBeGreaterThan(0);
    expect(pending).toBe(built);
    const { graph } = await loadProject(project.dir, project.settings.env);
    const options = { keep: { bronze: 400 * DAY }, landingDir: project.settings.landingDir, pipelines: ['catalog'], now: new Date('2026-03-01T00:00:00Z') };

    const dry = await withDatabase(project.settings, (w) => applyRetention(w, graph, { ...options, dryRun: true }));
    expect(removed(dry, 'bronze.catalog_customers')).toEqual({ layer: 'bronze', table: 'bronze.catalog_customers', removed: built, note: 'kept 1 older batch not yet built by silver.customers' });
    await withDatabase(project.settings, async (w) => expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze.catalog_customers')).toBe(2 * built));

    // 400 days before 2026-03-01 is 2025-01-25: both runs are older, and a year later nothing is.
    const later = await withDatabase(project.settings, (w) => applyRetention(w, graph, { ...options, now: new Date('2025-06-01T00:00:00Z') }));
    expect(removed(later, 'bronze.catalog_customers')?.removed).toBe(0);
    const counts = await withDatabase(project.settings, (w) => applyRetention(w, graph, options));
    expect(removed(counts, 'bronze.catalog_customers')?.removed).toBe(built);
    await withDatabase(project.settings, async (w) => {
      expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze.catalog_customers')).toBe(pending);
      expect(await count(w, `SELECT COUNT(*) AS n FROM bronze.catalog_customers WHERE _batch_id LIKE '${first.runId}.%'`)).toBe(0);
      expect(await count(w, `SELECT COUNT(*) AS n FROM meta.batches WHERE run_id = '${first.runId}' AND bronze_removed_at IS NOT NULL`)).toBe(2);
      expect(await count(w, `SELECT COUNT(*) AS n FROM meta.batches WHERE run_id = '${unbuilt.runId}' AND bronze_removed_at IS NULL`)).toBe(2);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.customers')).toBe(silverBefore);
      // Conservation as each batch's build recorded it still holds.
      expect(await count(w, 'SELECT COUNT(*) AS n FROM meta.silver_loads WHERE NOT conserved OR bronze <> accepted + rejected')).toBe(0);
    });

    // The mapping changes: a rebuild from bronze would hold fewer rows, so it is refused...
    const file = join(project.dir, 'pipelines/catalog.yml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('city:         { path: city, type: string, normalize: [trim] }', 'city:         { path: city, type: string, normalize: [trim, upper] }'));
    const refused = await runProject(project.settings, { pipelines: ['catalog'], steps: ['transform'] });
    expect(refused.pipelines[0].error).toMatch(/silver\.customers: its definition changed, but it cannot be rebuilt from bronze without losing rows: retention removed the bronze of 1 batch fetched up to 2025-01-01T00:00:00\.000Z .*--full-refresh silver\.customers/);
    // ... unless the run names it, and then says what it lost.
    const lines: string[] = [];
    const forced = await runProject(project.settings, { pipelines: ['catalog'], steps: ['transform'], fullRefresh: ['silver.customers'], log: (line) => lines.push(line) });
    expect(forced.pipelines[0].error).toBeUndefined();
    expect(lines.join('\n')).toMatch(/silver\.customers: WARNING: rebuilt from the bronze that is left/);
  });

  test('a model that reads bronze batch by batch refuses a rebuild after retention removed some of it, as silver does', async () => {
    project = await demoProject();
    const first = await runProject(project.settings, { pipelines: ['retail_pos'] });
    expect(first.pipelines[0].error).toBeUndefined();
    await withDatabase(project.settings, async (w) => {
      await w.execute("UPDATE meta.batches SET fetched_at = CAST('2025-01-01' AS TIMESTAMP) WHERE pipeline = 'retail_pos'");
    });
    const { graph } = await loadProject(project.dir, project.settings.env);
    const counts = await withDatabase(project.settings, (w) =>
      applyRetention(w, graph, { keep: { bronze: 400 * DAY }, landingDir: project!.settings.landingDir, pipelines: ['retail_pos'], now: new Date('2026-03-01T00:00:00Z') }),
    );
    expect(removed(counts, 'bronze.retail_pos_transactions')?.removed).toBeGreaterThan(0);
    const file = join(project.dir, 'sql/silver/payments.sql');
    await writeFile(file, (await readFile(file, 'utf8')).replace('_record:currency::string AS currency,', '_record:currency::string AS currency,\n    _record:store_id::int AS store_id,'));
    const refused = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['transform'] });
    expect(refused.pipelines[0].error).toMatch(/silver\.payments: its definition changed, but it cannot be rebuilt from bronze without losing rows/);
  });

  test('bronze that a table model reads directly is kept whole: it is built from all of it', async () => {
    project = await demoProject();
    await writeFile(join(project.dir, 'sql/silver/customer_ids.sql'), '-- Every customer id ever fetched.\nSELECT DISTINCT _record:id::int AS customer_id FROM bronze.catalog_customers\n');
    expect((await runProject(project.settings, { pipelines: ['catalog'] })).ok).toBe(true);
    const { graph } = await loadProject(project.dir, project.settings.env);
    const counts = await withDatabase(project.settings, (w) =>
      applyRetention(w, graph, { keep: { bronze: 30 * DAY }, landingDir: project!.settings.landingDir, pipelines: ['catalog'], now: new Date(Date.now() + 400 * DAY * 1000) }),
    );
    expect(removed(counts, 'bronze.catalog_customers')).toEqual({ layer: 'bronze', table: 'bronze.catalog_customers', removed: 0, note: 'kept: silver.customer_ids is built from all of it' });
    expect(removed(counts, 'bronze.catalog_products')?.removed).toBeGreaterThan(0);
  });

  test('rejected rows and run history older than their days go, of the pipelines named only', async () => {
    project = await demoProject();
    await runProject(project.settings, { pipelines: ['catalog'], steps: ['ingest'] });
    await withDatabase(project.settings, async (w) => {
      for (const [pipeline, at] of [['catalog', '2025-01-01'], ['catalog', '2026-02-20'], ['retail_pos', '2025-01-01']]) {
        await w.execute(`INSERT INTO meta.rejected VALUES ('r', 'b', '${pipeline}', 'silver.x', 'h', NULL, 'bad', '{}', CAST('${at}' AS TIMESTAMP))`);
        await w.execute(`INSERT INTO meta.runs VALUES ('r_${at}', '${pipeline}', CAST('${at}' AS TIMESTAMP), NULL, 'success', NULL)`);
        await w.execute(`INSERT INTO meta.check_samples VALUES ('r', '${pipeline}', 'silver.x', 'c', 0, '{}', CAST('${at}' AS TIMESTAMP))`);
      }
      // A gold model's snapshot belongs to no pipeline: it goes with any pipeline's history.
      await w.execute("INSERT INTO meta.table_snapshots VALUES ('r', NULL, 'gold.x', 'gold', 1, NULL, NULL, NULL, CAST('2025-01-01' AS TIMESTAMP))");
    });
    const { graph } = await loadProject(project.dir, project.settings.env);
    const counts = await withDatabase(project.settings, (w) =>
      applyRetention(w, graph, { keep: { rejected: 30 * DAY, meta: 30 * DAY }, landingDir: project!.settings.landingDir, pipelines: ['catalog'], now: new Date('2026-03-01T00:00:00Z') }),
    );
    expect(counts.filter((c) => c.removed > 0)).toEqual([
      { layer: 'rejected', table: 'meta.rejected (silver.x)', removed: 1 },
      { layer: 'meta', table: 'meta.runs', removed: 1 },
      { layer: 'meta', table: 'meta.check_samples', removed: 1 },
      { layer: 'meta', table: 'meta.table_snapshots', removed: 1 },
    ]);
    await withDatabase(project.settings, async (w) => {
      expect(await w.query('SELECT pipeline, CAST(rejected_at AS DATE) AS d FROM meta.rejected ORDER BY 1, 2')).toEqual([
        { pipeline: 'catalog', d: '2026-02-20' }, { pipeline: 'retail_pos', d: '2025-01-01' },
      ]);
      expect(await count(w, "SELECT COUNT(*) AS n FROM meta.check_samples WHERE pipeline = 'catalog'")).toBe(1);
    });
  });

  test("landing files past retention.landing go at the start of each ingest, logged with their count", async () => {
    project = await demoProject();
    await writeFile(join(project.dir, 'dataops.yml'), 'retention:\n  landing: 40d\n');
    const old = join(project.settings.landingDir, 'source=catalog/resource=customers/dt=2025-01-01/hour=00');
    await mkdir(old, { recursive: true });
    for (const part of ['part-a-0001.jsonl', 'part-a-0002.jsonl']) await writeFile(join(old, part), '{"id":1}\n');
    // Older than the copy window (30d) but within retention.landing: kept.
    const recentDay = new Date(Date.now() - 35 * DAY * 1000).toISOString().slice(0, 10);
    const recent = join(project.settings.landingDir, `source=catalog/resource=customers/dt=${recentDay}/hour=00`);
    await mkdir(recent, { recursive: true });
    await writeFile(join(recent, 'part-b-0001.jsonl'), '{"id":1}\n');
    const settings = resolveSettings({ projectDir: project.dir, env: project.settings.env });
    expect(settings.retentionSeconds).toEqual({ landing: 40 * DAY });
    const lines: string[] = [];
    const run = await runProject(settings, { pipelines: ['catalog'], steps: ['ingest'], log: (line) => lines.push(line) });
    expect(run.ok).toBe(true);
    expect(lines).toContain('retention landing: landing/source=catalog: 2 files removed');
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
  });
});
