// What an hourly run costs once the fact is large: the demo's gold models downstream of sales
// (gold.fact_sales and gold.daily_sales_summary, incremental; gold.dim_date, a table) brought up to date
// after an hour of new sales, against a full rebuild of the same models, at several fact sizes. DuckDB,
// through the engine's own transform step, in one process. Silver is generated in SQL (a year of sales,
// three lines each), and an hour of new sales is appended before each measured run, as a silver merge
// would, with the silver tables' data versions moved as the merge would move them.
//
//   npm run bench:incremental -- [--rows 1000000,5000000,10000000] [--new 10000] [--repeat 3]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../src/project.js';
import { transform } from '../src/models/transform.js';
import { silverDdl } from '../src/models/silver.js';
import { ensureMetaSchema } from '../src/state/meta.js';
import { recordNodeState } from '../src/state/nodes.js';
import { DuckDBWarehouse } from '../src/warehouse/duckdb.js';
import { flag, REPO } from './flags.js';

const sizes = flag('rows', '1000000,5000000,10000000').split(',').map(Number);
const newLines = Number(flag('new', '10000'));
const repeat = Number(flag('repeat', '3'));
const MODELS = ['gold.fact_sales', 'gold.daily_sales_summary', 'gold.dim_date'];
const project = await loadProject(REPO, { DEMO_API_URL: 'http://127.0.0.1:1', DEMO_API_TOKEN: 'bench-token', DEMO_REFERENCE_DB: '/dev/null' });
const pos = project.pipelines.find((p) => p.name === 'retail_pos')!;
const stores = project.pipelines.find((p) => p.name === 'stores')!;
const silver = [...pos.silver, ...stores.silver];
const fmt = (n: number) => n.toFixed(2);
const lines: string[] = [];

for (const size of sizes) {
  const dir = await mkdtemp(join(tmpdir(), 'dataops-incremental-'));
  const warehouse = await DuckDBWarehouse.open(join(dir, 'bench.duckdb'));
  try {
    await ensureMetaSchema(warehouse);
    for (const table of silver) await warehouse.execute(silverDdl(table, warehouse.dialect));
    let transactions = 0;
    /** `count` lines of sales (three per sale) from `firstHour` on, `perHour` sales an hour. */
    const addSales = async (count: number, firstHour: number, perHour: number) => {
      const sales = Math.ceil(count / 3);
      const from = transactions;
      await warehouse.execute(
        `INSERT INTO silver.transactions (transaction_id, store_id, customer_id, sold_at, updated_at, status, currency, total, payment_method, customer_email, _batch_id, _record_hash, _loaded_at)
         SELECT i, 1 + i % 8, 1 + i % 5000, TIMESTAMP '2025-11-23' + (${firstHour} + (i - ${from}) // ${perHour}) * INTERVAL 1 HOUR + (i % 3600) * INTERVAL 1 SECOND,
                TIMESTAMP '2025-11-23' + (${firstHour} + (i - ${from}) // ${perHour}) * INTERVAL 1 HOUR, CASE WHEN i % 31 = 0 THEN 'refunded' WHEN i % 29 = 0 THEN 'void' ELSE 'paid' END,
                'USD', 30.00, 'card', NULL, 'bench', md5(i::VARCHAR), now()
         FROM range(${from}, ${from + sales}) t(i)`,
      );
      await warehouse.execute(
        `INSERT INTO silver.transaction_lines (transaction_id, line_no, product_id, quantity, unit_price, discount, updated_at, _batch_id, _record_hash, _loaded_at)
         SELECT t.transaction_id, l.line_no, 1 + (t.transaction_id * 7 + l.line_no) % 60, 1 + l.line_no, 9.99, 0, t.updated_at, 'bench', md5(t.transaction_id::VARCHAR || l.line_no), now()
         FROM silver.transactions t CROSS JOIN range(1, 4) l(line_no) WHERE t.transaction_id >= ${from}`,
      );
      transactions += sales;
    };
    // A year of sales, evenly spread, then each measured run's hour after it.
    const hours = 365 * 24;
    await addSales(size, 0, Math.ceil(size / 3 / hours));
    await warehouse.execute(`INSERT INTO silver.stores SELECT i, 'Store ' || i, 'City', 'Region', DATE '2020-01-01', 'bench', md5(i::VARCHAR), now() FROM range(1, 9) t(i)`);
    let version = 1;
    const moveSilverVersions = async () => {
      for (const node of project.graph.nodes('silver').filter((n) => silver.some((t) => `silver.${t.name}` === n.name))) {
        await recordNodeState(warehouse, node, { dataVersion: version, runId: `bench_${version}` });
      }
      version++;
    };
    await moveSilverVersions();
    const run = (options: { fullRefresh?: string[] } = {}) => transform(warehouse, project.graph, { pipelines: [], runId: `bench_${version}`, log: () => undefined, ...options });
    await run();
    await warehouse.execute('CHECKPOINT');
    const [{ n: factRows }] = await warehouse.query<{ n: number }>('SELECT COUNT(*) AS n FROM gold.fact_sales');

    const incremental: number[] = [];
    const full: number[] = [];
    for (let r = 0; r < repeat; r++) {
      await addSales(newLines, hours + r, Math.ceil(newLines / 3));
      await moveSilverVersions();
      let started = performance.now();
      const result = await run();
      incremental.push((performance.now() - started) / 1000);
      if (result.modelError) throw result.modelError;
      // A window merge, not a rebuild from all of its inputs (which is an 'update' too, for a table rebuilt upstream).
      const fact = result.changes.find((c) => c.table === 'gold.fact_sales');
      if (fact?.action !== 'update' || !fact.reasons.every((r) => r.startsWith('new data in '))) throw new Error(`the fact was not updated incrementally: ${JSON.stringify(fact)}`);
      started = performance.now();
      const rebuilt = await run({ fullRefresh: MODELS });
      full.push((performance.now() - started) / 1000);
      if (rebuilt.modelError) throw rebuilt.modelError;
    }
    const best = (xs: number[]) => Math.min(...xs);
    lines.push(`| ${Number(factRows).toLocaleString('en-US')} | ${fmt(best(incremental))} | ${fmt(best(full))} | ${(100 * best(incremental) / best(full)).toFixed(1)}% | ${incremental.map(fmt).join(', ')} / ${full.map(fmt).join(', ')} |`);
    console.log(lines.at(-1));
  } finally {
    await warehouse.close();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`
An hour of ${newLines.toLocaleString('en-US')} new sale lines into ${MODELS.join(', ')}; best of ${repeat} (seconds)

| fact rows | hourly run (incremental) | full rebuild | hourly / full | all runs: hourly / full |
|---:|---:|---:|---:|---|
${lines.join('\n')}`);
