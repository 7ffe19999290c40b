// Silver history (history: scd2) and deletion records (deleted_when), on the real DuckDB: versions kept
// and closed, unchanged and late records touching nothing, deletes removing or closing keys, a rebuild
// after a mapping change giving the history the runs would have written, and every batch conserved.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadPipeline } from '../../../src/config/pipeline.js';
import type { Pipeline } from '../../../src/config/types.js';
import { loadBronze } from '../../../src/ingest/bronze.js';
import { buildSilver, mergeSilver, type SilverLoad } from '../../../src/models/silver.js';
import { rebuildSilver } from '../../../src/models/silver-rebuild.js';
import { ensureMetaSchema } from '../../../src/state/meta.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';

const yamlFor = (options: { history?: boolean; cityNormalize?: string } = {}) => `
name: crm
source:
  kind: http
  base_url: http://127.0.0.1:1
  resources:
    people: { path: /people, deleted_when: { field: deleted, equals: true } }
silver:
  people:
    from: people
    key: [person_id]
    latest_by: updated_at
    ${options.history === false ? '' : 'history: scd2'}
    columns:
      person_id:  { path: id, type: integer, required: true }
      city:       { path: city, type: string, normalize: [${options.cityNormalize ?? 'trim'}] }
      tier:       { path: tier, type: string, required: true }
      updated_at: { path: updated_at, type: timestamp, required: true }
`;

