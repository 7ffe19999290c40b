// `dataops erase --key customer_id=<id>`: the demo's customer is gone from every layer, and the checks still pass.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateRetailData } from '../../src/demo/data.js';
import { runProject } from '../../src/engine.js';
import { eraseSubject, parseEraseKey } from '../../src/governance/erase.js';
import { loadProject } from '../../src/project.js';
import { readStatus } from '../../src/state/status.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
const data = generateRetailData({ anchor: ANCHOR });
const salesOf = (id: number) => data.transactions.filter((t) => t.customer_id === id);
// Ids of three digits, so that no count or date in a table could be taken for one.
const withSales = data.customers.filter((c) => c.id !== null && c.id >= 100 && salesOf(c.id).length > 0);
// A customer whose record silver accepts, and one it rejects (its email has no @), each with sales.
const SUBJECTS = [
  { name: 'accepted', rejected: false, customer: withSales.find((c) => c.email?.includes('@') && c.email === c.email.trim())! },
  { name: 'rejected by silver', rejected: true, customer: withSales.find((c) => c.email !== undefined && !c.email.includes('@'))! },
];

let project: DemoProject;
beforeAll(async () => {
  project = await demoProject(ANCHOR);
  const run = await runProject(project.settings, { now: ANCHOR });
  expect(run.ok, JSON.stringify(run.pipelines.map((p) => p.error ?? p.checks.filter((c) => c.status === 'fail')))).toBe(true);
}, 120_000);
afterAll(async () => project?.close());

/** Every place the layers could hold the subject: its email in any row of any table, and its id in the key columns. */
async function traces(w: Warehouse, id: number, email: string): Promise<string[]> {
  const found: string[] = [];
  const tables = await w.query<{ s: string; t: string }>(
    "SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema IN ('bronze', 'silver', 'gold', 'meta') AND table_type = 'BASE TABLE'",
  );
  for (const { s, t } of tables) {
    const n = await count(w, `SELECT COUNT(*) AS n FROM ${s}.${t} AS r WHERE POSITION(${`'${email}'`} IN lower(CAST(r AS VARCHAR))) > 0`);
    if (n) found.push(`${s}.${t}: ${n} rows with the email`);
  }
  for (const [table, column] of [['silver.customers', 'customer_id'], ['silver.transactions', 'customer_id'], ['gold.dim_customer', 'customer_key'], ['gold.fact_sales', 'customer_key']]) {
    const n = await count(w, `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ${id}`);
    if (n) found.push(`${table}: ${n} rows with ${column} = ${id}`);
  }
  for (const [table, path] of [['bronze.catalog_customers', 'id'], ['bronze.retail_pos_transactions', 'customer_id']]) {
    const n = await count(w, `SELECT COUNT(*) AS n FROM ${table} WHERE json_extract_string(_record, '$.${path}') = '${id}'`);
    if (n) found.push(`${table}: ${n} records with ${path} = ${id}`);
  }
  const n = await count(w, `SELECT COUNT(*) AS n FROM meta.rejected WHERE POSITION('"id":${id},' IN record) > 0 AND table_name LIKE '%customers'`);
  if (n) found.push(`meta.rejected: ${n} customer records with id ${id}`);
  return found;
}

