// The warehouse follows the repository: a changed silver mapping or gold model, followed by a run, as an
// analytics engineer would do it in a branch. Every existing row follows a change, conservation holds,
// nothing is duplicated, and only what the change's category calls for is rebuilt.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { runProject, type RunResult } from '../../src/engine.js';
import { planTables } from '../../src/models/plan.js';
import { loadProject } from '../../src/project.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');

let project: DemoProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

async function edit(p: DemoProject, file: string, from: string, to: string): Promise<void> {
  const path = join(p.dir, file);
  const text = await readFile(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
  await writeFile(path, text.replace(from, to));
}

const runCatalog = (p: DemoProject, options: Parameters<typeof runProject>[1] = {}) =>
  runProject(p.settings, { pipelines: ['catalog'], steps: ['ingest', 'transform'], ...options });

const change = (result: RunResult, table: string) => result.tableChanges.find((c) => c.table === table);

/** Per silver table: one load record per batch, each conserved; the rejected rows kept once. */
async function ledger(p: DemoProject, table: string) {
  return withDatabase(p.settings, async (w) => {
    const [loads] = await w.query<{ records: number; batches: number; bronze: number; kept: number }>(
      `SELECT COUNT(*) AS records, COUNT(DISTINCT batch_id) AS batches, SUM(bronze) AS bronze, SUM(accepted + rejected) AS kept
       FROM meta.silver_loads WHERE table_name = '${table}'`,
    );
    return {
      loads: { records: Number(loads.records), batches: Number(loads.batches), bronze: Number(loads.bronze), kept: Number(loads.kept) },
      rejected: await count(w, `SELECT COUNT(*) AS n FROM meta.rejected WHERE table_name = '${table}'`),
      rows: await count(w, `SELECT COUNT(*) AS n FROM ${table}`),
      keys: await count(w, `SELECT COUNT(DISTINCT customer_id) AS n FROM ${table}`),
    };
  });
}

const modelBuilds = (p: DemoProject, model: string) => withDatabase(p.settings, (w) => count(w, `SELECT COUNT(*) AS n FROM meta.model_runs WHERE model = '${model}'`));

describe('a changed silver mapping', () => {
  test('breaking (a normalizer changed): every existing row follows, conserved, nothing doubled, and the models that read it are rebuilt', async () => {
    project = await demoProject(ANCHOR);
    await runCatalog(project);
    const before = await ledger(project, 'silver.customers');
    expect(before.loads.bronze).toBe(before.loads.kept);
    const dimBuilds = await modelBuilds(project, 'gold.dim_customer');

    await edit(project, 'pipelines/catalog.yml', 'email:        { path: email, type: string, normalize: [trim, lower]', 'email:        { path: email, type: string, normalize: [trim, upper]');
    const log: string[] = [];
    const run = await runCatalog(project, { log: (line) => log.push(line) });
    expect(run.ok).toBe(true);
    // One line for the rebuild, not one per batch the table ever had.
    const batches = run.pipelines.flatMap((p) => p.silverLoads).filter((l) => l.table === 'silver.customers');
    expect(batches.length).toBeGreaterThan(1);
    const rejected = batches.reduce((n, l) => n + l.rejected, 0);
    expect(log.filter((l) => l.startsWith('silver.customers: '))).toEqual([
      'silver.customers: rebuilding from all of its bronze: breaking change (column email: normalize [trim, lower] -> [trim, upper])',
      `silver.customers: rebuilt from ${batches.length} batches: ${before.loads.kept - rejected} accepted, ${rejected} rejected`,
    ]);
    expect(change(run, 'silver.customers')).toEqual({ table: 'silver.customers', action: 'rebuild', category: 'breaking', reasons: ['column email: normalize [trim, lower] -> [trim, upper]'] });
    expect(change(run, 'gold.dim_customer')).toMatchObject({ action: 'update', reasons: ['new data in silver.customers'] });

    // The run's own ingest added a batch of nothing new; every batch has one conserved load record.
    const after = await ledger(project, 'silver.customers');
    expect(after.loads.records).toBe(after.loads.batches);
    expect(after).toEqual({ ...before, loads: { ...before.loads, records: after.loads.batches, batches: after.loads.batches } });
    await withDatabase(project.settings, async (w) => {
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.customers WHERE email IS NOT NULL')).toBeGreaterThan(100);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.customers WHERE email <> upper(email)')).toBe(0);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM gold.dim_customer WHERE email <> upper(email)')).toBe(0);
      expect(await w.tableExists('silver.customers__rebuild')).toBe(false);
    });
    expect(await modelBuilds(project, 'gold.dim_customer')).toBe(dimBuilds + 1);

    // The next run with nothing new changes nothing.
    const idle = await runCatalog(project);
    expect(idle.tableChanges).toEqual([]);
    expect(await modelBuilds(project, 'gold.dim_customer')).toBe(dimBuilds + 1);
  });

  test('non-breaking (a column added): the table is rebuilt with the column filled, what reads it is not', async () => {
    project = await demoProject(ANCHOR);
    await runCatalog(project);
    const dimBuilds = await modelBuilds(project, 'gold.dim_customer');
    await edit(project, 'pipelines/catalog.yml', '      updated_at:   { path: updated_at, type: timestamp, required: true }\n  products:',
      '      updated_at:   { path: updated_at, type: timestamp, required: true }\n      raw_city:     { path: city, type: string }\n  products:');
    const log: string[] = [];
    const run = await runCatalog(project, { log: (line) => log.push(line) });
    expect(change(run, 'silver.customers')).toEqual({ table: 'silver.customers', action: 'rebuild', category: 'non_breaking', reasons: ['column raw_city added'] });
    // Worded as plan words it.
    expect(log).toContain('silver.customers: rebuilding from all of its bronze: non-breaking change (column raw_city added)');
    expect(change(run, 'gold.dim_customer')).toBeUndefined();
    expect(await modelBuilds(project, 'gold.dim_customer')).toBe(dimBuilds);
    await withDatabase(project.settings, async (w) => {
      // Filled from bronze for every existing row, not NULL as a bare ALTER TABLE would leave it.
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.customers WHERE city IS NOT NULL AND raw_city IS NULL')).toBe(0);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM silver.customers WHERE raw_city IS NOT NULL')).toBeGreaterThan(100);
    });
  });
});

