import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { escapeTableCell, renderSummaryMarkdown, writeStepSummary } from '../../../src/report/summary.js';
import type { CheckResult, StatusReport } from '../../../src/state/types.js';
import { statusReport } from '../../fixtures/status/report.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

function healthyReport(): StatusReport {
  const report = structuredClone(statusReport);
  report.pipelines[1].last_run = { ...report.pipelines[1].last_run!, status: 'success', error: null };
  for (const pipeline of report.pipelines) {
    for (const check of pipeline.checks) if (check.status === 'fail') Object.assign(check, { status: 'pass', failing_rows: 0 });
  }
  for (const table of report.tables) if (table.freshness?.state === 'error') table.freshness.state = 'fresh';
  return report;
}

function hugeReport(checks: number, message: string): StatusReport {
  const report = structuredClone(statusReport);
  report.pipelines[0].checks = Array.from({ length: checks }, (_, i): CheckResult => ({
    table: 'silver.transactions',
    check: `range(total_${i})`,
    kind: 'range',
    severity: i % 3 === 0 ? 'warn' : 'error',
    status: i % 3 === 0 ? 'warn' : 'fail',
    failing_rows: i,
    message: `${message} #${i}`,
  }));
  return report;
}

describe('escapeTableCell', () => {
  it.each([
    ['a | b', 'a \\| b'],
    ['line 1\nline 2\r\nline 3', 'line 1<br>line 2<br>line 3'],
    ['ends with \\', 'ends with \\\\'],
    ['<img src=x>', '&lt;img src=x&gt;'],
  ])('escapes %j', (input, expected) => {
    expect(escapeTableCell(input)).toBe(expected);
  });
});

describe('renderSummaryMarkdown', () => {
  it('leads with a failing headline and every count', () => {
    const md = renderSummaryMarkdown(statusReport);
    const [first, , counts, , meta] = md.split('\n');
    expect(first).toBe('## ❌ Data-ops status');
    expect(counts).toBe('**1,840 rows loaded · 5,233 accepted · 17 rejected · checks: 3 passed, 1 warned, 1 failed** (each pipeline’s last run)');
    expect(meta).toContain('Target duckdb `dev`');
    expect(meta).toContain('failed runs: 1');
    expect(meta).toContain('freshness: 1 error, 1 warn');
    expect(meta).toContain('conservation: ✅ OK');
  });

  it('has a pipeline table, then failed runs, failed checks, warned checks, freshness breaches, schema drift and conservation', () => {
    const md = renderSummaryMarkdown(statusReport, { title: 'Hourly ingest' });
    expect(md.startsWith('## ❌ Hourly ingest\n')).toBe(true);
    expect(md).toContain('| retail_pos | ✅ success | 1,240 | 4,633 | 17 | 2 | 1 | 0 | ✅ |');
    expect(md).toContain('| inventory | ❌ failed | 600 | 600 | 0 | 1 | 0 | 1 | ✅ |');
    expect(md).toContain('| inventory | silver.inventory_levels | relationships(store_key) | error | fail | 14 | 14 rows have store_key not found in gold.dim_store.store_key |');
    expect(md).toContain('check: 1 check failed: silver.inventory_levels relationships(store_key) (14 failing rows)');
    expect(md).toContain('| silver.inventory_levels | ❌ error | counted_at: 2024-05-01T03:55:00Z | 8h 10m | 1h | 4h |');
    expect(md).toContain('| silver.transaction_lines | ⚠️ warn |');
    expect(md).not.toContain('gold.daily_sales_summary'); // unknown freshness is not a breach

    expect(md).toContain('| retail_pos | transactions | payment.wallet | ➕ added | — | VARCHAR | run_a.retail_pos.transactions |');
    const order = ['### Pipelines', '### Failed runs', '### Failed checks (1)', '### Warned checks (1)', '### Freshness breaches (2)', '### Schema drift (1)', '### Conservation']
      .map((heading) => md.indexOf(heading));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).toContain('✅ Every silver load of each last run kept bronze = accepted + rejected.');
    expect(md).not.toContain('Truncated');
  });

  it('is amber, not red, when nothing fails but a check warns: a warning is never a failure', () => {
    const md = renderSummaryMarkdown(healthyReport());
    expect(md.startsWith('## ⚠️ Data-ops status\n')).toBe(true);
    expect(md).not.toContain('### Failed');
    expect(md).toContain('### Warned checks (1)');
  });

  it('says what its counts are of: each pipeline\'s last run, or one run', () => {
    expect(renderSummaryMarkdown(statusReport).split('\n')[2]).toMatch(/\*\* \(each pipeline’s last run\)$/);
    expect(renderSummaryMarkdown(statusReport, { scope: { runId: 'run_1' } }).split('\n')[2]).toMatch(/\*\* \(run `run_1` only\)$/);
  });

  it('lists loads that broke conservation', () => {
    const report = structuredClone(statusReport);
    report.conservation_ok = false;
    Object.assign(report.pipelines[0].silver_loads[0], { accepted: 1_200, conserved: false });
    const md = renderSummaryMarkdown(report);
    expect(md.split('\n')[0]).toBe('## ❌ Data-ops status');
    expect(md).toContain('conservation: ❌ broken');
    expect(md).toContain('### Conservation broken (1)');
    expect(md).toContain('| retail_pos | silver.transactions | b-7f3a | 1,240 | 1,200 | 12 | 28 |');
  });

  it('keeps hostile cell text inside its cell', () => {
    const report = structuredClone(statusReport);
    report.pipelines[1].checks[1].message = 'a | b\n| forged | row |\n<script>alert(1)</script>';
    const md = renderSummaryMarkdown(report);
    const line = md.split('\n').find((l) => l.startsWith('| inventory | silver.inventory_levels | relationships(store_key)'))!;
    expect(line).toBe('| inventory | silver.inventory_levels | relationships(store_key) | error | fail | 14 | a \\| b<br>\\| forged \\| row \\|<br>&lt;script&gt;alert(1)&lt;/script&gt; |');
    expect(md).not.toContain('<script>');
  });

  it('stays under the default limit with thousands of checks and says it was truncated', () => {
    const md = renderSummaryMarkdown(hugeReport(20_000, 'x'.repeat(80)));
    expect(bytes(md)).toBeLessThanOrEqual(1_000_000);
    expect(bytes(md)).toBeGreaterThan(990_000);
    expect(md.split('\n')[0]).toBe('## ❌ Data-ops status');
    expect(md).toMatch(/\n_Truncated: [\d,]+ more lines not shown to keep this summary under 1,000,000 bytes; .*_\n$/);
  });

  it.each([200, 1_000, 5_000, 64_000])('never exceeds maxBytes=%i, counting UTF-8 bytes', (maxBytes) => {
    const md = renderSummaryMarkdown(hugeReport(5_000, 'värde saknas 🚫 '.repeat(5)), { maxBytes });
    expect(bytes(md)).toBeLessThanOrEqual(maxBytes);
    expect(md).not.toContain('\uFFFD');
  });

  it('keeps the headline and whole lines when truncating', () => {
    const md = renderSummaryMarkdown(hugeReport(5_000, 'värde saknas 🚫'), { maxBytes: 5_000 });
    expect(md.split('\n').slice(0, 3)).toEqual([
      '## ❌ Data-ops status',
      '',
      '**1,840 rows loaded · 5,233 accepted · 17 rejected · checks: 1 passed, 1,667 warned, 3,334 failed** (each pipeline’s last run)',
    ]);
    const body = md.split('\n').filter((line) => line.startsWith('| '));
    expect(body.length).toBeGreaterThan(5);
    for (const line of body) expect(line.endsWith(' |')).toBe(true);
    expect(md.trimEnd().split('\n').at(-1)).toMatch(/^_Truncated: [\d,]+ more lines not shown/);
  });
});

