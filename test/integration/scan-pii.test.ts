// `dataops scan-pii` on real DuckDB tables of the demo project's names, seeded with personal data and with
// look-alikes (dates, amounts, versions, ids, a city, 16 digits that fail Luhn): exactly the columns holding
// personal data are suggested, with the file to declare them in; declared ones are skipped; no sampled
// value is printed; nothing in the database changes; the command exits 0.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scanPii, type PiiScanReport } from '../../src/governance/scan-pii.js';
import { loadProject } from '../../src/project.js';
import { DuckDBWarehouse } from '../../src/warehouse/duckdb.js';
import { BIN, ensureBuild } from '../helpers/build.js';
import { copyProject } from '../helpers/project.js';

const env = { ...process.env, DEMO_API_URL: 'http://127.0.0.1:1', DEMO_API_TOKEN: 'x', DEMO_REFERENCE_DB: 'none.duckdb' };
let dir: string;
let database: string;

const ROWS = 40;
const luhnDigit = (body: string) => {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
};
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const sql = (v: string | null) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);

/** Row i of silver.stores: each column's values, a few NULL or blank. */
function storeRow(i: number): string[] {
  const card = `4000${pad(i * 7919, 11)}`;
  return [
    String(i),
    i % 10 === 0 ? null : `owner${i}@example.com`, // contact_email
    i % 3 === 0 ? `+1 555 010 ${pad(i, 4)}` : `(555) 010-${pad(i, 4)}`, // contact_phone
    ['Ann Lee', "Mary-Jane O'Neil", 'José García', 'Wen Martin'][i % 4], // manager_name
    ['Springfield', 'New York', 'Saint-Étienne', 'Lyon'][i % 4], // city: a name's shape, not a name's column
    `${card.slice(0, 4)} ${card.slice(4, 8)} ${card.slice(8, 12)} ${card.slice(12)}${luhnDigit(card)}`, // card
    `4000${pad(i * 7919, 11)}${(Number(luhnDigit(card)) + 1) % 10}`, // bad_card: one off the check digit
    i % 2 ? `192.168.${i}.${i + 1}` : `2001:db8::${i.toString(16)}`, // last_ip
    `1.${i}.3`, // version
    `2026112${pad(i, 7)}`, // order_no: digits only
    `2026-11-${pad((i % 28) + 1, 2)}`, // opened_on, as text
    `${i * 1000}.${pad(i, 2)}`, // amount, as text
    `AB-${pad(i, 4)}-567`, // sku
    i % 5 === 0 ? '   ' : null, // notes: blank or NULL only
  ].map(sql);
}

async function seed(path: string): Promise<void> {
  const w = await DuckDBWarehouse.open(path);
  try {
    await w.query(`CREATE SCHEMA silver; CREATE SCHEMA gold;
      CREATE TABLE silver.stores (store_id INTEGER, contact_email VARCHAR, contact_phone VARCHAR, manager_name VARCHAR, city VARCHAR, card VARCHAR, bad_card VARCHAR,
        last_ip VARCHAR, version VARCHAR, order_no VARCHAR, opened_on VARCHAR, amount VARCHAR, sku VARCHAR, notes VARCHAR, _batch_id VARCHAR DEFAULT 'ann@example.com');
      CREATE TABLE silver.customers (customer_id INTEGER, email VARCHAR, phone VARCHAR);
      CREATE TABLE gold.dim_customer (customer_key INTEGER, email VARCHAR, backup_email VARCHAR, full_name VARCHAR)`);
    const stores = Array.from({ length: ROWS }, (_, i) => `(${storeRow(i + 1).join(', ')})`);
    await w.query(`INSERT INTO silver.stores (store_id, contact_email, contact_phone, manager_name, city, card, bad_card, last_ip, version, order_no, opened_on, amount, sku, notes) VALUES ${stores.join(', ')}`);
    await w.query(`INSERT INTO silver.customers SELECT i, 'c' || i || '@example.com', '+44 20 7946 ' || lpad(i::VARCHAR, 4, '0') FROM range(1, 31) t(i)`);
    await w.query(`INSERT INTO gold.dim_customer SELECT i, 'c' || i || '@example.com', 'backup' || i || '@example.org', 'Customer ' || i FROM range(1, 31) t(i)`);
  } finally {
    await w.close();
  }
}

