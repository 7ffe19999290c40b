// The diff for people: plain text for a terminal, and a Markdown section for the pull-request comment
// that fits the room it is given. Values come from data, so every value is masked and escaped.
import { formatCount } from '../report/format.js';
import { escapeTableCell } from '../report/summary.js';
import { mask } from '../secrets.js';
import type { DiffSample, TableDiff } from './table-diff.js';

/** A table worth a reviewer's look: something differs, or rows could not be compared. */
function noteworthy(d: TableDiff): boolean {
  return d.differs || d.error !== null || duplicateRows(d) > 0 || (d.null_keys?.base ?? 0) + (d.null_keys?.changed ?? 0) > 0;
}

function duplicateRows(d: TableDiff): number {
  return (d.duplicate_keys?.base.rows ?? 0) + (d.duplicate_keys?.changed.rows ?? 0);
}

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

function rowsChange(d: TableDiff): string {
  const { base, changed } = d.rows;
  if (d.error) return 'not compared';
  if (base === null && changed === null) return 'on neither side';
  if (base === null) return `new: ${plural(changed!, 'row')}`;
  if (changed === null) return `dropped: had ${plural(base, 'row')}`;
  const delta = changed - base;
  return `${formatCount(base)} → ${formatCount(changed)}${delta ? ` (${delta > 0 ? '+' : '−'}${formatCount(Math.abs(delta))})` : ''}`;
}

function schemaSummary(d: TableDiff): string[] {
  return [
    ...d.schema.added.map((c) => `+${c.column} ${c.type}`),
    ...d.schema.removed.map((c) => `−${c.column} ${c.type}`),
    ...d.schema.retyped.map((c) => `${c.column} ${c.base_type} → ${c.changed_type}`),
  ];
}

function columnChangeSummary(d: TableDiff): string[] {
  return Object.entries(d.column_changes ?? {})
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([column, n]) => `${column} (${formatCount(n)})`);
}

/** At most `max` items, then how many more. */
function capped(items: string[], max: number): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

// ---- text ----

export interface DiffReport {
  /** Where the base side is: a DuckDB file, or a Snowflake database. */
  base: string;
  /** Where the changed side is. */
  changed: string;
  tables: TableDiff[];
  /** With the tables a change touches (`--changes-from`): those on neither side, so not built here and not compared. */
  not_built?: string[];
}

/** For a terminal: one block per table that differs, then the unchanged ones on a line. */
export function renderDiffText(report: DiffReport): string {
  const differing = report.tables.filter(noteworthy);
  const same = report.tables.filter((d) => !noteworthy(d));
  const lines = [`${report.changed} compared with ${report.base}: ${formatCount(differing.length)} of ${plural(report.tables.length, 'table')} differ`];
  for (const d of differing) {
    lines.push('', `${d.table}${d.key ? ` (key ${d.key.join(', ')})` : ' (no key)'}`);
    lines.push(`  rows: ${rowsChange(d)}`);
    if (d.error) lines.push(`  ERROR: ${d.error}`);
    else if (d.exists.base && d.exists.changed) {
      const changed = d.rows_changed === null ? '' : `, changed ${formatCount(d.rows_changed)}`;
      lines.push(`  added ${formatCount(d.rows_added)}, removed ${formatCount(d.rows_removed)}${changed}, unchanged ${formatCount(d.rows_unchanged ?? 0)}`);
    }
    const columns = columnChangeSummary(d);
    if (columns.length) lines.push(`  changed columns: ${columns.join(', ')}`);
    const schema = schemaSummary(d);
    if (schema.length) lines.push(`  schema: ${schema.join('; ')}`);
    for (const note of d.notes) lines.push(`  note: ${note}`);
    if (d.samples.length) lines.push(`  sample ${d.samples[0].kind === 'changed' ? 'changed rows' : 'rows only on one side'}:`);
    for (const s of d.samples) lines.push(...textSample(s).map((l) => `    ${l}`));
  }
  if (same.length) lines.push('', `unchanged: ${same.map((d) => `${d.table} (${plural(d.rows.changed ?? 0, 'row')})`).join(', ')}`);
  if (report.not_built?.length) lines.push('', `not built on either side, so not compared: ${report.not_built.join(', ')}`);
  return mask(lines.join('\n'));
}

