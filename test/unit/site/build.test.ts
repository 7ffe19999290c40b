import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { escapeHtml } from '../../../src/report/format.js';
import type { RunHistoryPoint } from '../../../src/state/types.js';
import { buildSite } from '../../../src/site/build.js';
import type { PipelineStatus, StatusReport } from '../../../src/state/types.js';
import { statusReport } from '../../fixtures/status/report.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'dataops-site-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function copyReport(): StatusReport {
  return structuredClone(statusReport);
}

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    [`"a" & 'b'`, '&quot;a&quot; &amp; &#39;b&#39;'],
    ['plain', 'plain'],
    [42, '42'],
  ])('escapes %j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });
});

describe('buildSite', () => {
  it('writes an overview and one page per pipeline', async () => {
    const outDir = path.join(work, 'site');
    const site = await buildSite({ report: statusReport }, outDir);

    expect(site.indexPath).toBe(path.join(outDir, 'index.html'));
    expect(site.files.sort()).toEqual([
      path.join(outDir, 'index.html'),
      path.join(outDir, 'lineage.html'),
      path.join(outDir, 'pipelines', 'inventory.html'),
      path.join(outDir, 'pipelines', 'retail_pos.html'),
      path.join(outDir, 'rejected', 'index.html'),
      path.join(outDir, 'reports', 'index.html'),
      path.join(outDir, 'tables', 'index.html'),
    ]);
    for (const file of site.files) expect((await stat(file)).isFile()).toBe(true);

    const index = await readFile(site.indexPath, 'utf8');
    expect(index).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(index).toContain('<title>Data-ops status: dev</title>');
    expect(index).toContain('href="pipelines/retail_pos.html">retail_pos</a>');
    expect(index).toContain('href="pipelines/inventory.html">inventory</a>');
    // Run states, counts (1,240 loaded, 1,228 + 3,405 accepted, 12 + 5 rejected) and check tallies.
    expect(index).toContain('<span class="badge ok">success</span>');
    expect(index).toContain('<span class="badge bad">failed</span>');
    for (const count of ['1,240', '4,633', '17', '600']) expect(index).toContain(`<td class="n">${count}</td>`);
    expect(index).toContain('<dd>3 passed, 1 warned, 1 failed <span class="note">in each pipeline’s latest checked run</span></dd>');
    expect(index).toContain('<dd>1 of 2 <span class="note">pipelines whose last run failed</span></dd>');
    expect(index).toContain('<span class="badge bad">Needs attention</span>');
    // The overview names what needs attention: the failed run with its error, the failing and the warning check.
    const attention = index.slice(index.indexOf('<h2 id="attention">'), index.indexOf('<h2 id="pipelines">'));
    expect(attention).toContain('<pre class="error">check: 1 check failed: silver.inventory_levels relationships(store_key) (14 failing rows)</pre>');
    expect(attention).toContain('<th scope="row">relationships(store_key)</th>');
    expect(attention).toContain('<th scope="row">accepted_values(status)</th>');
    expect(attention).toContain('<th scope="row">silver.inventory_levels</th>');
    // Every table appears in the freshness table with its state.
    for (const table of statusReport.tables) expect(index).toContain(`<th scope="row">${table.name}</th>`);
    expect(index).toContain('<span class="badge warn">warn</span>');
    expect(index).toContain('<span class="badge bad">error</span>');
    expect(index).toContain('<span class="badge muted">unknown</span>');
    expect(index).toContain('<span class="badge muted">no SLA</span>');
  });

  it('shows a pipeline’s run, batches, loads, checks, rejected reasons and tables on its page', async () => {
    const outDir = path.join(work, 'site');
    await buildSite({ report: statusReport }, outDir);
    const page = await readFile(path.join(outDir, 'pipelines', 'inventory.html'), 'utf8');

    expect(page).toContain('<h1>Pipeline inventory</h1>');
    expect(page).toContain('run-20240501T1200-c3d4');
    expect(page).toContain('<pre class="error">check: 1 check failed: silver.inventory_levels relationships(store_key) (14 failing rows)</pre>');
    // Each step of the run, with the one that failed.
    expect(page).toMatch(/<th scope="row">ingest<\/th>\s*<td><span class="badge ok">success<\/span>/);
    expect(page).toMatch(/<th scope="row">check<\/th>\s*<td><span class="badge bad">failed<\/span>/);
    expect(page).toContain('<code>b-8e21</code>');
    expect(page).toContain('<th scope="row">silver.inventory_levels</th>');
    expect(page).toContain('14 rows have store_key not found in gold.dim_store.store_key');
    // Failing checks come before passing ones.
    expect(page.indexOf('relationships(store_key)')).toBeLessThan(page.indexOf('not_null(store_id)'));
    expect(page).toContain('<p>No rejected rows kept.</p>');
    expect(page).not.toContain('retail_pos_transactions');

    const retail = await readFile(path.join(outDir, 'pipelines', 'retail_pos.html'), 'utf8');
    expect(retail).toContain('<th scope="row">email: does not match pattern</th>');
    expect(retail).toContain('<td class="n">3,405</td>');
    expect(retail).toContain('<span class="badge ok">OK</span>');
    expect(retail).not.toContain('Recent runs');
    expect(retail).toContain('<th scope="row"><code>payment.wallet</code></th>');
    expect(retail).toMatch(/<td>added<\/td>\s*<td>— → VARCHAR<\/td>/);
    expect(page).not.toContain('Schema drift');
  });

  it("shows a failing check's kept rows (escaped) and its failing-rows SQL on the pipeline's page", async () => {
    const report = copyReport();
    const failing = report.pipelines[1].checks.find((c) => c.status === 'fail')!;
    Object.assign(failing, { samples: [{ store_key: 99, email: '••••@example.com', note: '<script>x</script>' }], sql: 'SELECT c.* FROM silver.inventory_levels AS c WHERE c.store_key > 0' });
    const outDir = path.join(work, 'site');
    await buildSite({ report }, outDir);
    const page = await readFile(path.join(outDir, 'pipelines', 'inventory.html'), 'utf8');
    const section = page.slice(page.indexOf('id="check-samples"'), page.indexOf('id="rejected"'));
    expect(section).toContain('<summary>relationships(store_key) on silver.inventory_levels: 1 of 14 failing rows</summary>');
    expect(section).toMatch(/<td>99<\/td>\s*<td>••••@example\.com<\/td>\s*<td>&lt;script>x&lt;\/script><\/td>/);
    expect(section).toContain('<pre><code>SELECT c.* FROM silver.inventory_levels AS c WHERE c.store_key > 0</code></pre>');
    const retail = await readFile(path.join(outDir, 'pipelines', 'retail_pos.html'), 'utf8');
    expect(retail).toContain('No failing rows kept');
  });

  it('says "All good" only when nothing fails and nothing warns', async () => {
    const report = copyReport();
    report.pipelines = [report.pipelines[0]];
    report.tables = report.tables.filter((t) => t.pipeline === 'retail_pos');
    const overall = async () => {
      const site = await buildSite({ report: report }, path.join(work, 'site'));
      return /<dt>Overall<\/dt><dd>(.*?)<\/dd>/.exec(await readFile(site.indexPath, 'utf8'))![1];
    };
    // One warned check and one late table: nothing failed, but it is not all good.
    expect(await overall()).toBe('<span class="badge warn">Warnings</span>');
    report.pipelines[0].checks = report.pipelines[0].checks.filter((c) => c.status === 'pass');
    expect(await overall()).toBe('<span class="badge warn">Warnings</span>');
    for (const table of report.tables) if (table.freshness) table.freshness.state = 'fresh';
    expect(await overall()).toBe('<span class="badge ok">All good</span>');
    report.pipelines[0].last_run!.status = 'failed';
    expect(await overall()).toBe('<span class="badge bad">Needs attention</span>');
  });

  it('is self-contained: no scripts, no external assets, headed tables', async () => {
    const site = await buildSite({ report: statusReport }, path.join(work, 'site'));
    for (const file of site.files) {
      const html = await readFile(file, 'utf8');
      expect(html).not.toMatch(/<script|<link|\ssrc=|href="(https?:)?\/\//i);
      expect(html).toContain('<meta name="viewport"');
      expect(html.match(/<table>/g)?.length).toBe(html.match(/<caption>/g)?.length);
      expect(html).not.toMatch(/<th>/); // every header cell has a scope
    }
  });

  it('escapes hostile strings everywhere', async () => {
    const report = copyReport();
    const hostile = '<script>alert(1)</script>';
    report.target.database = `"><img src=x onerror=alert(1)>`;
    report.pipelines[0].description = hostile;
    report.pipelines[0].checks[0].message = hostile;
    report.pipelines[0].rejected[0].reason = hostile;
    report.tables[1].name = `silver.<b>bold</b>`;
    report.pipelines[1].last_run!.error = hostile;

    const site = await buildSite({ report: report }, path.join(work, 'site'));
    for (const file of site.files) {
      const html = await readFile(file, 'utf8');
      expect(html).not.toContain('<script');
      expect(html).not.toContain('<img');
      expect(html).not.toContain('<b>bold');
    }
    const retail = await readFile(path.join(work, 'site', 'pipelines', 'retail_pos.html'), 'utf8');
    // The renderer escapes "<" and "&" in text (">" needs no escape there): the text shows, no tag is made.
    expect(retail).toContain('&lt;script>alert(1)&lt;/script>');
  });

  it('keeps pages inside the site for unexpected pipeline names', async () => {
    const report = copyReport();
    report.pipelines[0].name = '../../escape';
    const site = await buildSite({ report: report }, path.join(work, 'site'));
    const pages = await readdir(path.join(work, 'site', 'pipelines'));
    expect(pages.sort()).toEqual(['..%2F..%2Fescape.html', 'inventory.html']);
    for (const file of site.files) expect(file.startsWith(path.join(work, 'site') + path.sep)).toBe(true);
    const index = await readFile(site.indexPath, 'utf8');
    expect(index).toContain('href="pipelines/..%252F..%252Fescape.html"');
  });

  it('marks broken conservation', async () => {
    const report = copyReport();
    report.conservation_ok = false;
    Object.assign(report.pipelines[0].silver_loads[1], { accepted: 3_400, conserved: false });
    const site = await buildSite({ report: report }, path.join(work, 'site'));
    const index = await readFile(site.indexPath, 'utf8');
    expect(index).toContain('<span class="badge bad">broken</span>');
    const retail = await readFile(path.join(work, 'site', 'pipelines', 'retail_pos.html'), 'utf8');
    expect(retail.match(/badge bad">broken/g)?.length).toBe(2); // the pipeline fact and the one load
  });

  it('shows the most recent runs of each pipeline when history is given', async () => {
    const history: RunHistoryPoint[] = [];
    for (let hour = 0; hour < 30; hour += 1) {
      const started = new Date(Date.UTC(2024, 4, 1, 0, 0) - hour * 3_600_000).toISOString();
      history.push({ run_id: `pos-${hour}`, pipeline: 'retail_pos', started_at: started, status: hour === 3 ? 'failed' : 'success', rejected: hour, checks_failed: hour === 3 ? 2 : 0 });
    }
    history.push({ run_id: 'inv-1', pipeline: 'inventory', started_at: '2024-05-01T11:00:00Z', status: 'success', rejected: 0, checks_failed: 0 });

    await buildSite({ report: statusReport, history: history.reverse() }, path.join(work, 'site'));
    const retail = await readFile(path.join(work, 'site', 'pipelines', 'retail_pos.html'), 'utf8');
    expect(retail).toContain('<h2 id="recent-runs">Recent runs</h2>');
    expect(retail).toContain('<caption>The 24 most recent runs</caption>');
    expect(retail).toContain('<code>pos-0</code>');
    expect(retail).toContain('<code>pos-23</code>');
    expect(retail).not.toContain('<code>pos-24</code>');
    expect(retail).not.toContain('inv-1');
    expect(retail.indexOf('pos-0<')).toBeLessThan(retail.indexOf('pos-1<'));
    const inventory = await readFile(path.join(work, 'site', 'pipelines', 'inventory.html'), 'utf8');
    expect(inventory).toContain('<code>inv-1</code>');
  });

  it('replaces a previous site and leaves no staging folders behind', async () => {
    const outDir = path.join(work, 'site');
    await mkdir(path.join(outDir, 'pipelines'), { recursive: true });
    await writeFile(path.join(outDir, 'pipelines', 'removed_pipeline.html'), 'old');
    await buildSite({ report: statusReport }, outDir);
    expect(await readdir(path.join(outDir, 'pipelines'))).not.toContain('removed_pipeline.html');
    expect(await readdir(work)).toEqual(['site']);
  });

  it('leaves the previous site untouched when building fails', async () => {
    const outDir = path.join(work, 'site');
    await buildSite({ report: statusReport }, outDir);
    const before = await readFile(path.join(outDir, 'index.html'), 'utf8');

    const report = copyReport();
    const broken = report.pipelines[1];
    Object.defineProperty(broken, 'checks', { get: () => { throw new Error('engine bug'); } });
    report.pipelines[1] = broken as PipelineStatus;
    await expect(buildSite({ report: report }, outDir)).rejects.toThrow('engine bug');

    expect(await readFile(path.join(outDir, 'index.html'), 'utf8')).toBe(before);
    expect(await readdir(work)).toEqual(['site']);
  });
});