describe('a changed gold model', () => {
  test('a column appended rebuilds the model only; a filter rebuilds it and what reads it', async () => {
    project = await demoProject(ANCHOR);
    await runProject(project.settings, { steps: ['ingest', 'transform'] });
    const summaryBuilds = await modelBuilds(project, 'gold.daily_sales_summary');

    await edit(project, 'sql/gold/dim_store.sql', 'FROM silver.stores', 'FROM silver.stores WHERE TRUE');
    const breaking = await runProject(project.settings, { steps: ['transform'] });
    expect(change(breaking, 'gold.dim_store')).toMatchObject({ action: 'rebuild', category: 'breaking' });
    // The summary merges a time window: a dimension rebuilt for its definition reaches its older rows only by a whole rebuild.
    expect(change(breaking, 'gold.daily_sales_summary')).toMatchObject({ action: 'update', reasons: ['gold.dim_store rebuilt whole: built again from all of its inputs'] });
    expect(await modelBuilds(project, 'gold.daily_sales_summary')).toBe(summaryBuilds + 1);
    expect(breaking.models.map((m) => m.model).sort()).toEqual(['gold.daily_sales_summary', 'gold.dim_store']);

    const dimStore = await readFile(join(project.dir, 'sql/gold/dim_store.sql'), 'utf8');
    const lastColumn = /\n(\s+)(\S[^\n]*)\nFROM silver\.stores/.exec(dimStore)!;
    await edit(project, 'sql/gold/dim_store.sql', `${lastColumn[2]}\nFROM silver.stores`, `${lastColumn[2]},\n${lastColumn[1]}1 AS one_more\nFROM silver.stores`);
    const nonBreaking = await runProject(project.settings, { steps: ['transform'] });
    expect(change(nonBreaking, 'gold.dim_store')).toMatchObject({ action: 'rebuild', category: 'non_breaking', reasons: ['column added: 1 as one_more'] });
    expect(nonBreaking.models.map((m) => m.model)).toEqual(['gold.dim_store']);
  });
});

