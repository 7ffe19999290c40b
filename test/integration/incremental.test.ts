// Incremental models give the same tables as full rebuilds: hour after hour of new sales and refunds that
// arrive up to two days late, the demo's incremental fact and aggregate are compared with their SELECT run
// over everything.
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, expect, test } from 'vitest';
import { runProject } from '../../src/engine.js';
import { translateModel } from '../../src/models/gold.js';
import { planTables } from '../../src/models/plan.js';
import { loadProject } from '../../src/project.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
const HOUR = 3_600_000;

let project: DemoProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

/** Rows in one and not the other, both ways (as multisets). */
async function difference(p: DemoProject, model: string): Promise<number> {
  const { models } = await loadProject(p.dir, p.settings.env);
  const found = models.find((m) => m.name === model)!;
  return withDatabase(p.settings, async (w) => {
    const select = translateModel(w, found);
    return count(w, `SELECT COUNT(*) AS n FROM ((SELECT * FROM ${model} EXCEPT ALL SELECT * FROM (${select}\n)) UNION ALL (SELECT * FROM (${select}\n) EXCEPT ALL SELECT * FROM ${model}))`);
  });
}

test('after many runs with late refunds, the incremental fact and aggregate equal their full SELECT', async () => {
  project = await demoProject(ANCHOR);
  await runProject(project.settings, { steps: ['ingest', 'transform'] });
  let updatedRuns = 0;
  for (let hours = 5; hours <= 100; hours += 5) {
    await project.moveTo(new Date(ANCHOR.getTime() + hours * HOUR));
    const run = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'] });
    expect(run.ok).toBe(true);
    const fact = run.tableChanges.find((c) => c.table === 'gold.fact_sales');
    if (fact?.action === 'update') updatedRuns++;
  }
  // Each run brought new sales, merged as a window, not rebuilt.
  expect(updatedRuns).toBe(20);
  await withDatabase(project.settings, async (w) => {
    // Late refunds did reach the fact: sales refunded hours after they were made.
    expect(await count(w, "SELECT COUNT(*) AS n FROM gold.fact_sales f JOIN silver.transactions t USING (transaction_id) WHERE f.status = 'refunded' AND t.updated_at > t.sold_at + INTERVAL 1 HOUR")).toBeGreaterThan(0);
    expect(await count(w, 'SELECT COUNT(*) AS n FROM (SELECT transaction_id, line_no FROM gold.fact_sales GROUP BY ALL HAVING COUNT(*) > 1)')).toBe(0);
  });
  expect(await difference(project, 'gold.fact_sales')).toBe(0);
  expect(await difference(project, 'gold.daily_sales_summary')).toBe(0);
}, 180_000);

