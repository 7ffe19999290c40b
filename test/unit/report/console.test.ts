import { describe, expect, it } from 'vitest';

import { renderConsoleSummary } from '../../../src/report/console.js';
import type { CheckResult } from '../../../src/state/types.js';
import { statusReport } from '../../fixtures/status/report.js';

describe('renderConsoleSummary', () => {
  it('prints a short summary naming failing checks and the site', () => {
    const text = renderConsoleSummary(statusReport, { siteIndex: 'build/site/index.html' });
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(lines.length).toBeLessThanOrEqual(20);
    expect(lines[0]).toBe('FAILED  duckdb:dev  generated 2024-05-01T12:05:00Z');
    expect(lines[1]).toBe("1,840 rows loaded, 5,233 accepted, 17 rejected; checks 3 passed, 1 warned, 1 failed; failed runs: 1 of 2 (each pipeline's last run)");
    expect(text).toContain('  retail_pos  success    loaded 1,240, rejected 17, checks 2/1/0 pass/warn/fail');
    expect(text).toContain('  inventory   failed     loaded 600, rejected 0, checks 1/0/1 pass/warn/fail');
    expect(text).toContain('    error: check: 1 check failed: silver.inventory_levels relationships(store_key) (14 failing rows)');
    expect(text).toContain('Conservation: OK');
    expect(text).toContain('Failing checks (1):\n  inventory silver.inventory_levels relationships(store_key) [fail, 14 rows]: 14 rows have store_key');
    expect(text).toContain('Freshness breaches (2):');
    expect(text).toContain('  silver.inventory_levels error: age 8h 10m (limit 4h)');
    expect(lines.at(-1)).toBe('Report: build/site/index.html');
  });

  it('stays short with many failing checks and keeps messages on one line', () => {
    const report = structuredClone(statusReport);
    report.conservation_ok = false;
    report.pipelines[0].silver_loads[0].conserved = false;
    report.pipelines[0].checks = Array.from({ length: 500 }, (_, i): CheckResult => ({
      table: 'silver.transactions', check: `range(total_${i})`, kind: 'range', severity: 'error', status: 'fail',
      failing_rows: 1, message: `bad\nline ${'y'.repeat(300)}`,
    }));
    const text = renderConsoleSummary(report);
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(20);
    expect(text).toContain('Failing checks (501):');
    expect(text).toContain('  ... and 496 more');
    expect(text).toContain('range(total_0) [fail, 1 rows]: bad line yyy');
    expect(text).toContain(', CONSERVATION BROKEN');
    expect(text).toContain('Conservation: BROKEN');
    expect(text).not.toContain('Report:');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(200);
  });

  it('says WARN when nothing fails but something warns, and OK only when nothing warns either', () => {
    const report = structuredClone(statusReport);
    report.pipelines = [report.pipelines[0]];
    report.tables = report.tables.filter((table) => table.pipeline === 'retail_pos');
    const text = renderConsoleSummary(report);
    expect(text.startsWith('WARN  duckdb:dev')).toBe(true);
    expect(text).not.toContain('Failing checks');
    report.pipelines[0].checks = report.pipelines[0].checks.filter((c) => c.status === 'pass');
    for (const table of report.tables) if (table.freshness) table.freshness.state = 'fresh';
    expect(renderConsoleSummary(report).startsWith('OK  duckdb:dev')).toBe(true);
  });
});

describe('failing-row samples', () => {
  it('lists a few kept rows of each failing or warned check, one line each, failing first, ten checks at most', () => {
    const report = structuredClone(statusReport);
    const sampled = (i: number): CheckResult => ({
      table: 'silver.customers', check: `pattern(email_${i})`, kind: 'pattern', severity: 'warn', status: 'warn', failing_rows: 40, message: '40 failing rows',
      samples: [{ id: 1, email: '••••@example.com' }, { id: 2, email: 'line\nbreak' }, { id: 3 }, { id: 4 }],
    });
    report.pipelines[0].checks = [sampled(0), { ...sampled(99), status: 'pass' }, ...Array.from({ length: 11 }, (_, i) => sampled(i + 1)), { ...sampled(42), status: 'fail' }];
    const text = renderConsoleSummary(report);
    expect(text).toContain([
      'Failing-row samples (sensitive columns masked; all of them: dataops status --json):',
      '  retail_pos silver.customers pattern(email_42) (4 of 40 failing rows kept):',
      '    {"id":1,"email":"••••@example.com"}',
      '    {"id":2,"email":"line\\nbreak"}',
      '  retail_pos silver.customers pattern(email_0) (4 of 40 failing rows kept):',
    ].join('\n'));
    expect(text).not.toContain('{"id":3}');
    expect(text).not.toContain('email_99');
    expect(text).toContain('  ... and 3 more checks\n');
  });
});
