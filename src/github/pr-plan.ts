// The plan section of the pull-request comment: each table and model the change adds, removes or
// redefines, with the category, the reasons and what it rebuilds, cut to the room it is given.
import { codeCell, largestFitting } from '../diff/render.js';
import type { ChangedTable, TableChangeKind } from '../models/change-plan.js';
import { formatCount } from '../report/format.js';

const LABEL: Record<TableChangeKind, string> = {
  added: 'added',
  removed: 'removed',
  breaking: '**breaking**: rebuilt with what reads it',
  non_breaking: 'non-breaking: rebuilt alone',
};

/** Reasons and rebuilt tables shown per row before "and N more": a row stays one screen line or two. */
const SHOWN_PER_ROW = 5;

/**
 * The section, never longer than `maxChars`: every changed table when it fits, else the first ones and a
 * line saying how many are left out; the empty string when not even its heading fits. Reasons quote the
 * pull request's own files, so they are code spans: no Markdown, HTML or @mention in them takes effect.
 */
export function renderPlanMarkdown(changes: readonly ChangedTable[], options: { maxChars: number; command?: string }): string {
  const render = (rows: number) => planMarkdown(changes, rows, options.command ?? 'npx dataops changed --base-project <base checkout>');
  const fits = (rows: number) => render(rows).length <= options.maxChars;
  if (fits(changes.length)) return render(changes.length);
  const rows = largestFitting(changes.length, fits);
  return fits(rows) ? render(rows) : '';
}

function planMarkdown(changes: readonly ChangedTable[], rows: number, command: string): string {
  const lines = [`### Plan: ${changes.length === 0 ? 'no table changes its definition' : `${formatCount(changes.length)} table${changes.length === 1 ? '' : 's'} change${changes.length === 1 ? 's' : ''}`}`, ''];
  if (changes.length === 0) {
    lines.push('No silver table or model is added, removed or redefined: what is built is built as on the base branch.');
    return `${lines.join('\n')}\n`;
  }
  lines.push('| Table | Change | Why | Rebuilds |', '| --- | --- | --- | --- |');
  for (const c of changes.slice(0, rows)) {
    const rebuilds = c.rebuilds.length ? capped(c.rebuilds.map(codeCell), ', ') : '—';
    lines.push(`| ${codeCell(c.table)} | ${LABEL[c.change]} | ${capped(c.reasons.map((r) => codeCell(cut(r))), '<br>')} | ${rebuilds} |`);
  }
  if (rows < changes.length) lines.push('', `_${formatCount(changes.length - rows)} more left out to fit; \`${command}\` lists them all._`);
  return `${lines.join('\n')}\n`;
}

/** A reason quotes a select item, which can be a page of SQL: the start of it says which one. */
function cut(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function capped(items: string[], separator: string): string {
  const shown = items.slice(0, SHOWN_PER_ROW).join(separator);
  return items.length > SHOWN_PER_ROW ? `${shown}${separator}… and ${items.length - SHOWN_PER_ROW} more` : shown;
}