async function edit(p: DemoProject, file: string, from: string, to: string): Promise<void> {
  const path = `${p.dir}/${file}`;
  const text = await readFile(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
  await writeFile(path, text.replace(from, to));
}

test('a breaking change upstream reaches every row of the incremental models, not only their window', async () => {
  project = await demoProject(ANCHOR);
  await runProject(project.settings, { steps: ['ingest', 'transform'] });
  await project.moveTo(new Date(ANCHOR.getTime() + 5 * HOUR));
  await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'] });
  const p = project;
  const old = "sold_at < (SELECT MAX(sold_at) - INTERVAL 3 DAY FROM gold.fact_sales)";
  await withDatabase(p.settings, async (w) => {
    // Rows the change must reach lie before the 3-day window that an hourly run merges.
    expect(await count(w, `SELECT COUNT(*) AS n FROM gold.fact_sales WHERE discount > 1 AND ${old}`)).toBeGreaterThan(50);
  });

  // A stricter rule on a silver column (lines with a discount over 1 are rejected), and a gold dimension
  // that the incremental summary reads, changed in the same branch.
  await edit(p, 'pipelines/retail_pos.yml', 'discount:       { path: discount, type: "decimal(12,2)", min: 0 }', 'discount:       { path: discount, type: "decimal(12,2)", min: 0, max: 1 }');
  await edit(p, 'sql/gold/dim_store.sql', '    region,', '    UPPER(region) AS region,');
  const planned = await withDatabase(p.settings, async (w) => planTables(w, (await loadProject(p.dir, p.settings.env)).graph));
  expect(planned.find((t) => t.table === 'gold.fact_sales')?.reasons).toContain('silver.transaction_lines rebuilt whole: built again from all of its inputs');
  expect(planned.find((t) => t.table === 'gold.daily_sales_summary')?.reasons).toContain('gold.fact_sales, gold.dim_store rebuilt whole: built again from all of its inputs');

  const run = await runProject(p.settings, { pipelines: ['retail_pos', 'stores'], steps: ['transform'] });
  expect(run.ok).toBe(true);
  expect(run.tableChanges.find((c) => c.table === 'gold.fact_sales')).toMatchObject({ action: 'update', reasons: ['silver.transaction_lines rebuilt whole: built again from all of its inputs'] });
  expect(run.tableChanges.find((c) => c.table === 'gold.daily_sales_summary')).toMatchObject({ action: 'update', reasons: ['gold.fact_sales, gold.dim_store rebuilt whole: built again from all of its inputs'] });
  await withDatabase(p.settings, async (w) => {
    expect(await count(w, 'SELECT COUNT(*) AS n FROM gold.fact_sales WHERE discount > 1')).toBe(0);
    expect(await count(w, `SELECT COUNT(*) AS n FROM gold.daily_sales_summary WHERE region <> UPPER(region)`)).toBe(0);
  });
  expect(await difference(p, 'gold.fact_sales')).toBe(0);
  expect(await difference(p, 'gold.daily_sales_summary')).toBe(0);

  // Once rebuilt, the next hour's run merges a window again.
  await p.moveTo(new Date(ANCHOR.getTime() + 10 * HOUR));
  const next = await runProject(p.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'] });
  expect(next.tableChanges.find((c) => c.table === 'gold.fact_sales')?.reasons).toEqual(['new data in silver.transaction_lines, silver.transactions']);
  expect(await difference(p, 'gold.fact_sales')).toBe(0);
}, 120_000);

test('a gold build that failed after silver was rebuilt whole: the next run still builds the incremental models whole', async () => {
  project = await demoProject(ANCHOR);
  await runProject(project.settings, { steps: ['ingest', 'transform'] });
  const p = project;
  await edit(p, 'pipelines/retail_pos.yml', 'discount:       { path: discount, type: "decimal(12,2)", min: 0 }', 'discount:       { path: discount, type: "decimal(12,2)", min: 0, max: 1 }');
  // A model that fails only on rows (validate plans it on empty tables): the gold transaction is rolled back.
  const dimDate = await readFile(`${p.dir}/sql/gold/dim_date.sql`, 'utf8');
  await edit(p, 'sql/gold/dim_date.sql', 'WHERE date_key IS NOT NULL', "WHERE date_key IS NOT NULL AND CAST(CASE WHEN date_key > DATE '2000-01-01' THEN 'x' ELSE '1' END AS INT) = 1");
  const failed = await runProject(p.settings, { pipelines: ['retail_pos'], steps: ['transform'] });
  expect(failed.ok).toBe(false);
  expect(await difference(p, 'gold.fact_sales')).toBeGreaterThan(0);

  await writeFile(`${p.dir}/sql/gold/dim_date.sql`, dimDate);
  const planned = await withDatabase(p.settings, async (w) => planTables(w, (await loadProject(p.dir, p.settings.env)).graph));
  expect(planned.find((t) => t.table === 'gold.fact_sales')?.reasons).toContain('silver.transaction_lines rebuilt whole: built again from all of its inputs');
  const next = await runProject(p.settings, { pipelines: ['retail_pos'], steps: ['transform'] });
  expect(next.ok).toBe(true);
  expect(next.tableChanges.find((c) => c.table === 'gold.fact_sales')?.reasons).toEqual(['silver.transaction_lines rebuilt whole: built again from all of its inputs']);
  expect(await difference(p, 'gold.fact_sales')).toBe(0);
  expect(await difference(p, 'gold.daily_sales_summary')).toBe(0);
}, 120_000);

test('a run with no new rows leaves an incremental model and what reads it alone', async () => {
  project = await demoProject(ANCHOR);
  await runProject(project.settings, { steps: ['ingest', 'transform'] });
  const again = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'] });
  expect(again.models).toEqual([]);
});

test('a lookback shorter than refunds arrive late misses them: the comparison above would catch it', async () => {
  project = await demoProject(ANCHOR);
  const file = `${project.dir}/sql/gold/fact_sales.sql`;
  await writeFile(file, (await readFile(file, 'utf8')).replace('-- lookback: 3 days', '-- lookback: 1 hour'));
  await runProject(project.settings, { steps: ['ingest', 'transform'] });
  for (let hours = 10; hours <= 60; hours += 10) {
    await project.moveTo(new Date(ANCHOR.getTime() + hours * HOUR));
    await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'] });
  }
  expect(await difference(project, 'gold.fact_sales')).toBeGreaterThan(0);
}, 120_000);

test('backfill --model builds an old range again, which no window reaches, and what reads it', async () => {
  project = await demoProject(ANCHOR);
  await runProject(project.settings, { steps: ['ingest', 'transform'] });
  for (let hours = 24; hours <= 96; hours += 24) {
    await project.moveTo(new Date(ANCHOR.getTime() + hours * HOUR));
    await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'] });
  }
  // Rows of the first day lost from the fact (and so from the summary's rebuild of them): far before any window.
  const firstDay = new Date(Date.UTC(ANCHOR.getUTCFullYear(), ANCHOR.getUTCMonth(), ANCHOR.getUTCDate() - 2));
  const nextDay = new Date(firstDay.getTime() + 24 * HOUR);
  await withDatabase(project.settings, (w) => w.execute(`DELETE FROM gold.fact_sales WHERE sold_at < TIMESTAMP '${nextDay.toISOString().slice(0, 10)}'`));
  expect(await difference(project, 'gold.fact_sales')).toBeGreaterThan(0);
  const idle = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'] });
  expect(idle.models).toEqual([]);

  const backfill = await runProject(project.settings, { models: ['gold.fact_sales'], window: { from: new Date('2000-01-01T00:00:00Z'), to: nextDay } });
  expect(backfill.ok).toBe(true);
  expect(backfill.tableChanges.map((c) => [c.table, c.action])).toEqual([['gold.fact_sales', 'update'], ['gold.daily_sales_summary', 'update']]);
  expect(await difference(project, 'gold.fact_sales')).toBe(0);
  expect(await difference(project, 'gold.daily_sales_summary')).toBe(0);
  await expect(runProject(project.settings, { models: ['gold.nope'], window: { from: firstDay, to: nextDay } })).rejects.toThrow(/--model: unknown model gold\.nope \(models: /);
}, 120_000);
