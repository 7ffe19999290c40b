// Checks run on a real DuckDB file: thresholds as counts and percentages, the pattern and expression
// kinds, failing-row samples kept masked in meta.check_samples, and scope: new.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadPipeline } from '../../../src/config/pipeline.js';
import { formatDiagnostic } from '../../../src/errors.js';
import type { Pipeline } from '../../../src/config/types.js';
import { sensitiveColumnsOf } from '../../../src/governance/sensitive-fields.js';
import { runPipelineChecks } from '../../../src/quality/checks.js';
import { ensureMetaSchema } from '../../../src/state/meta.js';
import { DuckDBWarehouse } from '../../../src/warehouse/duckdb.js';
import { shopPipelineHead } from '../../fixtures/quality/shop-pipeline.js';

const HEAD = shopPipelineHead();

function pipelineWith(checks: string): Pipeline {
  const { pipeline, diagnostics } = loadPipeline('pipelines/shop.yml', HEAD + checks, {});
  expect(diagnostics.map(formatDiagnostic)).toEqual([]);
  return pipeline!;
}

let w: DuckDBWarehouse;
beforeEach(async () => {
  w = await DuckDBWarehouse.open(':memory:');
  await ensureMetaSchema(w);
  await w.execute(`CREATE TABLE silver.orders (id INTEGER, code VARCHAR, email VARCHAR, qty INTEGER, _batch_id VARCHAR, _record_hash VARCHAR, _loaded_at TIMESTAMP)`);
  // 200 rows: 2 with a bad code (1%), one with a negative quantity.
  await w.execute(`INSERT INTO silver.orders SELECT i, CASE WHEN i <= 2 THEN 'bad-' || i ELSE 'OR-' || lpad(i::VARCHAR, 4, '0') END,
    'user' || i || '@example.com', CASE WHEN i = 7 THEN -1 ELSE i END, 'b1', '', now() FROM range(1, 201) AS t(i)`);
});
afterEach(() => w.close());

const run = (p: Pipeline, runId = 'run_1') => runPipelineChecks(w, p, { runId, sensitive: (t) => sensitiveColumnsOf([p], t) });

describe('thresholds', () => {
  test.each([
    // 2 failing rows of 200 = 1%.
    ['error_if: "> 1%"', 'pass', ': within error_if > 1%'],
    ['error_if: ">= 1%"', 'fail', ': error_if >= 1%'],
    ['error_if: "> 5"\n      warn_if: "> 0"', 'warn', ': within error_if > 5'],
    ['error_if: "> 1"', 'fail', ': error_if > 1'],
    ['warn_if: "> 0.5%"', 'warn', ': warn_if > 0.5%'],
    ['warn_if: "> 5%"', 'pass', ': within warn_if > 5%'],
    ['severity: warn', 'warn', ''],
    ['severity: error', 'fail', ''],
  ])('%s -> %s', async (levels, status, verdict) => {
    const p = pipelineWith(`    - pattern: { column: code, regex: "OR-[0-9]{4}" }\n      ${levels}\n`);
    const [o] = await run(p);
    expect(o).toMatchObject({ status, failing_rows: 2, table_rows: 200 });
    expect(o.message).toBe(`2 failing rows of 200 (1%)${verdict}; e.g. code = "bad-1", "bad-2"`);
  });

  test.each([
    ['error_if: "1%"', 'checks.silver.orders[0].error_if: "1%" is not a threshold: expected a comparison'],
    ['warn_if: "> lots"', 'checks.silver.orders[0].warn_if: "> lots" is not a threshold'],
    ['error_if: "> 101%"', 'checks.silver.orders[0].error_if: "> 101%": a percentage is at most 100%'],
    ['severity: warn\n      error_if: "> 0"', 'checks.silver.orders[0].error_if: a check with severity: warn never fails the run'],
  ])('%s is refused at its line', (levels, message) => {
    const { diagnostics } = loadPipeline('pipelines/shop.yml', `${HEAD}    - not_null: id\n      ${levels}\n`, {});
    const text = diagnostics.map(formatDiagnostic);
    expect(text).toHaveLength(1);
    expect(text[0]).toMatch(/^pipelines\/shop\.yml:(19|20):\d+: /);
    expect(text[0]).toContain(message);
  });

  test('run twice, with more bad rows the second time: the percentage crosses error_if', async () => {
    const p = pipelineWith('    - pattern: { column: code, regex: "OR-[0-9]{4}" }\n      error_if: "> 2%"\n      warn_if: "> 0"\n');
    expect((await run(p, 'run_1'))[0]).toMatchObject({ status: 'warn', failing_rows: 2 });
    await w.execute(`UPDATE silver.orders SET code = 'x' WHERE id BETWEEN 3 AND 6`);
    expect((await run(p, 'run_2'))[0]).toMatchObject({ status: 'fail', failing_rows: 6, message: expect.stringMatching(/^6 failing rows of 200 \(3%\): error_if > 2%/) });
    expect(await w.query('SELECT run_id, status, failing_rows, table_rows FROM meta.check_results ORDER BY run_id')).toEqual([
      { run_id: 'run_1', status: 'warn', failing_rows: 2, table_rows: 200 },
      { run_id: 'run_2', status: 'fail', failing_rows: 6, table_rows: 200 },
    ]);
  });
});