describe('writeStepSummary', () => {
  it('returns false when GITHUB_STEP_SUMMARY is not set', async () => {
    expect(await writeStepSummary('# hi', {})).toBe(false);
    expect(await writeStepSummary('# hi', { GITHUB_STEP_SUMMARY: '' })).toBe(false);
  });

  it('appends to the file the runner names', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dataops-summary-'));
    try {
      const file = path.join(dir, 'step_summary');
      await writeFile(file, 'earlier step\n');
      const env = { GITHUB_STEP_SUMMARY: file };
      expect(await writeStepSummary('## first', env)).toBe(true);
      expect(await writeStepSummary(renderSummaryMarkdown(statusReport), env)).toBe(true);
      const text = await readFile(file, 'utf8');
      expect(text.startsWith('earlier step\n## first\n## ❌ Data-ops status\n')).toBe(true);
      expect(text.endsWith('\n')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('failing-row samples', () => {
  it('folds each failing or warned check\'s kept rows and its failing-rows SQL under its name; cells are escaped', () => {
    const report = structuredClone(statusReport);
    report.pipelines[0].checks = [{
      table: 'silver.customers', check: 'pattern(email ~ [^@]+@.+)', kind: 'pattern', severity: 'error', status: 'fail', failing_rows: 12, table_rows: 400, message: '12 failing rows of 400 (3%)',
      sql: "SELECT * FROM silver.customers WHERE NOT regexp_full_match(email, '```')",
      samples: [{ id: 1, email: '••••@example.com', note: 'a | b' }, { id: 2, email: null, note: { nested: true } }],
    }];
    const text = renderSummaryMarkdown(report);
    expect(text).toContain([
      '<details><summary>retail_pos silver.customers pattern(email ~ [^@]+@.+): 2 of 12 failing rows (sensitive columns masked)</summary>',
      '',
      '| id | email | note |',
      '| --- | --- | --- |',
      '| 1 | ••••@example.com | a \\| b |',
      '| 2 |  | {"nested":true} |',
      '',
      'The failing rows:',
      '',
      '````sql',
      "SELECT * FROM silver.customers WHERE NOT regexp_full_match(email, '```')",
      '````',
      '',
      '</details>',
    ].join('\n'));
  });

  it('a byte budget keeps or drops a check\'s sample block whole', () => {
    const report = structuredClone(statusReport);
    report.pipelines[0].checks = Array.from({ length: 30 }, (_, i): CheckResult => ({
      table: 't', check: `c${i}`, kind: 'not_null', severity: 'warn', status: 'warn', failing_rows: 5, message: 'm', sql: 'SELECT 1',
      samples: Array.from({ length: 5 }, (_, j) => ({ id: j, text: 'y'.repeat(100) })),
    }));
    for (const maxBytes of [3_000, 7_000, 12_000]) {
      const text = renderSummaryMarkdown(report, { maxBytes });
      expect(bytes(text)).toBeLessThanOrEqual(maxBytes);
      expect(text.split('<details>').length).toBe(text.split('</details>').length);
    }
  });

  it('shows five rows of a check at most', () => {
    const report = structuredClone(statusReport);
    const samples = Array.from({ length: 20 }, (_, i) => ({ id: i }));
    report.pipelines[0].checks = [{ table: 't', check: 'c', kind: 'not_null', severity: 'warn', status: 'warn', failing_rows: 20, message: 'm', samples }];
    const text = renderSummaryMarkdown(report);
    expect(text).toContain('5 of 20 failing rows');
    expect(text).toContain('| 4 |');
    expect(text).not.toContain('| 5 |');
  });
});
