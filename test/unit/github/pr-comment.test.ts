// The pull-request comment's plan and data diff: what each shows, that what the pull request's own files
// say stays inert, and that under GitHub's 65,536-character limit the parts give way in order: the
// checks first, then the diff, then the plan; the root cause and validation stay.
import { describe, expect, test } from 'vitest';
import type { DiffReport } from '../../../src/diff/render.js';
import type { TableDiff } from '../../../src/diff/table-diff.js';
import type { Diagnostic } from '../../../src/errors.js';
import { COMMENT_MAX_CHARS, renderPrComment, type PrReport } from '../../../src/github/pr-comment.js';
import { renderPlanMarkdown } from '../../../src/github/pr-plan.js';
import type { PrScope } from '../../../src/github/pr-scope.js';
import type { ChangedTable } from '../../../src/models/change-plan.js';
import type { CheckResult, StatusReport } from '../../../src/state/types.js';

const breaking: ChangedTable = { table: 'silver.stores', layer: 'silver', change: 'breaking', reasons: ['column city: normalize [trim] -> [trim, upper]'], rebuilds: ['gold.dim_store', 'gold.daily_sales_summary'] };
const appended: ChangedTable = { table: 'gold.dim_store', layer: 'gold', change: 'non_breaking', reasons: ['column added: upper(region) as region_code'], rebuilds: [] };

describe('the plan section', () => {
  test.each<[string, ChangedTable[], string[]]>([
    ['no change to any table', [], ['### Plan: no table changes its definition', 'No silver table or model is added, removed or redefined']],
    [
      'a breaking mapping change and a model with a column appended',
      [breaking, appended],
      [
        '### Plan: 2 tables change',
        '| `silver.stores` | **breaking**: rebuilt with what reads it | `column city: normalize [trim] -> [trim, upper]` | `gold.dim_store`, `gold.daily_sales_summary` |',
        '| `gold.dim_store` | non-breaking: rebuilt alone | `column added: upper(region) as region_code` | — |',
      ],
    ],
    [
      'added and removed tables',
      [{ table: 'gold.fresh', layer: 'gold', change: 'added', reasons: ['new in sql/gold/fresh.sql'], rebuilds: [] }, { table: 'gold.top', layer: 'gold', change: 'removed', reasons: ['no longer declared (was in sql/gold/top.sql)'], rebuilds: [] }],
      ['| `gold.fresh` | added | `new in sql/gold/fresh.sql` | — |', '| `gold.top` | removed | `no longer declared (was in sql/gold/top.sql)` | — |'],
    ],
    [
      'a reason quoting the pull request\'s SQL: Markdown, HTML and mentions stay text',
      [{ ...appended, reasons: ["column added: '@data-team <img src=x onerror=alert(1)> | `x`' as note"] }],
      ["| ``column added: '@data-team <img src=x onerror=alert(1)> \\| `x`' as note`` |"],
    ],
    [
      'many reasons and rebuilt tables: five of each, then how many more',
      [{ ...breaking, reasons: Array.from({ length: 7 }, (_, i) => `column c${i} removed`), rebuilds: Array.from({ length: 8 }, (_, i) => `gold.m${i}`) }],
      ['`column c4 removed`<br>… and 2 more', '`gold.m4`, … and 3 more'],
    ],
  ])('%s', (_what, changes, shown) => {
    const text = renderPlanMarkdown(changes, { maxChars: 10_000 });
    for (const line of shown) expect(text).toContain(line);
  });

  test('cut to its room: the first tables, then how many are left out; nothing when not even the heading fits', () => {
    const changes = Array.from({ length: 400 }, (_, i) => ({ ...breaking, table: `silver.t${i}` }));
    const text = renderPlanMarkdown(changes, { maxChars: 5_000 });
    expect(text.length).toBeLessThanOrEqual(5_000);
    expect(text).toContain('| `silver.t0` |');
    const shown = text.split('\n').filter((l) => l.startsWith('| `silver.t')).length;
    expect(shown).toBeGreaterThan(10);
    expect(text).toContain(`_${400 - shown} more left out to fit; \`npx dataops changed --base-project <base checkout>\` lists them all._`);
    expect(renderPlanMarkdown(changes, { maxChars: 20 })).toBe('');
  });
});