describe('kinds', () => {
  test.each([
    // Anchored at both ends, as Snowflake's REGEXP_LIKE: "OR-00" alone does not match "OR-0001".
    ['pattern: { column: code, regex: "OR-00" }', 200],
    ['pattern: { column: code, regex: "(OR|bad)-.*" }', 0],
    ["pattern: { column: code, regex: 'OR-\\d{4}' }", 2],
    ['expression: "qty >= 0"', 1],
    ["expression: \"IFF(qty > 100, code LIKE 'OR-%', TRUE)\"", 0],
  ])('%s', async (check, failing) => {
    const [o] = await run(pipelineWith(`    - ${check}\n      severity: warn\n`));
    expect(o.message).not.toContain('could not run');
    expect(o.failing_rows).toBe(failing);
  });

  test('an expression that does not translate cannot run, and says why', async () => {
    const [o] = await run(pipelineWith('    - expression: "qty REGEXP \'x\'"\n'));
    expect(o.status).toBe('error');
    expect(o.message).toMatch(/^could not run: the REGEXP operator is not supported/);
  });
});

describe('samples', () => {
  test('kept per run and check, sensitive columns masked, at most `samples` rows; the count is of all failing rows', async () => {
    const p = pipelineWith('    - pattern: { column: code, regex: "OR-[0-9]{4}" }\n      severity: warn\n      samples: 1\n    - expression: "qty >= 0"\n');
    const outcomes = await run(p);
    expect(outcomes.map((o) => [o.failing_rows, o.samples.length])).toEqual([[2, 1], [1, 1]]);
    expect(outcomes[1].samples[0]).toMatchObject({ id: 7, email: '••••', qty: -1 });
    const kept = await w.query<{ check_name: string; sample_row: string }>('SELECT check_name, sample_row FROM meta.check_samples ORDER BY check_name');
    expect(kept.map((k) => k.check_name)).toEqual(['expression(qty >= 0)', 'pattern(code ~ OR-[0-9]{4})']);
    expect(kept.map((k) => k.sample_row).join()).not.toContain('@example.com');
  });

  test('a long value is kept clipped', async () => {
    await w.execute(`UPDATE silver.orders SET code = repeat('x', 5000) WHERE id = 7`);
    const [o] = await run(pipelineWith('    - expression: "qty >= 0"\n'));
    expect(o.samples[0].code).toBe(`${'x'.repeat(500)}…`);
  });

  test('samples: 0 keeps none but still counts', async () => {
    const [o] = await run(pipelineWith('    - expression: "qty >= 0"\n      samples: 0\n'));
    expect(o).toMatchObject({ failing_rows: 1, samples: [] });
    expect(await w.query('SELECT * FROM meta.check_samples')).toEqual([]);
  });
});

describe('scope: new', () => {
  test("looks only at the rows of the run's batches", async () => {
    await w.execute(`INSERT INTO meta.batches (batch_id, run_id, pipeline, resource) VALUES ('b1', 'run_1', 'shop', 'orders'), ('b2', 'run_2', 'shop', 'orders')`);
    await w.execute(`UPDATE silver.orders SET _batch_id = 'b2' WHERE id > 190`);
    const p = pipelineWith('    - expression: "qty >= 0"\n      scope: new\n');
    expect((await run(p, 'run_2'))[0]).toMatchObject({ status: 'pass', failing_rows: 0, table_rows: 10 });
    expect((await run(p, 'run_1'))[0]).toMatchObject({ status: 'fail', failing_rows: 1, table_rows: 190, message: expect.stringMatching(/^1 failing row of 190 new/) });
  });

  test('is refused on a table-level check and on a table not loaded by batch', () => {
    const text = loadPipeline('pipelines/shop.yml', `${HEAD}    - unique: id\n      scope: new\n  gold.totals:\n    - not_null: id\n      scope: new\n`, {}).diagnostics.map(formatDiagnostic);
    expect(text).toEqual([
      expect.stringMatching(/^pipelines\/shop\.yml:19:14: checks\.silver\.orders\[0\]\.scope: "new" applies to row-level checks .*; unique looks at the whole table$/),
      expect.stringMatching(/^pipelines\/shop\.yml:22:14: checks\.gold\.totals\[0\]\.scope: "new" needs a table this pipeline's mapping loads by batch \(silver\.orders\); gold\.totals is not one$/),
    ]);
  });
});