describe('run --full-refresh', () => {
  test('rebuilds the named table from bronze though nothing changed, and what reads it', async () => {
    project = await demoProject(ANCHOR);
    await runCatalog(project);
    const before = await ledger(project, 'silver.customers');
    const run = await runCatalog(project, { fullRefresh: ['silver.customers'] });
    expect(change(run, 'silver.customers')).toMatchObject({ action: 'rebuild', category: 'breaking', reasons: ['full refresh asked for'] });
    expect(change(run, 'silver.products')).toBeUndefined();
    expect(change(run, 'gold.dim_customer')).toMatchObject({ action: 'update' });
    const after = await ledger(project, 'silver.customers');
    expect(after.loads.records).toBe(after.loads.batches);
    expect(after).toEqual({ ...before, loads: { ...before.loads, records: after.loads.batches, batches: after.loads.batches } });
    await expect(runCatalog(project, { fullRefresh: ['silver.nope'] })).rejects.toThrow(/--full-refresh: unknown table "silver.nope" \(silver and gold tables: /);
    await expect(runCatalog(project, { fullRefresh: ['silver.transactions'] })).rejects.toThrow('--full-refresh: silver.transactions is loaded by pipeline retail_pos, which this run does not run; name it too');
  });
});

describe('dataops plan', () => {
  test('shows what a run would build and why, writes nothing, and the run then builds exactly that', async () => {
    project = await demoProject(ANCHOR);
    await runProject(project.settings, { steps: ['ingest', 'transform'] });
    const p = project;
    const plan = async () => withDatabase(p.settings, async (w) => planTables(w, (await loadProject(p.dir, p.settings.env)).graph));
    expect(await plan()).toEqual([]);

    await edit(project, 'pipelines/catalog.yml', 'email:        { path: email, type: string, normalize: [trim, lower]', 'email:        { path: email, type: string, normalize: [trim, upper]');
    await edit(project, 'sql/gold/dim_store.sql', 'FROM silver.stores', 'FROM silver.stores WHERE TRUE');
    const snapshot = () => withDatabase(p.settings, async (w) => ({
      nodes: await w.query('SELECT node, fingerprint, data_version FROM meta.nodes ORDER BY node'),
      runs: await count(w, 'SELECT COUNT(*) AS n FROM meta.runs'),
      emails: await count(w, 'SELECT COUNT(*) AS n FROM silver.customers WHERE email = lower(email)'),
      customers: await count(w, 'SELECT COUNT(*) AS n FROM silver.customers'),
    }));
    const before = await snapshot();
    const planned = await plan();
    expect(await snapshot()).toEqual(before);
    expect(planned.map((t) => [t.action, t.table, t.category ?? null, t.reasons])).toEqual([
      ['rebuild', 'silver.customers', 'breaking', ['column email: normalize [trim, lower] -> [trim, upper]']],
      ['rebuild', 'gold.dim_store', 'breaking', ['the query changed after its select list (FROM, JOIN, WHERE, GROUP BY, ...)']],
      ['update', 'gold.daily_sales_summary', null, ['gold.dim_store rebuilt whole: built again from all of its inputs']],
      ['update', 'gold.dim_customer', null, ['silver.customers is rebuilt (breaking change)']],
    ]);
    expect(planned[0]).toMatchObject({ rows: before.customers, pending_batches: 0 });

    const run = await runProject(project.settings, { pipelines: ['catalog'], steps: ['transform'] });
    expect(run.tableChanges.map((c) => c.table).sort()).toEqual(planned.map((t) => t.table).sort());
    expect(await plan()).toEqual([]);
  });

  test('descriptions are not definitions: editing them plans nothing and the run rebuilds nothing', async () => {
    project = await demoProject(ANCHOR);
    await runProject(project.settings, { steps: ['ingest', 'transform'] });
    const p = project;
    await edit(project, 'pipelines/catalog.yml', 'description: "Every version of each customer:', 'description: "All versions of each customer:');
    await edit(project, 'pipelines/catalog.yml', 'customer_id:  { path: id, type: integer, required: true }', 'customer_id:  { path: id, type: integer, required: true, description: the API id }');
    await edit(project, 'sql/gold/daily_sales_summary.sql', '-- Revenue per store and day.', '-- Sales per store and day.');
    await edit(project, 'sql/gold/daily_sales_summary.sql', 'AS net_revenue -- revenue net of refunds', 'AS net_revenue -- what stays after refunds');
    await edit(project, 'sql/gold/dim_store.sql', '    store_id AS store_key,', '    store_id AS store_key, -- the store, as the fact tables name it');
    const graph = (await loadProject(p.dir, p.settings.env)).graph;
    const summary = graph.get('gold.daily_sales_summary');
    expect(summary && 'model' in summary && summary.model.docs.columns.net_revenue).toBe('what stays after refunds');
    expect(await withDatabase(p.settings, (w) => planTables(w, graph))).toEqual([]);
    const run = await runProject(project.settings, { steps: ['transform'] });
    expect(run.ok).toBe(true);
    expect(run.tableChanges).toEqual([]);
  });

  test('new bronze batches show as updates with their rows, and what they feed', async () => {
    project = await demoProject(ANCHOR);
    await runProject(project.settings, { steps: ['ingest', 'transform'] });
    await project.moveTo(new Date(ANCHOR.getTime() + 6 * 3_600_000));
    await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest'] });
    const p = project;
    const planned = await withDatabase(p.settings, async (w) => planTables(w, (await loadProject(p.dir, p.settings.env)).graph));
    const transactions = planned.find((t) => t.table === 'silver.transactions')!;
    expect(transactions).toMatchObject({ action: 'update', pending_batches: 1 });
    expect(transactions.pending_rows).toBeGreaterThan(0);
    expect(planned.find((t) => t.table === 'gold.fact_sales')).toMatchObject({ action: 'update', reasons: ['new data in silver.transaction_lines', 'new data in silver.transactions'] });
    expect(planned.some((t) => t.table === 'gold.dim_customer')).toBe(false);
  });
});

describe('a rebuild from bronze in one pass', () => {
  test('gives the rows, the load records and the rejected rows that the runs\' merges gave, batch by batch', async () => {
    project = await demoProject(ANCHOR);
    await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'] });
    // Hourly runs: new sales, and late refunds of earlier ones (new versions of keys already in silver).
    for (let hours = 6; hours <= 60; hours += 6) {
      await project.moveTo(new Date(ANCHOR.getTime() + hours * 3_600_000));
      await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['ingest', 'transform'] });
    }
    const p = project;
    const state = (table: string) => withDatabase(p.settings, async (w) => ({
      rows: await w.query(`SELECT * EXCLUDE (_loaded_at) FROM ${table} ORDER BY ALL`),
      loads: await w.query(`SELECT batch_id, bronze, accepted, rejected, inserted, updated FROM meta.silver_loads WHERE table_name = '${table}' ORDER BY batch_id`),
      rejected: await w.query(`SELECT batch_id, record_hash, element_index, reasons, record FROM meta.rejected WHERE table_name = '${table}' ORDER BY ALL`),
    }));
    const merged = { transactions: await state('silver.transactions'), lines: await state('silver.transaction_lines') };
    expect(merged.transactions.loads.some((l) => Number((l as { updated: number }).updated) > 0)).toBe(true);

    const run = await runProject(project.settings, { pipelines: ['retail_pos'], steps: ['transform'], fullRefresh: ['silver.transactions', 'silver.transaction_lines'] });
    expect(run.ok).toBe(true);
    expect(await state('silver.transactions')).toEqual(merged.transactions);
    expect(await state('silver.transaction_lines')).toEqual(merged.lines);
  }, 120_000);
});
