// The diff's Markdown section for the pull-request comment: it fits the budget it is given, drops
// samples first, then unchanged tables, then tables that differ, says what it left out, and keeps data
// values inert (escaped, masked, no @mentions or HTML).
import { describe, expect, test } from 'vitest';
import { codeCell, renderDiffMarkdown, renderDiffText } from '../../../src/diff/render.js';
import type { DiffSample, TableDiff } from '../../../src/diff/table-diff.js';
import { registerSecret } from '../../../src/secrets.js';

function table(name: string, changes: Partial<TableDiff> = {}): TableDiff {
  return {
    table: name,
    key: ['id'],
    exists: { base: true, changed: true },
    rows: { base: 100, changed: 100 },
    schema: { added: [], removed: [], retyped: [] },
    compared_columns: ['name', 'total'],
    ignored_columns: ['_loaded_at'],
    rows_added: 0,
    rows_removed: 0,
    rows_changed: 0,
    rows_unchanged: 100,
    column_changes: { name: 0, total: 0 },
    duplicate_keys: { base: { keys: 0, rows: 0 }, changed: { keys: 0, rows: 0 } },
    null_keys: { base: 0, changed: 0 },
    samples: [],
    notes: [],
    differs: false,
    error: null,
    ...changes,
  };
}

function changedSamples(count: number, value = 'x'.repeat(40)): DiffSample[] {
  return Array.from({ length: count }, (_, i) => ({ kind: 'changed', key: { id: String(i) }, changes: [{ column: 'name', before: value, after: `${value}!` }] }));
}

function differing(name: string, samples = 5): TableDiff {
  return table(name, { rows_changed: samples, rows_unchanged: 100 - samples, column_changes: { name: samples, total: 0 }, samples: changedSamples(samples), differs: true });
}

const diffs = [
  differing('silver.a'),
  differing('silver.b'),
  differing('silver.c'),
  table('silver.same1'),
  table('silver.same2'),
  table('gold.same3'),
];