/** Every table's rows as text, and the schemas: what "changes nothing" compares. */
async function snapshot(path: string): Promise<string> {
  const w = await DuckDBWarehouse.open(path);
  try {
    const schemas = await w.query(`SELECT schema_name FROM information_schema.schemata ORDER BY 1`);
    const tables = await w.query<{ t: string }>(`SELECT table_schema || '.' || table_name AS t FROM information_schema.tables ORDER BY 1`);
    const rows = [];
    for (const { t } of tables) rows.push(await w.query(`SELECT * FROM ${t} ORDER BY ALL`));
    // A digest: a difference fails the test without printing every row.
    return createHash('sha256').update(JSON.stringify({ schemas, tables, rows })).digest('hex');
  } finally {
    await w.close();
  }
}

beforeAll(async () => {
  dir = await copyProject();
  database = join(dir, 'pii.duckdb');
  await seed(database);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const found = (report: PiiScanReport) => Object.fromEntries(report.suggestions.map((s) => [`${s.table}.${s.column}`, s.kind]));

describe('scan-pii', () => {
  test('suggests exactly the columns with personal data, with the share matched and where to declare them', async () => {
    const project = await loadProject(dir, env);
    const w = await DuckDBWarehouse.open(database);
    const report = await scanPii(w, project, { sample: 1000 }).finally(() => w.close());
    expect(found(report)).toEqual({
      'silver.stores.contact_email': 'email',
      'silver.stores.contact_phone': 'phone',
      'silver.stores.manager_name': 'person_name',
      'silver.stores.card': 'card_number',
      'silver.stores.last_ip': 'ip_address',
      'silver.customers.phone': 'phone',
      'gold.dim_customer.backup_email': 'email',
    });
    const email = report.suggestions.find((s) => s.column === 'contact_email')!;
    // NULLs are not values: 36 of the 40 rows hold one, and all match.
    expect(email).toMatchObject({ matched: 36, values: 36, share: 1, rule: 'partial', file: 'pipelines/stores.yml', declare: 'silver: stores: columns: contact_email: add sensitive: true, mask: partial' });
    expect(report.suggestions.find((s) => s.column === 'backup_email')).toMatchObject({ file: 'sql/gold/dim_customer.sql', declare: '-- sensitive: backup_email (partial) in its leading comment block' });
    // Declared (silver.customers.email in catalog.yml; dim_customer's in its file) or inherited columns are not scanned.
    expect(report.tables.find((t) => t.table === 'silver.customers')).toMatchObject({ built: true, sampled_rows: 30, declared: ['email'] });
    expect(report.tables.find((t) => t.table === 'gold.dim_customer')!.declared).toEqual(['email']);
    expect(report.tables.find((t) => t.table === 'gold.fact_sales')).toMatchObject({ built: false });
  });

  test('the CLI prints the report as text and JSON, shows no sampled value, exits 0 and changes nothing', async () => {
    await ensureBuild();
    const before = await snapshot(database);
    const run = (...args: string[]) => promisify(execFile)('node', [BIN, '-C', dir, '--database', database, 'scan-pii', ...args], { env });
    const text = await run('--sample', '25');
    expect(text.stdout).toContain('silver.stores.contact_phone: phone numbers, 100% of 25 sampled values');
    expect(text.stdout).toContain('declare it in pipelines/stores.yml: silver: stores: columns: contact_phone: add sensitive: true, mask: partial');
    expect(text.stdout).toContain('Already declared sensitive (not scanned): silver.customers.email, gold.dim_customer.email');
    expect(text.stdout).not.toMatch(/@example\.(com|org)|192\.168\.|4000 /);
    const json = JSON.parse((await run('--json', '--table', 'gold.dim_customer')).stdout) as PiiScanReport;
    expect(found(json)).toEqual({ 'gold.dim_customer.backup_email': 'email' });
    expect(json.tables.map((t) => t.table)).toEqual(['gold.dim_customer']);
    expect(await snapshot(database)).toBe(before);
  });

  test.each([
    [['--table', 'gold.nope'], /^error: --table gold\.nope: not a silver or gold table of the project \(tables: .*gold\.dim_customer/],
    [['--sample', '0'], /^error: --sample: expected a whole number of rows from 1 to 100000, got 0/],
    [['--sample', 'ten'], /^error: --sample: expected a whole number of rows from 1 to 100000, got "ten"/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    await ensureBuild();
    const failed = await promisify(execFile)('node', [BIN, '-C', dir, '--database', database, 'scan-pii', ...args], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(message);
  });
});