function tableDiff(name: string, samples: number, value = 'v'.repeat(60)): TableDiff {
  return {
    table: name, key: ['id'], exists: { base: true, changed: true }, rows: { base: 100, changed: 100 },
    schema: { added: [], removed: [], retyped: [] }, compared_columns: ['city'], ignored_columns: ['_loaded_at'],
    rows_added: 0, rows_removed: 0, rows_changed: samples, rows_unchanged: 100 - samples, column_changes: { city: samples },
    duplicate_keys: { base: { keys: 0, rows: 0 }, changed: { keys: 0, rows: 0 } }, null_keys: { base: 0, changed: 0 },
    samples: Array.from({ length: samples }, (_, i) => ({ kind: 'changed' as const, key: { id: String(i) }, changes: [{ column: 'city', before: value, after: value.toUpperCase() }] })),
    notes: [], differs: samples > 0, error: null,
  };
}

function diffOf(tables: number, samples: number): DiffReport {
  return {
    base: '/home/runner/work/dataops/dataops/.dataops/base.duckdb',
    changed: '/home/runner/work/dataops/dataops/.dataops/pr.duckdb',
    tables: Array.from({ length: tables }, (_, i) => tableDiff(`silver.t${i}`, samples)),
    not_built: ['gold.daily_sales_summary'],
  };
}

function scopeWith(changes: ChangedTable[]): PrScope {
  return { files: ['pipelines/stores.yml'], changedPipelines: ['stores'], changedModels: [], pipelines: ['stores'], models: ['gold.dim_store'], skipped: [], changes };
}

function statusWith(checks: number): StatusReport {
  const results: CheckResult[] = Array.from({ length: checks }, (_, i) => ({
    table: 'silver.stores', check: `accepted_values(city_${i})`, kind: 'accepted_values', severity: 'warn', status: 'warn', failing_rows: i, message: `${i} rows ${'x'.repeat(80)}`,
  }));
  return {
    generated_at: '2026-11-22T12:00:00.000Z',
    target: { kind: 'duckdb', database: '/w/.dataops/pr.duckdb' },
    tables: [],
    pipelines: [{
      name: 'stores', description: 'Stores', owner: 'data-eng', file: 'pipelines/stores.yml',
      last_run: { run_id: 'run_1', status: 'success', started_at: '2026-11-22T11:59:00.000Z', finished_at: '2026-11-22T12:00:00.000Z', error: null, steps: [] },
      batches: [], silver_loads: [], checks: results, checks_run_id: 'run_1', rejected: [], schema_drift: [],
    }],
    conservation_ok: true,
  };
}

const diagnostics = (n: number): Diagnostic[] =>
  Array.from({ length: n }, (_, i) => ({ file: 'pipelines/stores.yml', line: i + 1, col: 3, severity: 'warning' as const, message: `unused key "x${i}"` }));

const HEADINGS = {
  failure: '```text',
  scope: '### What this pull request builds',
  plan: '### Plan:',
  validation: '### Validation',
  diff: '### Data diff',
  checks: 'Checks on the pull request’s copy of the warehouse',
};

