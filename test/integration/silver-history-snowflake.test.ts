// Silver history and deletion records on Snowflake (the real snowflake-sdk against fakesnow) give what they
// give on DuckDB: the same batches merged one by one into a table with history: scd2 and into one without,
// then rebuilt after a mapping change, leave the same rows and load records on both.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadPipeline } from '../../src/config/pipeline.js';
import type { Pipeline } from '../../src/config/types.js';
import { loadBronze } from '../../src/ingest/bronze.js';
import { buildSilver } from '../../src/models/silver.js';
import { rebuildSilver } from '../../src/models/silver-rebuild.js';
import { ensureMetaSchema } from '../../src/state/meta.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { DuckDBWarehouse } from '../../src/warehouse/duckdb.js';
import { snowflakeSettingsFromEnv, SnowflakeWarehouse } from '../../src/warehouse/snowflake.js';
import { fakesnowUnavailable, startFakesnow, type Fakesnow } from '../helpers/fakesnow.js';

const unavailable = fakesnowUnavailable();
if (unavailable) console.warn(`skipping the Snowflake silver history tests: ${unavailable}`);

const yamlFor = (normalize: string) => `
name: crm
source:
  kind: http
  base_url: http://127.0.0.1:1
  resources:
    people: { path: /people, deleted_when: { field: deleted, equals: true } }
silver:
  people_history:
    from: people
    key: [person_id]
    latest_by: updated_at
    history: scd2
    columns: &columns
      person_id:  { path: id, type: integer, required: true }
      city:       { path: city, type: string, normalize: [${normalize}] }
      updated_at: { path: updated_at, type: timestamp, required: true }
  people:
    from: people
    key: [person_id]
    latest_by: updated_at
    columns: *columns
`;

const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`;
const BATCHES = [
  [{ id: 1, city: 'oslo', updated_at: at(1) }, { id: 2, city: 'rome', updated_at: at(1) }, { id: 3, city: 'lima', updated_at: at(1) }],
  [{ id: 1, city: 'OSLO', updated_at: at(2) }, { id: 2, deleted: true, updated_at: at(2) }, { id: 3, city: 'Quito', updated_at: at(2) }, { id: 4 }],
  [{ id: 1, city: 'Bergen', updated_at: at(3) }, { id: 2, city: 'Rome', updated_at: at(4) }, { id: 3, deleted: true }, { id: 1, city: 'Paris', updated_at: at(2) }],
];

test('fakesnow can run here', (ctx) => {
  ctx.skip(!!unavailable, unavailable);
});

async function rowsOf(w: Warehouse) {
  const history = await w.query<Record<string, unknown>>(
    // A deletion without a time closes at its batch's fetch time: the clock's, so only said to be later.
    `SELECT person_id, city, CAST(valid_from AS VARCHAR) AS valid_from,
            CASE WHEN valid_to > CAST('2026-06-01' AS TIMESTAMP) THEN 'at fetch' ELSE CAST(valid_to AS VARCHAR) END AS valid_to, is_current
     FROM silver.people_history ORDER BY person_id, valid_from`,
  );
  const latest = await w.query<Record<string, unknown>>('SELECT person_id, city FROM silver.people ORDER BY person_id');
  const loads = await w.query<Record<string, unknown>>(
    'SELECT table_name, bronze, accepted, rejected, inserted, updated, deleted FROM meta.silver_loads ORDER BY table_name, loaded_at, batch_id',
  );
  const lower = (rows: Array<Record<string, unknown>>) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), typeof v === 'bigint' ? Number(v) : v])));
  return { history: lower(history), latest: lower(latest), loads: lower(loads) };
}

/** The batches loaded and merged one by one, then a rebuild after the mapping changed; the rows after each. */
async function build(w: Warehouse, dir: string) {
  const before = pipelineOf(yamlFor('trim'));
  await ensureMetaSchema(w);
  for (const [i, records] of BATCHES.entries()) {
    const runId = `run_${i + 1}`;
    await loadBronze(w, before, { resource: 'people', since: () => undefined, pages: async function* () { yield records; } }, { runId, landingDir: dir });
    await buildSilver(w, before, runId);
  }
  const merged = await rowsOf(w);
  const after = pipelineOf(yamlFor('upper'));
  for (const table of after.silver) await rebuildSilver(w, 'crm', table, 'run_rebuild');
  return { merged, rebuilt: await rowsOf(w) };
}

function pipelineOf(yaml: string): Pipeline {
  const loaded = loadPipeline('pipelines/crm.yml', yaml, {});
  expect(loaded.diagnostics).toEqual([]);
  return loaded.pipeline!;
}

describe.skipIf(!!unavailable)('silver history and deletes on Snowflake (fakesnow) and on DuckDB', () => {
  let fakesnow: Fakesnow;
  let dir: string;
  let snowflake: Awaited<ReturnType<typeof build>>;
  let duckdb: Awaited<ReturnType<typeof build>>;

  beforeAll(async () => {
    fakesnow = await startFakesnow();
    dir = await mkdtemp(join(tmpdir(), 'dataops-history-snowflake-'));
    const settings = snowflakeSettingsFromEnv({
      SNOWFLAKE_ACCESS_URL: fakesnow.accessUrl, SNOWFLAKE_ACCOUNT: 'fakesnow', SNOWFLAKE_USER: 'DATAOPS_CI', SNOWFLAKE_DATABASE: 'DATAOPS_HISTORY',
      SNOWFLAKE_WAREHOUSE: 'TRANSFORMING', SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN', SNOWFLAKE_TOKEN: 'pat-fakesnow-0b7a5f1c9e',
    });
    const sf = await SnowflakeWarehouse.open(settings, { retry: { baseDelayMs: 10 } });
    try {
      await sf.execute('CREATE DATABASE IF NOT EXISTS DATAOPS_HISTORY');
      snowflake = await build(sf, join(dir, 'snowflake'));
    } finally {
      await sf.close();
    }
    const duck = await DuckDBWarehouse.open(':memory:');
    try {
      duckdb = await build(duck, join(dir, 'duckdb'));
    } finally {
      await duck.close();
    }
  }, 300_000);

  afterAll(async () => {
    await fakesnow?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('merged batch by batch, the history, the latest rows and the load records are the same', () => {
    expect(duckdb.merged.history.map((r) => [r.person_id, r.city, r.is_current])).toEqual([
      [1, 'oslo', false], [1, 'OSLO', false], [1, 'Bergen', true], [2, 'rome', false], [2, 'Rome', true], [3, 'lima', false], [3, 'Quito', false],
    ]);
    expect(duckdb.merged.latest).toEqual([{ person_id: 1, city: 'Bergen' }, { person_id: 2, city: 'Rome' }]);
    for (const l of duckdb.merged.loads) expect(l.bronze).toBe(Number(l.accepted) + Number(l.rejected));
    expect(snowflake.merged).toEqual(duckdb.merged);
  });

  test('rebuilt after a mapping change, the same again', () => {
    // Upper-cased, oslo and OSLO are one version now, so the table knows person 1 only since day 1 when
    // Paris (day 2) comes in the third batch: it is a version now, as a run with this mapping would have kept it.
    expect(duckdb.rebuilt.history.map((r) => [r.person_id, r.city])).toEqual([[1, 'OSLO'], [1, 'PARIS'], [1, 'BERGEN'], [2, 'ROME'], [2, 'ROME'], [3, 'LIMA'], [3, 'QUITO']]);
    expect(snowflake.rebuilt).toEqual(duckdb.rebuilt);
  });
});