describe('renderDiffMarkdown within a budget', () => {
  const full = renderDiffMarkdown(diffs, { maxChars: 1_000_000 });
  const withoutSamples = renderDiffMarkdown(diffs.map((d) => ({ ...d, samples: [] })), { maxChars: 1_000_000 });

  test('everything fits: every table, every sample, nothing said to be left out', () => {
    expect(full).toContain('### Data changes: 3 of 6 tables differ');
    for (const d of diffs) expect(full).toContain(`| \`${d.table}\` |`);
    expect(full.match(/<details>/g)).toHaveLength(3);
    expect(full).not.toContain('Left out');
  });

  const kept = (text: string) => ({
    samples: (text.match(/<details>/g) ?? []).length,
    unchanged: (text.match(/^\| `(silver|gold)\.same\d` \|/gm) ?? []).length,
    differing: (text.match(/^\| `silver\.[abc]` \|/gm) ?? []).length,
  });

  test.each([
    [full.length, { samples: 3, unchanged: 3, differing: 3 }, null],
    [full.length - 1, { samples: 2, unchanged: 3, differing: 3 }, 'the sample rows of 1 table'],
    [60, { samples: 0, unchanged: 0, differing: 0 }, null],
  ])('maxChars %i keeps %j', (maxChars, expected, note) => {
    const text = renderDiffMarkdown(diffs, { maxChars });
    expect(text.length).toBeLessThanOrEqual(maxChars);
    expect(kept(text)).toEqual(expected);
    if (maxChars === 60) expect(text).toBe('');
    else if (note) expect(text).toContain(`_Left out to fit: ${note}. \`npx dataops diff\` shows everything._`);
    else expect(text).not.toContain('Left out');
  });

  test('as the budget shrinks, samples go first, then unchanged tables, then tables that differ; it always fits and says what it left out', () => {
    let previous = kept(full);
    const seen = new Set<string>();
    let emptyFrom: number | undefined;
    for (let maxChars = full.length; maxChars >= 0; maxChars -= 7) {
      const text = renderDiffMarkdown(diffs, { maxChars });
      expect(text.length).toBeLessThanOrEqual(maxChars);
      if (text === '') {
        emptyFrom ??= maxChars;
        continue;
      }
      // Once too small for anything, nothing smaller renders either.
      expect(emptyFrom).toBeUndefined();
      const now = kept(text);
      if (now.unchanged < 3) expect(now.samples).toBe(0);
      if (now.differing < 3) expect(now.unchanged).toBe(0);
      for (const part of ['samples', 'unchanged', 'differing'] as const) expect(now[part]).toBeLessThanOrEqual(previous[part]);
      const left = [
        now.samples < now.differing ? `the sample rows of ${now.differing - now.samples} table` : '',
        now.unchanged < 3 ? `${3 - now.unchanged} unchanged table` : '',
        now.differing < 3 ? `${3 - now.differing} table` : '',
      ].filter(Boolean);
      for (const part of left) expect(text).toContain(part);
      if (left.length === 0) expect(text).not.toContain('Left out');
      seen.add(left.length === 0 ? 'all' : now.differing < 3 ? 'differing' : now.unchanged < 3 ? 'unchanged' : 'samples');
      previous = now;
    }
    expect([...seen]).toEqual(['all', 'samples', 'unchanged', 'differing']);
    expect(emptyFrom).toBeLessThan(200);
  });

  test('a byte budget is kept too (a job summary counts bytes)', () => {
    const wide = [differing('silver.a', 20)].map((d) => ({ ...d, samples: changedSamples(20, 'é'.repeat(40)) }));
    const chars = renderDiffMarkdown(wide, { maxChars: 4000 });
    const bytes = renderDiffMarkdown(wide, { maxChars: 4000, maxBytes: 4000 });
    expect(chars.length).toBeLessThanOrEqual(4000);
    expect(Buffer.byteLength(chars)).toBeGreaterThan(4000);
    expect(Buffer.byteLength(bytes)).toBeLessThanOrEqual(4000);
  });

  test('a table with duplicate keys stays listed as worth a look, even with no other difference', () => {
    const dup = table('silver.dups', { duplicate_keys: { base: { keys: 1, rows: 2 }, changed: { keys: 0, rows: 0 } }, notes: ['duplicate keys: ...'] });
    const same = ['silver.s1', 'silver.s2', 'silver.s3', 'silver.s4', 'silver.s5'].map((name) => table(name));
    const all = renderDiffMarkdown([...same, dup], { maxChars: 100_000 });
    expect(all).toContain('1 of 6 tables differ');
    const text = renderDiffMarkdown([...same, dup], { maxChars: all.length - 1 });
    expect(text).toContain('`silver.dups`');
    expect(text).toMatch(/Left out to fit: \d unchanged tables/);
  });
});

describe('values from data stay inert', () => {
  test.each([
    ['a|b', '`a\\|b`'],
    ['line1\nline2', '`line1\\nline2`'],
    ['<script>alert(1)</script>', '`<script>alert(1)</script>`'],
    ['@octocat **bold** [link](http://x)', '`@octocat **bold** [link](http://x)`'],
    ['has `tick`', '`` has `tick` ``'],
    ['', '`""`'],
    [null, '_NULL_'],
  ])('codeCell(%j) is %s', (value, cell) => {
    expect(codeCell(value)).toBe(cell);
  });

  test('secrets are masked in samples, in Markdown and in text', () => {
    registerSecret('tok-5f1c9e0b7a-secret');
    const leak = table('silver.leak', {
      differs: true,
      rows_changed: 1,
      samples: [{ kind: 'changed', key: { id: '1' }, changes: [{ column: 'note', before: 'old', after: 'Bearer tok-5f1c9e0b7a-secret' }] }],
    });
    const markdown = renderDiffMarkdown([leak], { maxChars: 10_000 });
    const text = renderDiffText({ base: 'prod', changed: 'pr', tables: [leak] });
    for (const out of [markdown, text]) {
      expect(out).not.toContain('tok-5f1c9e0b7a-secret');
      expect(out).toContain('Bearer ***');
    }
  });

  test('text output shows control characters escaped, never raw', () => {
    const d = table('silver.t', { differs: true, rows_changed: 1, samples: [{ kind: 'changed', key: { id: '1' }, changes: [{ column: 'name', before: 'a\u001b[31mred', after: 'two words' }] }] });
    const text = renderDiffText({ base: 'prod', changed: 'pr', tables: [d] });
    expect(text).not.toContain('\u001b');
    expect(text).toContain('name: "a\\u001b[31mred" -> "two words"');
  });
});
