// A throwaway copy of the example project, the demo API, and a DuckDB file per test.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateRetailData } from '../../src/demo/data.js';
import { writeReferenceDatabase } from '../../src/demo/reference-db.js';
import { startDemoApi, type DemoApi } from '../../src/demo/server.js';
import { resolveSettings, type Settings } from '../../src/engine.js';
import { DuckDBWarehouse } from '../../src/warehouse/duckdb.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';

// Compiled for a benchmark, this file runs from build/test/helpers: the repository is one level further up.
const HERE = resolve(import.meta.dirname, '../..');
export const REPO = existsSync(join(HERE, 'pipelines')) ? HERE : resolve(HERE, '..');
export const DEMO_TOKEN = 'test-token-5f1c9e0b7a';

export async function copyProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dataops-project-'));
  for (const sub of ['pipelines', 'sql', 'reports']) await cp(join(REPO, sub), join(dir, sub), { recursive: true });
  return dir;
}

export interface DemoProject {
  dir: string;
  api: DemoApi;
  settings: Settings;
  /** Restarts the API with data as of another time (the same project and database). */
  moveTo(anchor: Date): Promise<void>;
  close(): Promise<void>;
}

export async function demoProject(anchor = new Date('2026-11-20T12:30:00Z'), options: { token?: string } = {}): Promise<DemoProject> {
  const dir = await copyProject();
  const reference = join(dir, '.dataops', 'reference.duckdb');
  await writeReferenceDatabase(reference, generateRetailData({ anchor }));
  let api = await startDemoApi({ token: DEMO_TOKEN, anchor });
  const env = () => ({ ...process.env, DEMO_API_URL: api.url, DEMO_API_TOKEN: options.token ?? DEMO_TOKEN, DEMO_REFERENCE_DB: reference });
  const project: DemoProject = {
    dir,
    api,
    settings: resolveSettings({ projectDir: dir, env: env() }),
    async moveTo(next) {
      await api.close();
      api = await startDemoApi({ token: DEMO_TOKEN, anchor: next });
      project.api = api;
      project.settings = resolveSettings({ projectDir: dir, env: env() });
    },
    async close() {
      await api.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return project;
}

export async function withDatabase<T>(settings: Settings, fn: (w: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await DuckDBWarehouse.open(settings.database);
  try {
    return await fn(warehouse);
  } finally {
    await warehouse.close();
  }
}

export async function count(w: Warehouse, sql: string): Promise<number> {
  const [row] = await w.query<{ n: number }>(sql);
  return Number(row.n);
}
