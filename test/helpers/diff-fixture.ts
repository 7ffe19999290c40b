// Two versions of a small warehouse with known differences, for `dataops diff`: rows added, removed and
// changed by key, NULLs on either side, a retyped column (within numbers, and from numbers to text), an
// added and a removed column, duplicate and NULL keys, a table without a key with repeated rows, and a
// table on one side only. The statements are plain SQL that DuckDB and Snowflake both run, so the same
// fixture serves both warehouses; `prefix` qualifies names with a database ('' on DuckDB).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Warehouse } from '../../src/warehouse/adapter.js';

export function baseStatements(prefix = ''): string[] {
  const t = (name: string) => `${prefix}${name}`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${t('silver')}`,
    `CREATE SCHEMA IF NOT EXISTS ${t('gold')}`,
    `CREATE TABLE ${t('silver.customers')} (customer_id INTEGER, email VARCHAR, name VARCHAR, total DECIMAL(12,2), _batch_id VARCHAR, _loaded_at TIMESTAMP)`,
    `INSERT INTO ${t('silver.customers')} VALUES
      (1, 'ann@example.com', 'Ann', 10.00, 'b1', '2026-01-01 00:00:00'),
      (2, 'bob@example.com', NULL, 20.00, 'b1', '2026-01-01 00:00:00'),
      (3, 'cy@example.com', 'Cy', 30.00, 'b1', '2026-01-01 00:00:00'),
      (4, 'dee@example.com', 'Dee', NULL, 'b1', '2026-01-01 00:00:00'),
      (5, 'eve@example.com', 'Eve', 50.00, 'b1', '2026-01-01 00:00:00')`,
    `CREATE TABLE ${t('silver.order_lines')} (order_id INTEGER, line_no INTEGER, amount DECIMAL(12,2), code INTEGER, legacy_flag BOOLEAN)`,
    `INSERT INTO ${t('silver.order_lines')} VALUES
      (1, 1, 12.50, 7, TRUE), (1, 2, 3.00, 8, FALSE), (2, 1, 99.99, 9, NULL)`,
    `CREATE TABLE ${t('silver.events')} (event_id INTEGER, kind VARCHAR)`,
    `INSERT INTO ${t('silver.events')} VALUES (1, 'open'), (2, 'click'), (7, 'dup-a'), (7, 'dup-b'), (8, 'single')`,
    `CREATE TABLE ${t('gold.daily')} (day DATE, orders INTEGER, revenue DOUBLE)`,
    `INSERT INTO ${t('gold.daily')} VALUES
      ('2026-01-01', 3, 30.5), ('2026-01-02', 2, 20.0), ('2026-01-02', 2, 20.0), ('2026-01-03', NULL, 5.0)`,
    `CREATE TABLE ${t('gold.retired')} (x INTEGER)`,
    `INSERT INTO ${t('gold.retired')} VALUES (1), (2)`,
  ];
}

export function changedStatements(prefix = ''): string[] {
  const t = (name: string) => `${prefix}${name}`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${t('silver')}`,
    `CREATE SCHEMA IF NOT EXISTS ${t('gold')}`,
    // Every _loaded_at differs: meta columns are not data and must not count.
    `CREATE TABLE ${t('silver.customers')} (customer_id INTEGER, email VARCHAR, name VARCHAR, total DECIMAL(12,2), _batch_id VARCHAR, _loaded_at TIMESTAMP)`,
    `INSERT INTO ${t('silver.customers')} VALUES
      (1, 'ann@example.com', 'Ann', 10.00, 'b2', '2026-02-01 00:00:00'),
      (2, 'bob@example.com', 'Bob', 20.00, 'b2', '2026-02-01 00:00:00'),
      (4, 'dee@example.com', 'Dee', NULL, 'b2', '2026-02-01 00:00:00'),
      (5, 'eve@example.com', NULL, 55.00, 'b2', '2026-02-01 00:00:00'),
      (6, 'fay@example.com', 'Fay', 60.00, 'b2', '2026-02-01 00:00:00')`,
    // amount DECIMAL -> DOUBLE (same values), code INTEGER -> VARCHAR, legacy_flag removed, discount added.
    `CREATE TABLE ${t('silver.order_lines')} (order_id INTEGER, line_no INTEGER, amount DOUBLE, code VARCHAR, discount DECIMAL(5,2))`,
    `INSERT INTO ${t('silver.order_lines')} VALUES
      (1, 1, 12.5, '7', 0.00), (1, 2, 4.0, '8', 0.00), (2, 1, 99.99, '10', 1.50)`,
    `CREATE TABLE ${t('silver.events')} (event_id INTEGER, kind VARCHAR)`,
    `INSERT INTO ${t('silver.events')} VALUES (1, 'open'), (2, 'tap'), (7, 'dup-a'), (8, 'single'), (8, 'again'), (NULL, 'orphan')`,
    `CREATE TABLE ${t('gold.daily')} (day DATE, orders INTEGER, revenue DOUBLE)`,
    `INSERT INTO ${t('gold.daily')} VALUES
      ('2026-01-01', 3, 30.5), ('2026-01-02', 2, 20.0), ('2026-01-03', NULL, 5.0), ('2026-01-04', 1, 10.0)`,
    `CREATE TABLE ${t('gold.launched')} (y VARCHAR)`,
    `INSERT INTO ${t('gold.launched')} VALUES ('new')`,
  ];
}

/** The keys the project declares for the fixture's silver tables (gold tables have none). */
export const FIXTURE_KEYS: Record<string, string[]> = {
  'silver.customers': ['customer_id'],
  'silver.order_lines': ['order_id', 'line_no'],
  'silver.events': ['event_id'],
};

export async function runStatements(warehouse: Warehouse, statements: string[]): Promise<void> {
  for (const statement of statements) await warehouse.execute(statement);
}

/**
 * A project folder whose pipeline declares the fixture's silver tables with their keys, and whose gold
 * models are the fixture's gold tables (and one that is on neither side). Its source's token comes from
 * SHOP_TOKEN: the diff masks it wherever it shows up in the data.
 */
export async function writeFixtureProject(dir: string): Promise<void> {
  await mkdir(join(dir, 'pipelines'), { recursive: true });
  await mkdir(join(dir, 'sql', 'gold'), { recursive: true });
  const table = (name: string, key: string[], columns: string[]) =>
    [`  ${name}:`, `    from: items`, `    key: [${key.join(', ')}]`, '    columns:', ...columns.map((c) => `      ${c}: { path: ${c}, type: integer }`)].join('\n');
  await writeFile(
    join(dir, 'pipelines', 'shop.yml'),
    [
      'name: shop',
      'source:',
      '  kind: http',
      '  base_url: http://127.0.0.1:1',
      '  auth: { kind: bearer, token: { env: SHOP_TOKEN } }',
      '  resources:',
      '    items: { path: /items }',
      'silver:',
      table('customers', ['customer_id'], ['customer_id']),
      table('order_lines', ['order_id', 'line_no'], ['order_id', 'line_no']),
      table('events', ['event_id'], ['event_id']),
      table('never_built', ['id'], ['id']),
      '',
    ].join('\n'),
  );
  for (const model of ['daily', 'retired', 'launched', 'never_built']) {
    await writeFile(join(dir, 'sql', 'gold', `${model}.sql`), 'SELECT 1 AS x\n');
  }
}