let dir: string;
let warehouse: DuckDBWarehouse;
let runs = 0;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataops-history-'));
  warehouse = await DuckDBWarehouse.open(':memory:');
  await ensureMetaSchema(warehouse);
});
afterEach(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

function pipelineOf(yaml: string): Pipeline {
  const loaded = loadPipeline('pipelines/crm.yml', yaml, {});
  expect(loaded.diagnostics).toEqual([]);
  return loaded.pipeline!;
}

/** One fetch of `records` into bronze, then silver built; every batch must be conserved. */
async function load(pipeline: Pipeline, records: unknown[]): Promise<SilverLoad> {
  const runId = `run_${++runs}`;
  await loadBronze(warehouse, pipeline, { resource: 'people', since: () => undefined, pages: async function* () { yield records; } }, { runId, landingDir: dir });
  const loads = await buildSilver(warehouse, pipeline, runId);
  for (const l of loads) expect(l.bronze, `batch ${l.batchId}`).toBe(l.accepted + l.rejected);
  return loads[0];
}

const history = () =>
  warehouse.query(
    `SELECT person_id, city, tier, CAST(valid_from AS VARCHAR) AS valid_from, CAST(valid_to AS VARCHAR) AS valid_to, is_current
     FROM silver.people ORDER BY person_id, valid_from`,
  );

const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`;
const shown = (day: number) => `2026-01-${String(day).padStart(2, '0')} 00:00:00`;

describe('history: scd2', () => {
  test('a changed record closes the old version and opens a new one; both are kept', async () => {
    const p = pipelineOf(yamlFor());
    expect(await load(p, [{ id: 1, city: 'Oslo', tier: 'gold', updated_at: at(1) }, { id: 2, city: 'Rome', tier: 'silver', updated_at: at(1) }])).toMatchObject({ inserted: 2, updated: 0 });
    expect(await load(p, [{ id: 1, city: 'Bergen', tier: 'gold', updated_at: at(5) }])).toMatchObject({ accepted: 1, inserted: 1, updated: 1 });
    expect(await history()).toEqual([
      { person_id: 1, city: 'Oslo', tier: 'gold', valid_from: shown(1), valid_to: shown(5), is_current: false },
      { person_id: 1, city: 'Bergen', tier: 'gold', valid_from: shown(5), valid_to: null, is_current: true },
      { person_id: 2, city: 'Rome', tier: 'silver', valid_from: shown(1), valid_to: null, is_current: true },
    ]);
  });

  test('several versions of a key in one batch are kept in latest_by order', async () => {
    const p = pipelineOf(yamlFor());
    await load(p, [
      { id: 1, city: 'C', tier: 'gold', updated_at: at(3) },
      { id: 1, city: 'A', tier: 'gold', updated_at: at(1) },
      { id: 1, city: 'B', tier: 'gold', updated_at: at(2) },
    ]);
    expect((await history()).map((r) => [r.city, r.valid_to, r.is_current])).toEqual([['A', shown(2), false], ['B', shown(3), false], ['C', null, true]]);
  });

  // Each case: what a second batch brings for person 1 (current: Oslo, gold, since day 5); nothing may change.
  test.each([
    ['the same record again (another field the mapping does not read differs, so bronze keeps it)', { id: 1, city: 'Oslo', tier: 'gold', updated_at: at(5), note: 'x' }],
    ['the same values with a later latest_by', { id: 1, city: ' Oslo ', tier: 'gold', updated_at: at(9) }],
    ['an older version come late', { id: 1, city: 'Paris', tier: 'bronze', updated_at: at(3) }],
    ['a deletion older than the current version', { id: 1, deleted: true, updated_at: at(4) }],
    ['a deletion of a key never seen', { id: 9, deleted: true, updated_at: at(9) }],
  ])('%s changes nothing', async (_name, record) => {
    const p = pipelineOf(yamlFor());
    await load(p, [{ id: 1, city: 'Oslo', tier: 'gold', updated_at: at(5) }]);
    const before = await warehouse.query('SELECT * FROM silver.people');
    const second = await load(p, [record]);
    expect(second).toMatchObject({ bronze: 1, accepted: 1, inserted: 0, updated: 0, deleted: 0 });
    expect(await warehouse.query('SELECT * FROM silver.people')).toEqual(before);
  });

  test('a deletion closes the key at its time; a later version opens it again; a re-sent older version does not', async () => {
    const p = pipelineOf(yamlFor());
    await load(p, [{ id: 1, city: 'Oslo', tier: 'gold', updated_at: at(1) }]);
    // A deletion record carries only the key (and a time): its other fields are not checked.
    expect(await load(p, [{ id: 1, deleted: true, updated_at: at(4) }])).toMatchObject({ accepted: 1, rejected: 0, inserted: 0, updated: 1, deleted: 1 });
    expect(await warehouse.query('SELECT count(*) AS n FROM silver.people WHERE is_current')).toEqual([{ n: 0 }]);
    expect(await load(p, [{ id: 1, city: 'Oslo', tier: 'gold', updated_at: at(2) }])).toMatchObject({ inserted: 0, updated: 0 });
    expect(await load(p, [{ id: 1, city: 'Lima', tier: 'gold', updated_at: at(6) }])).toMatchObject({ inserted: 1 });
    expect((await history()).map((r) => [r.city, r.valid_from, r.valid_to, r.is_current])).toEqual([
      ['Oslo', shown(1), shown(4), false],
      ['Lima', shown(6), null, true],
    ]);
  });

  test('a deletion record without a key is rejected, so the batch stays conserved', async () => {
    const p = pipelineOf(yamlFor());
    expect(await load(p, [{ deleted: true, updated_at: at(4) }])).toMatchObject({ bronze: 1, accepted: 0, rejected: 1 });
    expect(await warehouse.query("SELECT reasons FROM meta.rejected WHERE table_name = 'silver.people'")).toEqual([{ reasons: 'missing_required:person_id' }]);
  });

  test('a mapping change then a rebuild gives the history the runs would have written with the new mapping', async () => {
    const before = pipelineOf(yamlFor());
    const batches = [
      [{ id: 1, city: 'oslo', tier: 'gold', updated_at: at(1) }, { id: 2, city: 'rome', tier: 'silver', updated_at: at(1) }],
      [{ id: 1, city: 'OSLO', tier: 'gold', updated_at: at(2) }, { id: 2, deleted: true, updated_at: at(2) }, { id: 3, tier: 'x' }],
      [{ id: 1, city: 'Bergen', tier: 'gold', updated_at: at(3) }, { id: 2, city: 'Rome', tier: 'gold', updated_at: at(4) }],
    ];
    for (const records of batches) await load(before, records);
    // Upper-cased, oslo and OSLO are one version now: the rebuild must merge them.
    const after = pipelineOf(yamlFor({ cityNormalize: 'upper' }));
    const rebuilt = await rebuildSilver(warehouse, 'crm', after.silver[0], 'run_rebuild');
    for (const l of rebuilt) expect(l.bronze).toBe(l.accepted + l.rejected);
    expect(rebuilt.map((l) => l.rejected)).toEqual([0, 1, 0]);
    const fromRebuild = await history();
    expect(fromRebuild.map((r) => [r.person_id, r.city, r.valid_to === null])).toEqual([
      [1, 'OSLO', false], [1, 'BERGEN', true], [2, 'ROME', false], [2, 'ROME', true],
    ]);
    // The same bronze merged batch by batch with the new mapping, from nothing.
    await warehouse.execute('DROP TABLE silver.people');
    await warehouse.execute("DELETE FROM meta.silver_loads WHERE table_name = 'silver.people'");
    const merged = await mergeSilver(warehouse, 'crm', after.silver[0], 'run_again');
    expect(await history()).toEqual(fromRebuild);
    expect(merged.map(({ inserted, updated, deleted }) => ({ inserted, updated, deleted }))).toEqual(rebuilt.map(({ inserted, updated, deleted }) => ({ inserted, updated, deleted })));
  });

  test('a DELETE by key removes every version', async () => {
    const p = pipelineOf(yamlFor());
    await load(p, [{ id: 1, city: 'A', tier: 'gold', updated_at: at(1) }, { id: 1, city: 'B', tier: 'gold', updated_at: at(2) }]);
    await warehouse.execute('DELETE FROM silver.people WHERE person_id = 1');
    expect(await history()).toEqual([]);
  });
});

describe('deletes without history', () => {
  test('a deletion record removes its key when it is at least as new as the row; an older one does not', async () => {
    const p = pipelineOf(yamlFor({ history: false }));
    await load(p, [{ id: 1, city: 'Oslo', tier: 'gold', updated_at: at(5) }, { id: 2, city: 'Rome', tier: 'gold', updated_at: at(5) }]);
    expect(await load(p, [{ id: 1, deleted: true, updated_at: at(4) }])).toMatchObject({ deleted: 0 });
    expect(await load(p, [{ id: 1, deleted: true, updated_at: at(6) }, { id: 2, deleted: true }])).toMatchObject({ accepted: 2, deleted: 2 });
    expect(await warehouse.query('SELECT person_id FROM silver.people')).toEqual([]);
  });

  test('within a batch, the latest of a version and a deletion wins', async () => {
    const p = pipelineOf(yamlFor({ history: false }));
    await load(p, [
      { id: 1, city: 'Oslo', tier: 'gold', updated_at: at(1) }, { id: 1, deleted: true, updated_at: at(2) },
      { id: 2, deleted: true, updated_at: at(1) }, { id: 2, city: 'Rome', tier: 'gold', updated_at: at(2) },
    ]);
    expect(await warehouse.query('SELECT person_id, city FROM silver.people')).toEqual([{ person_id: 2, city: 'Rome' }]);
  });

  test('a rebuild replays the deletions in order', async () => {
    const p = pipelineOf(yamlFor({ history: false }));
    await load(p, [{ id: 1, city: 'Oslo', tier: 'gold', updated_at: at(1) }, { id: 2, city: 'Rome', tier: 'gold', updated_at: at(1) }]);
    await load(p, [{ id: 1, deleted: true, updated_at: at(2) }]);
    const rebuilt = await rebuildSilver(warehouse, 'crm', pipelineOf(yamlFor({ history: false, cityNormalize: 'upper' })).silver[0], 'run_rebuild');
    expect(rebuilt.map((l) => l.deleted)).toEqual([0, 1]);
    expect(await warehouse.query('SELECT person_id, city FROM silver.people')).toEqual([{ person_id: 2, city: 'ROME' }]);
  });
});