/** A value on one line, with no terminal control characters: NULL, plain text as it is, anything else quoted. */
function textValue(value: string | null): string {
  if (value === null) return 'NULL';
  return /^[^\s"\p{C}]+$/u.test(value) ? value : JSON.stringify(value);
}

function textSample(s: DiffSample): string[] {
  if (s.kind === 'changed') {
    return [
      Object.entries(s.key).map(([k, v]) => `${k}=${textValue(v)}`).join(' '),
      ...s.changes.map((c) => `  ${c.column}: ${textValue(c.before)} -> ${textValue(c.after)}`),
    ];
  }
  const copies = s.copies === 1 ? '' : ` x${s.copies}`;
  return [`${s.kind === 'added' ? '+' : '-'}${copies} ${Object.entries(s.row).map(([k, v]) => `${k}=${textValue(v)}`).join(' ')}`];
}

// ---- Markdown ----

export interface DiffMarkdownOptions {
  /** The section never has more characters than this (GitHub counts a comment's characters). */
  maxChars: number;
  /** And, when given, never more UTF-8 bytes than this (a job summary is limited in bytes). */
  maxBytes?: number;
  /** The section's heading (default "Data changes"). */
  title?: string;
  /** The command that shows everything, named when something is left out (default `npx dataops diff`). */
  command?: string;
}

/** What one rendering keeps, each count from the front of its list. */
interface Kept {
  samples: number;
  unchanged: number;
  differing: number;
}

/**
 * The diff as a Markdown section: a summary table of every table, then the sample rows of the tables
 * that differ. When it is longer than the budget, samples go first (from the last table up), then
 * the tables that did not change, then the tables that did (from the last), and a line says what was
 * left out. The result always fits; with too small a budget it is the empty string.
 */
export function renderDiffMarkdown(diffs: readonly TableDiff[], options: DiffMarkdownOptions): string {
  const differing = diffs.filter(noteworthy);
  const unchanged = diffs.filter((d) => !noteworthy(d));
  const fits = (text: string) => text.length <= options.maxChars && (options.maxBytes === undefined || Buffer.byteLength(text, 'utf8') <= options.maxBytes);
  const render = (kept: Kept) => markdown(differing, unchanged, kept, options);

  const kept: Kept = { samples: differing.length, unchanged: unchanged.length, differing: differing.length };
  for (const part of ['samples', 'unchanged', 'differing'] as const) {
    if (fits(render(kept))) return render(kept);
    kept[part] = largestFitting(kept[part], (n) => fits(render({ ...kept, [part]: n })));
  }
  return fits(render(kept)) ? render(kept) : '';
}

/** The largest n in 0..max with fits(n), for fits true up to some n and false after; 0 when none. */
export function largestFitting(max: number, fits: (n: number) => boolean): number {
  let [low, high] = [0, max];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

function markdown(differing: TableDiff[], unchanged: TableDiff[], kept: Kept, options: DiffMarkdownOptions): string {
  const total = differing.length + unchanged.length;
  const lines = [`### ${escapeTableCell(options.title ?? 'Data changes')}: ${formatCount(differing.length)} of ${plural(total, 'table')} differ`, ''];
  const shown = [...differing.slice(0, kept.differing), ...unchanged.slice(0, kept.unchanged)];
  if (total === 0) lines.push('No tables to compare.');
  if (shown.length) {
    lines.push('| Table | Rows (base → changed) | Added | Removed | Changed | Columns changed | Schema |', '| --- | --- | ---: | ---: | ---: | --- | --- |');
    for (const d of shown) {
      const both = d.exists.base && d.exists.changed && d.error === null;
      const count = (n: number | null) => (both ? (n === null ? 'no key' : formatCount(n)) : '—');
      lines.push(
        `| ${[
          `\`${d.table}\``,
          escapeTableCell(rowsChange(d)),
          count(d.rows_added),
          count(d.rows_removed),
          count(d.rows_changed),
          escapeTableCell(capped(columnChangeSummary(d), 5)),
          escapeTableCell(capped(schemaSummary(d), 5)),
        ].join(' | ')} |`,
      );
    }
    const notes = shown.flatMap((d) => [
      ...(d.error ? [`- ⚠️ ${escapeTableCell(mask(d.error))}`] : []),
      ...d.notes.map((n) => `- \`${d.table}\`: ${escapeTableCell(n)}`),
    ]);
    if (notes.length) lines.push('', ...notes);
  }
  for (const d of differing.slice(0, Math.min(kept.samples, kept.differing))) {
    if (d.samples.length) lines.push('', ...markdownSamples(d));
  }
  const left: string[] = [];
  const withSamples = differing.slice(0, kept.differing).filter((d) => d.samples.length).length;
  const samplesShown = differing.slice(0, Math.min(kept.samples, kept.differing)).filter((d) => d.samples.length).length;
  if (samplesShown < withSamples) left.push(`the sample rows of ${plural(withSamples - samplesShown, 'table')}`);
  if (kept.unchanged < unchanged.length) left.push(`${plural(unchanged.length - kept.unchanged, 'unchanged table')}`);
  if (kept.differing < differing.length) left.push(`${plural(differing.length - kept.differing, 'table')} that differ`);
  if (left.length) lines.push('', `_Left out to fit: ${left.join(', ')}. \`${options.command ?? 'npx dataops diff'}\` shows everything._`);
  return `${lines.join('\n')}\n`;
}

function markdownSamples(d: TableDiff): string[] {
  const lines = [`<details><summary><code>${d.table}</code>: ${plural(d.samples.length, 'sample row')}</summary>`, ''];
  if (d.samples[0].kind === 'changed') {
    lines.push(`| ${escapeTableCell(d.key!.join(', '))} | Column | Before | After |`, '| --- | --- | --- | --- |');
    for (const s of d.samples) {
      if (s.kind !== 'changed') continue;
      const key = Object.values(s.key).map(codeCell).join(', ');
      s.changes.forEach((c, i) => lines.push(`| ${i === 0 ? key : ''} | ${escapeTableCell(c.column)} | ${codeCell(c.before)} | ${codeCell(c.after)} |`));
    }
  } else {
    lines.push('| | Copies | Row |', '| --- | ---: | --- |');
    for (const s of d.samples) {
      if (s.kind === 'changed') continue;
      const row = Object.entries(s.row).map(([k, v]) => `${escapeTableCell(k)}=${codeCell(v)}`).join(', ');
      lines.push(`| ${s.kind === 'added' ? 'added' : 'removed'} | ${formatCount(s.copies)} | ${row} |`);
    }
  }
  lines.push('', '</details>');
  return lines;
}

/**
 * A value from the data in a table cell: masked, in a code span, so Markdown, HTML, links and @mentions
 * in it stay text. Line breaks show as \n (a cell is one line); a pipe is escaped for the table.
 */
export function codeCell(value: string | null): string {
  if (value === null) return '_NULL_';
  const text = mask(value).replace(/\r\n|\r|\n/g, '\\n').replace(/\|/g, '\\|');
  if (text === '') return '`""`';
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') || text.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
