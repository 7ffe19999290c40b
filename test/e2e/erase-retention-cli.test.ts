// `dataops erase` and `dataops retention` as a user runs them: the compiled bin in a child process.
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { generateRetailData } from '../../src/demo/data.js';
import { startDemoApi, type DemoApi } from '../../src/demo/server.js';
import { BIN, ensureBuild } from '../helpers/build.js';
import { copyProject, DEMO_TOKEN } from '../helpers/project.js';

const anchor = new Date();
const customer = generateRetailData({ anchor }).customers.find((c) => c.id !== null && c.id >= 100 && c.email?.includes('@'))!;
let dir: string;
let api: DemoApi;

async function dataops(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DEMO_API_URL: api.url, DEMO_API_TOKEN: DEMO_TOKEN, GITHUB_STEP_SUMMARY: '' };
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [BIN, '-C', dir, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  await ensureBuild();
  dir = await copyProject();
  api = await startDemoApi({ token: DEMO_TOKEN, anchor });
  expect((await dataops(['run', 'catalog'])).code).toBe(0);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

test('erase --dry-run prints the counts per layer; erase removes them and says where it is recorded; a bad --key exits 2', async () => {
  const dry = await dataops(['erase', '--key', `customer_id=${customer.id}`, '--dry-run']);
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain('landing: landing/source=catalog/resource=customers: 1 records would be erased');
  expect(dry.stdout).toContain('bronze: bronze.catalog_customers: 1 rows would be erased');
  expect(dry.stdout).toContain('silver: silver.customers: 1 rows would be erased');
  expect(dry.stdout).toContain('rebuild: gold.dim_customer would be rebuilt from what is left');
  expect(dry.stdout).not.toContain('recorded as');

  const done = await dataops(['erase', '--key', `customer_id=${customer.id}`]);
  expect(done.code, done.stderr).toBe(0);
  expect(done.stdout).toContain('silver: silver.customers: 1 rows erased');
  expect(done.stdout).toMatch(/recorded as erasure_\w+ in meta\.erasures \(the key's name and the counts; not its value\)/);
  const left = await dataops(['sql', '--json', '-q', `SELECT COUNT(*) AS n FROM gold.dim_customer WHERE customer_id = ${customer.id}`]);
  expect(JSON.parse(left.stdout)).toEqual([{ n: 0 }]);

  const bad = await dataops(['erase', '--key', 'customer_id']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('error: --key: expected <column>=<value>, e.g. customer_id=123, got "customer_id"');
}, 60_000);

test('retention --dry-run prints the counts per layer and table, and removes nothing', async () => {
  const none = await dataops(['retention']);
  expect(none).toMatchObject({ code: 0, stdout: '' });
  expect(none.stderr).toContain('dataops.yml sets no retention:');
  await writeFile(join(dir, 'dataops.yml'), 'retention:\n  bronze: 30d\n  meta: 1d\n');
  const dry = await dataops(['retention', 'catalog', '--dry-run']);
  expect(dry.code, dry.stderr).toBe(0);
  expect(dry.stdout).toContain('retention bronze: bronze.catalog_customers: 0 rows would be removed');
  expect(dry.stdout).toContain('retention meta: meta.runs: 0 rows would be removed');
  expect((await dataops(['retention', 'nosuch'])).stderr).toContain('unknown pipeline nosuch (pipelines: catalog, inventory, retail_pos, stores)');
}, 60_000);
