// `dataops report` with no warehouse state (the Pages workflow after the DuckDB cache was evicted, or
// before any Ingest run): a page that says so and what to do, never an empty or demo report passed off
// as the real one, and no database created along the way.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BIN, ensureBuild } from '../helpers/build.js';
import { copyProject } from '../helpers/project.js';

let dir: string;
beforeAll(async () => {
  await ensureBuild();
  dir = await copyProject();
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('with no DuckDB file, report publishes a page that says there is no state and what to do', async () => {
  const site = join(dir, '_site');
  // An older report must not survive as if it were current.
  await mkdir(join(site, 'pipelines'), { recursive: true });
  await writeFile(join(site, 'pipelines', 'retail_pos.html'), 'an old report');
  const summary = join(dir, 'summary.md');
  await writeFile(summary, '');
  // As in the Pages job: no source variables, and the cache restore found nothing.
  const env = { ...process.env, DEMO_API_URL: '', DEMO_API_TOKEN: '', GITHUB_STEP_SUMMARY: summary, DATAOPS_DATABASE: '.dataops/dev.duckdb' };
  const { stdout, stderr } = await promisify(execFile)('node', [BIN, '-C', dir, 'report', '--out', site], { env });

  expect(stdout.trim()).toBe(`report: ${join(site, 'index.html')}`);
  expect(stderr.trim()).toBe('warning: no warehouse state: .dataops/dev.duckdb does not exist; the report says so and what to do (run the pipelines first: dataops run)');
  expect(existsSync(join(dir, '.dataops', 'dev.duckdb'))).toBe(false);
  expect(await readdir(site)).toEqual(['index.html']);

  const page = await readFile(join(site, 'index.html'), 'utf8');
  for (const words of [
    '<h1>No warehouse state to report</h1>',
    'database file <code>.dataops/dev.duckdb</code> did not exist',
    'Nothing on this page is data.',
    'GitHub deletes caches\nthat have not been used for 7 days',
    "the repository's cache storage\nlimit",
    'from the <code>initial</code> value',
    '<strong>Actions → Ingest → Run workflow</strong>, with <code>pipelines: all</code>',
    'run production on Snowflake',
  ]) {
    expect(page).toContain(words);
  }
  expect(page).not.toMatch(/retail_pos|silver\.|Conservation/);
  expect(await readFile(summary, 'utf8')).toMatch(/^## ⚠️ No warehouse state to report\n\nThe database file `\.dataops\/dev\.duckdb` does not exist/);
});
