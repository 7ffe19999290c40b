// Pull-request environments on DuckDB: a copied database file that a PR builds into, dropped after.
import { existsSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { createEnvironment, dropEnvironment } from '../../src/environments.js';
import { runProject } from '../../src/engine.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
let project: DemoProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

test('a copy holds every committed row, takes writes of its own, and is dropped without touching the original', async () => {
  project = await demoProject(ANCHOR);
  await runProject(project.settings, { now: ANCHOR });
  const original = await withDatabase(project.settings, (w) => count(w, 'SELECT COUNT(*) AS n FROM gold.fact_sales'));

  const env = await createEnvironment(project.settings, 'pr_42');
  expect(env.use.database).toMatch(/pr_42\.duckdb$/);
  const pr = { ...project.settings, database: env.use.database! };
  expect(await withDatabase(pr, (w) => count(w, 'SELECT COUNT(*) AS n FROM gold.fact_sales'))).toBe(original);

  await withDatabase(pr, (w) => w.execute('DELETE FROM gold.fact_sales WHERE line_no > 1'));
  expect(await withDatabase(project.settings, (w) => count(w, 'SELECT COUNT(*) AS n FROM gold.fact_sales'))).toBe(original);

  await dropEnvironment(project.settings, 'pr_42');
  expect(existsSync(env.location)).toBe(false);
  await expect(createEnvironment(project.settings, '../etc')).rejects.toThrow(/must start with a letter/);
});
