// Checks as a user meets them, through the compiled CLI on the demo project: a threshold check run twice
// with more bad rows the second time, and a warned check whose failing rows `dataops status` shows masked.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StatusReport } from '../../src/state/types.js';
import { BIN, ensureBuild } from '../helpers/build.js';
import { demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

let project: DemoProject;

async function dataops(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, ...project.settings.env, GITHUB_STEP_SUMMARY: '' };
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [BIN, '-C', project.dir, ...args], { env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const PATTERN = 'pattern(customer_email ~ [^@ ]+@[^@ ]+\\.[a-z]+)';
const checksOf = async (pipeline: string) => {
  const status = JSON.parse((await dataops(['status', '--json'])).stdout) as StatusReport;
  return status.pipelines.find((p) => p.name === pipeline)!.checks;
};

beforeAll(async () => {
  await ensureBuild();
  project = await demoProject(new Date());
  const first = await dataops(['run']);
  expect(first.stderr).not.toMatch(/FAILED/);
  expect(first.code).toBe(0);
});
afterAll(() => project?.close());

describe('the demo checks', () => {
  test('a warned pattern check keeps its failing rows masked; dataops status shows them', async () => {
    const checks = await checksOf('retail_pos');
    const pattern = checks.find((c) => c.check === PATTERN)!;
    expect(pattern).toMatchObject({ status: 'warn', severity: 'error' });
    expect(pattern.message).toMatch(/^\d+ failing rows? of [\d,]+ \([\d.]+%\): within error_if > 10%; e\.g\. customer_email = "••••/);
    expect(pattern.samples!.length).toBe(5);
    for (const sample of pattern.samples!) expect(String(sample.customer_email)).toMatch(/^••••/);
    // The SQL shown is the project's Snowflake SQL: it pastes into Snowsight, and `dataops sql` runs it.
    expect(pattern.sql).toContain('REGEXP_LIKE');
    expect(pattern.sql).not.toMatch(/\bsf_|regexp_matches/);
    const counted = await dataops(['sql', '--json', '-q', `SELECT COUNT(*) AS n FROM (${pattern.sql}) AS failing`]);
    expect(counted.code).toBe(0);
    expect(Number(JSON.parse(counted.stdout)[0].n)).toBe(pattern.failing_rows);

    const text = (await dataops(['status'])).stdout;
    expect(text).toContain('Failing-row samples (sensitive columns masked');
    expect(text).toContain(`retail_pos silver.transactions ${PATTERN} (5 of`);
    // The demo's customer emails end in example.com: none is shown whole.
    expect(text).not.toMatch(/"customer_email":"[^•"]/);
    expect(text).not.toMatch(/"email":"[^•"]/);
  });

  test("the site's pipeline page and run page show the kept rows masked, and the SQL to copy", async () => {
    expect((await dataops(['report'])).code).toBe(0);
    const site = join(project.dir, '.dataops', 'site');
    const page = await readFile(join(site, 'pipelines', 'retail_pos.html'), 'utf8');
    const section = page.slice(page.indexOf('id="check-samples"'), page.indexOf('id="rejected"'));
    expect(section).toContain(`<summary>${PATTERN} on silver.transactions: 5 of`);
    expect(section).toMatch(/NOT REGEXP_LIKE\(/);
    // The demo's addresses are name@example.com, or broken as name.example.com: neither is shown whole.
    expect(section).not.toMatch(/[a-z0-9][@.]example\.com/);
    const runPages = (await readdir(join(site, 'runs'))).filter((f) => f.endsWith('.html'));
    const runs = await Promise.all(runPages.map((f) => readFile(join(site, 'runs', f), 'utf8')));
    const withSamples = runs.filter((html) => html.includes(`<summary>${PATTERN} on silver.transactions`));
    expect(withSamples.length).toBeGreaterThan(0);
    for (const html of withSamples) expect(html).not.toMatch(/[a-z0-9][@.]example\.com/);
  });

  test('the custom SQL check, the expression with scope: new and the checks on gold ran', async () => {
    const checks = await checksOf('retail_pos');
    expect(checks.find((c) => c.check === 'sql(transaction_totals)')).toMatchObject({ table: 'silver.transactions', kind: 'sql', status: expect.stringMatching(/^(pass|warn)$/) });
    expect(checks.find((c) => c.check === 'expression(updated_at >= sold_at)')).toMatchObject({ status: 'pass', failing_rows: 0, table_rows: expect.any(Number) });
    expect(checks.find((c) => c.table === 'gold.fact_sales' && c.kind === 'freshness')).toMatchObject({ status: 'pass', message: expect.stringMatching(/^newest sold_at is /) });
    expect((await checksOf('catalog')).find((c) => c.table === 'gold.dim_customer' && c.kind === 'row_count')).toMatchObject({ status: 'pass' });
  });

  test('run twice with more bad rows the second time: the threshold check crosses error_if and fails the run', async () => {
    await withDatabase(project.settings, (w) => w.execute(`UPDATE silver.transactions SET customer_email = 'broken' WHERE transaction_id % 5 = 0`));
    const second = await dataops(['run', 'retail_pos', '--step', 'check']);
    expect(second.code).not.toBe(0);
    const pattern = (await checksOf('retail_pos')).find((c) => c.check === PATTERN)!;
    expect(pattern).toMatchObject({ status: 'fail' });
    expect(pattern.message).toMatch(/^\d+ failing rows of [\d,]+ \((1\d|2\d)(\.\d)?%\): error_if > 10%/);
    expect(pattern.samples!.every((s) => s.customer_email === '••••' || String(s.customer_email).startsWith('••••'))).toBe(true);
    const runs = await withDatabase(project.settings, (w) => w.query<{ status: string; n: number }>(
      `SELECT status, COUNT(*) AS n FROM meta.check_results WHERE check_name = '${PATTERN.replace(/'/g, "''")}' GROUP BY status ORDER BY status`,
    ));
    expect(runs).toEqual([{ status: 'fail', n: 1 }, { status: 'warn', n: 1 }]);
  });
});