describe('the comment with the plan and the diff', () => {
  test('shows each part, in order: the failure, what it builds, the plan, validation, the data diff, the checks', () => {
    const body = renderPrComment({ scope: scopeWith([breaking, appended]), diff: diffOf(2, 2), report: statusWith(1), diagnostics: [], failure: 'quality-gate failed: 1 check failed', runId: 'run_1' });
    const at = Object.values(HEADINGS).map((h) => body.indexOf(h));
    expect(at.every((i) => i > 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(body).toContain('### Data diff: 2 of 2 tables differ');
    // Where each side is, by file name only; and what the change touches that was not built.
    expect(body).toContain('_Base: `base.duckdb`; pull request: `pr.duckdb`._');
    expect(body).not.toContain('/home/runner');
    expect(body).toContain('_Not built on either side, so not compared: `gold.daily_sales_summary`');
  });

  test('says why there is no diff when its file could not be read', () => {
    const body = renderPrComment({ scope: scopeWith([breaking]), diffUnavailable: 'diff.json is empty; expected the output of `dataops diff --json`', diagnostics: [] });
    expect(body).toContain('### Data diff\n\n⚠️ No data diff: diff.json is empty; expected the output of `dataops diff --json`');
  });

  // Each case overfills the comment with one part or more; what gives way, and what stays whole.
  test.each<{ name: string; input: Partial<PrReport>; whole: Array<keyof typeof HEADINGS>; cut: Array<keyof typeof HEADINGS>; gone: Array<keyof typeof HEADINGS> }>([
    {
      name: 'a big diff and many checks: the checks go first, then the diff is cut',
      input: { scope: scopeWith([breaking]), diff: diffOf(60, 100), report: statusWith(3000) },
      whole: ['scope', 'plan', 'validation'],
      cut: ['diff'],
      gone: ['checks'],
    },
    {
      name: 'a plan of thousands of tables: the plan is cut, the diff and the checks find no room',
      input: { scope: scopeWith(Array.from({ length: 3000 }, (_, i) => ({ ...breaking, table: `silver.t${i}` }))), diff: diffOf(5, 5), report: statusWith(100) },
      whole: ['scope', 'validation'],
      cut: ['plan'],
      gone: ['diff', 'checks'],
    },
    {
      name: 'validation problems and a failure come first, whatever else there is',
      input: { scope: scopeWith([breaking, appended]), diff: diffOf(60, 100), report: statusWith(3000), diagnostics: diagnostics(50), failure: `quality-gate failed: ${'x'.repeat(3000)}` },
      whole: ['failure', 'scope', 'plan', 'validation'],
      cut: ['diff'],
      gone: [],
    },
  ])('$name', ({ input, whole, cut, gone }) => {
    const body = renderPrComment({ diagnostics: [], ...input });
    expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
    expect(body.length).toBeGreaterThan(40_000);
    expect(body).not.toContain('Truncated to fit');
    for (const part of [...whole, ...cut]) expect(body, part).toContain(HEADINGS[part]);
    for (const part of gone) expect(body, part).not.toContain(HEADINGS[part]);
    if (whole.includes('plan')) expect(body).not.toContain('more left out to fit');
    if (cut.includes('plan')) expect(body).toContain('more left out to fit');
    if (cut.includes('diff')) expect(body).toMatch(/_Left out to fit: .*`npx dataops diff` shows everything\._/);
    if (input.diagnostics) expect(body).toContain('unused key "x49"');
  });
});

describe('failing-row samples', () => {
  test("a warned check's kept rows (masked when kept) and its failing-rows SQL are in the comment", () => {
    const report = statusWith(1);
    Object.assign(report.pipelines[0].checks[0], { failing_rows: 3, samples: [{ store_id: 7, email: '••••@example.com' }], sql: "SELECT * FROM silver.stores WHERE city NOT IN ('x')" });
    const body = renderPrComment({ report, diagnostics: [], runId: 'run_1' });
    expect(body).toContain('<details><summary>stores silver.stores accepted_values(city_0): 1 of 3 failing rows (sensitive columns masked)</summary>');
    expect(body).toContain('| 7 | ••••@example.com |');
    expect(body).toContain("SELECT * FROM silver.stores WHERE city NOT IN ('x')");
  });
});

describe('schema drift in the comment', () => {
  test('each field the source added, removed or retyped is listed, its name kept as text', () => {
    const report = statusWith(0);
    report.pipelines[0].schema_drift = [
      { batch_id: 'run_1.stores.stores', resource: 'stores', path: 'manager.phone', change: 'removed', old_type: 'VARCHAR', new_type: null },
      { batch_id: 'run_1.stores.stores', resource: 'stores', path: 'size_m2', change: 'type_changed', old_type: 'BIGINT', new_type: 'VARCHAR' },
      { batch_id: 'run_1.stores.stores', resource: 'stores', path: '<img src=x>|x', change: 'added', old_type: null, new_type: 'VARCHAR' },
    ];
    const body = renderPrComment({ report, diagnostics: [], runId: 'run_1' });
    expect(body).toContain('### Schema drift (3)');
    expect(body).toContain('| stores | stores | manager.phone | ➖ removed | VARCHAR | — | run_1.stores.stores |');
    expect(body).toContain('| stores | stores | size_m2 | 🔀 type changed | BIGINT | VARCHAR | run_1.stores.stores |');
    expect(body).toContain('| stores | stores | &lt;img src=x&gt;\\|x | ➕ added | — | VARCHAR |');
    expect(renderPrComment({ report: statusWith(0), diagnostics: [] })).not.toContain('Schema drift');
  });
});
