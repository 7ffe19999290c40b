// The checks' SQL on Snowflake (the real snowflake-sdk against fakesnow) gives what it gives on DuckDB,
// where it is translated: the same rows in both, the same failing rows, counts, table sizes and samples.
// Regular expressions keep Snowflake's anchored REGEXP_LIKE and its backslash escapes on both.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadPipeline } from '../../src/config/pipeline.js';
import { sensitiveColumnsOf } from '../../src/governance/sensitive-fields.js';
import { runPipelineChecks, type CheckOutcome } from '../../src/quality/checks.js';
import { ensureMetaSchema } from '../../src/state/meta.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { DuckDBWarehouse } from '../../src/warehouse/duckdb.js';
import { openSnowflakeFromEnv } from '../../src/warehouse/snowflake.js';
import { fakesnowUnavailable, startFakesnow, type Fakesnow } from '../helpers/fakesnow.js';
import { shopPipelineHead } from '../fixtures/quality/shop-pipeline.js';

const unavailable = fakesnowUnavailable();
if (unavailable) console.warn(`skipping the Snowflake checks tests: ${unavailable}`);

test('fakesnow can run here', (ctx) => {
  ctx.skip(!!unavailable, unavailable);
});

const PIPELINE = `${shopPipelineHead({ emailMask: 'partial' })}    - pattern: { column: code, regex: 'OR-\\d{4}' }
      error_if: "> 10%"
      warn_if: "> 0"
    - pattern: { column: code, regex: "OR-00" }
      severity: warn
    - expression: "IFF(qty > 100, code LIKE 'OR-%', qty >= 0)"
    - accepted_values: { column: code, values: ["O'Brien", 'OR-0003'] }
      severity: warn
      samples: 2
    - expression: "qty >= 0"
      scope: new
`;

async function checksOn(w: Warehouse): Promise<CheckOutcome[]> {
  const { pipeline } = loadPipeline('pipelines/shop.yml', PIPELINE, {});
  await ensureMetaSchema(w);
  await w.execute('CREATE TABLE silver.orders (id INTEGER, code VARCHAR, email VARCHAR, qty INTEGER, _batch_id VARCHAR, _record_hash VARCHAR)');
  await w.execute(`INSERT INTO silver.orders VALUES
    (1, 'OR-0001', 'ann@example.com', 5, 'b1', ''), (2, 'OR-12', 'bob@example.com', -2, 'b1', ''), (3, 'xOR-0003', NULL, 500, 'b2', ''),
    (4, 'O''Brien', 'cy@example.com', 7, 'b2', ''), (5, NULL, NULL, NULL, 'b2', ''), (6, 'OR-0003', 'di@example.com', -1, 'b2', '')`);
  await w.execute(`INSERT INTO meta.batches (batch_id, run_id, pipeline, resource) VALUES ('b2', 'run_2', 'shop', 'orders')`);
  const outcomes = await runPipelineChecks(w, pipeline!, { runId: 'run_2', sensitive: (t) => sensitiveColumnsOf([pipeline!], t) });
  return outcomes.map((o) => ({ ...o, sql: '', samples: [...o.samples].sort((a, b) => Number(a.id) - Number(b.id)) }));
}

describe.skipIf(!!unavailable)('checks on Snowflake (fakesnow) and on DuckDB', () => {
  let fakesnow: Fakesnow;
  let snowflake: CheckOutcome[];
  let duckdb: CheckOutcome[];

  beforeAll(async () => {
    fakesnow = await startFakesnow();
    const env = {
      SNOWFLAKE_ACCESS_URL: fakesnow.accessUrl, SNOWFLAKE_ACCOUNT: 'fakesnow', SNOWFLAKE_USER: 'DATAOPS_CI', SNOWFLAKE_WAREHOUSE: 'TRANSFORMING',
      SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN', SNOWFLAKE_TOKEN: 'pat-fakesnow-checks',
    };
    const setup = await openSnowflakeFromEnv({ ...env, SNOWFLAKE_DATABASE: 'FAKESNOW' });
    try {
      await setup.execute('CREATE DATABASE IF NOT EXISTS DATAOPS_CHECKS');
    } finally {
      await setup.close();
    }
    const sf = await openSnowflakeFromEnv({ ...env, SNOWFLAKE_DATABASE: 'DATAOPS_CHECKS' });
    try {
      snowflake = await checksOn(sf);
    } finally {
      await sf.close();
    }
    const db = await DuckDBWarehouse.open(':memory:');
    try {
      duckdb = await checksOn(db);
    } finally {
      await db.close();
    }
  }, 300_000);

  afterAll(async () => {
    await fakesnow?.stop();
  });

  test('the same failing rows, statuses and samples on both', () => {
    expect(duckdb.map((o) => [o.check, o.status, o.failing_rows, o.table_rows])).toEqual([
      // Anchored: xOR-0003 and OR-12 fail; NULL passes.
      ['pattern(code ~ OR-\\d{4})', 'fail', 3, 6],
      ['pattern(code ~ OR-00)', 'warn', 5, 6],
      ["expression(IFF(qty > 100, code LIKE 'OR-%', qty >= 0))", 'fail', 3, 6],
      ['accepted_values(code)', 'warn', 3, 6],
      ['expression(qty >= 0)', 'fail', 1, 4],
    ]);
    expect(duckdb.every((o) => !o.message.startsWith('could not run'))).toBe(true);
    expect(duckdb[3].samples).toHaveLength(2);
    expect(duckdb[0].samples.map((s) => s.email)).toEqual(['••••@example.com', null, '••••@example.com']);
    expect(snowflake).toEqual(duckdb);
  });
});
