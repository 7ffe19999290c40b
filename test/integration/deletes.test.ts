// Deletes and history end to end. A deletion record dropped in a file reaches an incremental gold model
// even when the deleted row is older than the model's window; the demo's customers keep the old version
// after a late update, its leaver is closed, and the checks and conservation still hold.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { projectTablesToDiff } from '../../src/diff/project-diff.js';
import { resolveSettings, runProject, type Settings } from '../../src/engine.js';
import { loadProject } from '../../src/project.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const PIPELINE = `# yaml-language-server: $schema=../schemas/pipeline.schema.json
name: crm
source:
  kind: files
  path: drop
  resources:
    people: { files: "people/*.jsonl", deleted_when: { field: status, equals: deleted } }
silver:
  people:
    from: people
    key: [person_id]
    latest_by: updated_at
    columns:
      person_id:  { path: id, type: integer, required: true }
      name:       { path: name, type: string, required: true }
      updated_at: { path: updated_at, type: timestamp, required: true }
`;

const MODEL = `-- materialized: incremental
-- unique_key: [person_id]
-- time_column: updated_at
-- lookback: 1 day
SELECT person_id, name, updated_at FROM silver.people
`;

describe('a deletion reaches an incremental model', () => {
  let dir: string;
  let settings: Settings;
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  };
  const lines = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

  test('whose row is older than the window the model recomputes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dataops-deletes-'));
    await write('pipelines/crm.yml', PIPELINE);
    await write('sql/gold/people.sql', MODEL);
    settings = resolveSettings({ projectDir: dir, env: {} });
    await write('drop/people/1.jsonl', lines([
      { id: 1, name: 'Ann', updated_at: '2026-01-01T00:00:00Z' },
      { id: 2, name: 'Bo', updated_at: '2026-01-02T00:00:00Z' },
    ]));
    expect((await runProject(settings, { steps: ['ingest', 'transform'] })).ok).toBe(true);
    // Ann is deleted (a record with only the key and the flag) and Cy arrives ten days later: the
    // model's window starts nine days after Ann's row, so a window merge alone would keep her.
    await write('drop/people/2.jsonl', lines([
      { id: 1, status: 'deleted' },
      { id: 3, name: 'Cy', updated_at: '2026-01-12T00:00:00Z' },
    ]));
    const second = await runProject(settings, { steps: ['ingest', 'transform'] });
    expect(second.ok).toBe(true);
    expect(second.pipelines[0].silverLoads.map((l) => [l.accepted, l.rejected, l.deleted])).toEqual([[2, 0, 1]]);
    await withDatabase(settings, async (w) => {
      expect(await w.query('SELECT person_id FROM silver.people ORDER BY 1')).toEqual([{ person_id: 2 }, { person_id: 3 }]);
      expect(await w.query('SELECT person_id FROM gold.people ORDER BY 1')).toEqual([{ person_id: 2 }, { person_id: 3 }]);
    });
    expect(second.tableChanges.find((c) => c.table === 'gold.people')?.reasons).toEqual(['rows deleted in silver.people: built again from all of its inputs']);
  }, 60_000);
});

describe('the demo', () => {
  let project: DemoProject | undefined;
  afterEach(async () => {
    await project?.close();
    project = undefined;
  });

  test('customers keep the version a late update replaced, the leaver is closed, and the checks pass', async () => {
    project = await demoProject(new Date('2026-11-20T12:30:00Z'));
    const run = await runProject(project.settings, { pipelines: ['catalog'], steps: ['ingest', 'transform', 'check'] });
    expect(run.ok).toBe(true);
    const catalog = run.pipelines.find((p) => p.pipeline === 'catalog')!;
    const customerChecks = catalog.checks.filter((c) => c.table === 'silver.customers');
    expect(customerChecks.map((c) => c.check)).toContain('unique(customer_id)');
    // The unique key holds among current rows; the demo's missing emails still only warn.
    expect(customerChecks.filter((c) => c.status === 'fail' || c.status === 'error')).toEqual([]);
    expect(customerChecks.find((c) => c.check === 'unique(customer_id)')?.status).toBe('pass');
    await withDatabase(project.settings, async (w) => {
      // Two customers moved after their first version; both versions are kept, the old one closed.
      const moved = await w.query<{ customer_id: number; versions: number; closed: number }>(
        `SELECT customer_id, COUNT(*) AS versions, COUNT_IF(NOT is_current) AS closed FROM silver.customers
         GROUP BY customer_id HAVING COUNT(*) > 1 ORDER BY customer_id`,
      );
      expect(moved.filter((m) => m.customer_id !== 301)).toHaveLength(2);
      for (const m of moved) expect(m).toMatchObject({ versions: 2, closed: 1 });
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.customers WHERE is_current AND valid_to IS NOT NULL')).toBe(0);
      expect(await count(w, `SELECT COUNT(*) AS n FROM silver.customers o JOIN silver.customers c USING (customer_id)
                             WHERE NOT o.is_current AND c.is_current AND o.valid_to <> c.valid_from`)).toBe(0);
      // The leaver: one version, closed by the deletion record.
      expect(await w.query('SELECT is_current, valid_to IS NOT NULL AS closed FROM silver.customers WHERE customer_id = 301')).toEqual([{ is_current: false, closed: true }]);
      // The dimension holds the current customers only, once each.
      expect(await count(w, 'SELECT COUNT(*) AS n FROM gold.dim_customer')).toBe(await count(w, 'SELECT COUNT(*) AS n FROM silver.customers WHERE is_current'));
      expect(await count(w, 'SELECT COUNT(*) AS n FROM gold.dim_customer WHERE customer_id = 301')).toBe(0);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM meta.silver_loads WHERE bronze <> accepted + rejected')).toBe(0);
    });
    // A pull request's diff names a version by its key and valid_from.
    const tables = projectTablesToDiff(await loadProject(project.dir, project.settings.env));
    expect(tables.find((t) => t.table === 'silver.customers')?.key).toEqual(['customer_id', 'valid_from']);
  }, 120_000);
});