/** Lines of the landing files that hold the subject. */
async function landingTraces(id: number, email: string): Promise<string[]> {
  const root = project.settings.landingDir;
  const found: string[] = [];
  for (const file of (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.jsonl'))) {
    const text = (await readFile(join(root, file), 'utf8')).toLowerCase();
    for (const marker of [email, `"customer_id":${id},`, `"customer_id": ${id},`]) if (text.includes(marker)) found.push(`${file}: ${marker}`);
    if (file.includes('resource=customers') && new RegExp(`"id":\\s*${id},`).test(text)) found.push(`${file}: "id":${id}`);
  }
  return found;
}

describe('erase', () => {
  test.each(SUBJECTS)('a customer $name: gone from every layer and the landing files; conservation and uniqueness hold', async ({ customer, rejected }) => {
    const id = customer.id!;
    const email = customer.email!.trim().toLowerCase();
    const projectLoaded = await loadProject(project.dir, project.settings.env);
    await withDatabase(project.settings, async (w) => expect((await traces(w, id, email)).length).toBeGreaterThan(0));
    expect((await landingTraces(id, email)).length).toBeGreaterThan(0);
    const sales = await withDatabase(project.settings, (w) => count(w, `SELECT COUNT(*) AS n FROM silver.transactions WHERE customer_id = ${id}`));
    expect(sales).toBeGreaterThan(0);

    // A dry run counts and changes nothing.
    const key = parseEraseKey(`customer_id=${id}`);
    const dry = await withDatabase(project.settings, (w) => eraseSubject(w, projectLoaded, { key, landingDir: project.settings.landingDir, runId: 'run_erase_dry', dryRun: true }));
    expect(dry.erasureId).toBeUndefined();
    expect(dry.counts.find((c) => c.table === 'silver.transactions')?.rows).toBe(sales);
    expect(dry.rebuilt).toEqual(expect.arrayContaining(['silver.payments', 'gold.dim_customer', 'gold.fact_sales', 'gold.daily_sales_summary']));
    expect((await landingTraces(id, email)).length).toBeGreaterThan(0);
    expect(dry.counts.filter((c) => c.layer === 'rejected').some((c) => c.rows > 0)).toBe(rejected);

    const result = await withDatabase(project.settings, (w) => eraseSubject(w, projectLoaded, { key, landingDir: project.settings.landingDir, runId: 'run_erase' }));
    expect(result.counts).toEqual(dry.counts);
    await withDatabase(project.settings, async (w) => {
      expect(await traces(w, id, email)).toEqual([]);
      // Recorded: the key's name and the counts, never the value.
      const recorded = await w.query<{ key_name: string; layer: string; status: string }>(`SELECT * FROM meta.erasures WHERE erasure_id = '${result.erasureId}'`);
      expect(recorded.length).toBeGreaterThan(0);
      expect(recorded.every((r) => r.key_name === 'customer_id' && r.status === 'done')).toBe(true);
      expect(JSON.stringify(recorded.map((r) => ({ ...r, row_count: undefined })))).not.toMatch(new RegExp(`\\b${id}\\b`));
      const status = await readStatus(w, await loadProject(project.dir, project.settings.env));
      expect(status.conservation_ok).toBe(true);
      // The load records count what bronze and meta.rejected still hold: bronze units = accepted + rejected, as kept.
      for (const [silver, bronze, resource] of [['silver.customers', 'bronze.catalog_customers', 'customers'], ['silver.transactions', 'bronze.retail_pos_transactions', 'transactions']]) {
        const [loads] = await w.query<{ bronze: number; rejected: number }>(`SELECT SUM(bronze) AS bronze, SUM(rejected) AS rejected FROM meta.silver_loads WHERE table_name = '${silver}'`);
        expect(Number(loads.bronze), silver).toBe(await count(w, `SELECT COUNT(*) AS n FROM ${bronze}`));
        expect(Number(loads.rejected), silver).toBe(await count(w, `SELECT COUNT(*) AS n FROM meta.rejected WHERE table_name = '${silver}'`));
        expect(await count(w, `SELECT SUM(bronze_rows) AS n FROM meta.batches WHERE resource = '${resource}'`), bronze).toBe(await count(w, `SELECT COUNT(*) AS n FROM ${bronze}`));
      }
    });
    expect(await landingTraces(id, email)).toEqual([]);

    // The checks (uniqueness, relationships, row counts) still pass on what is left.
    const checked = await runProject(project.settings, { steps: ['check'], now: ANCHOR });
    const failing = checked.pipelines.flatMap((p) => p.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => `${c.table} ${c.check}: ${c.message}`));
    expect(failing).toEqual([]);
    expect(checked.ok).toBe(true);

    // Erasing again finds nothing left.
    const again = await withDatabase(project.settings, (w) => eraseSubject(w, projectLoaded, { key, landingDir: project.settings.landingDir, runId: 'run_erase_again', dryRun: true }));
    expect(again.counts.filter((c) => c.rows > 0)).toEqual([]);
  }, 120_000);

  test('an erasure that stopped before its rebuilds is finished by the next one', async () => {
    const projectLoaded = await loadProject(project.dir, project.settings.env);
    // What a crash after the deletes leaves: the rebuild owed, pending, and the model still holding an erased row.
    await withDatabase(project.settings, async (w) => {
      await w.execute("INSERT INTO gold.dim_customer SELECT * REPLACE (-7 AS customer_id, -7 AS customer_key) FROM gold.dim_customer LIMIT 1");
      await w.execute("INSERT INTO meta.erasures VALUES ('erasure_stopped', 'customer_id', now(), 'rebuild', 'gold.dim_customer', 0, 'pending')");
    });
    const result = await withDatabase(project.settings, (w) =>
      eraseSubject(w, projectLoaded, { key: parseEraseKey('customer_id=-8'), landingDir: project.settings.landingDir, runId: 'run_erase_resumed' }),
    );
    expect(result.counts.filter((c) => c.rows > 0)).toEqual([]);
    expect(result.rebuilt).toEqual(['gold.dim_customer']);
    await withDatabase(project.settings, async (w) => {
      expect(await count(w, 'SELECT COUNT(*) AS n FROM gold.dim_customer WHERE customer_id = -7')).toBe(0);
      expect(await w.query("SELECT DISTINCT status FROM meta.erasures WHERE layer = 'rebuild' AND table_name = 'gold.dim_customer'")).toEqual([{ status: 'done' }]);
    });
  }, 60_000);
});
