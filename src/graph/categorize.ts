// What kind of change a new definition is against the one a table was built from, as SQLMesh's
// categorizer decides it: NON_BREAKING only when the change adds columns and leaves every existing column
// as it was (the table is rebuilt, what reads it is not); anything else is BREAKING (the table and
// everything downstream are rebuilt). Each category comes with the reasons a person reads in a plan.
import type { ColumnSpec } from '../config/types.js';
import { tokenize, type Token } from '../sql/tokenize.js';

export type ChangeCategory = 'breaking' | 'non_breaking';

export interface Categorized {
  category: ChangeCategory;
  /** One line each, e.g. "column email: normalize [trim, lower] -> [trim, upper]". */
  reasons: string[];
}

/** The silver definition as graph/fingerprint.ts stores it. */
export interface SilverShape {
  from: string;
  explode: string | null;
  key: string[];
  latest_by: string | null;
  history?: string;
  deleted_when?: { field: string; equals: unknown };
  columns: Array<Pick<ColumnSpec, 'name' | 'path' | 'type' | 'required' | 'normalize'> & { pattern: string | null; min: number | null; max: number | null }>;
}

export function categorizeSilver(before: SilverShape, after: SilverShape): Categorized {
  const breaking: string[] = [];
  const adding: string[] = [];
  for (const key of ['from', 'explode', 'key', 'latest_by', 'history', 'deleted_when'] as const) {
    if (show(before[key]) !== show(after[key])) breaking.push(`${key}: ${show(before[key])} -> ${show(after[key])}`);
  }
  const old = new Map(before.columns.map((c) => [c.name, c]));
  const now = new Map(after.columns.map((c) => [c.name, c]));
  for (const [name, column] of old) {
    const next = now.get(name);
    if (!next) {
      breaking.push(`column ${name} removed`);
      continue;
    }
    for (const attribute of ['path', 'type', 'required', 'normalize', 'pattern', 'min', 'max'] as const) {
      if (show(column[attribute]) !== show(next[attribute])) breaking.push(`column ${name}: ${attribute} ${show(column[attribute])} -> ${show(next[attribute])}`);
    }
  }
  for (const name of now.keys()) if (!old.has(name)) adding.push(`column ${name} added`);
  if (breaking.length) return { category: 'breaking', reasons: [...breaking, ...adding] };
  if (adding.length) return { category: 'non_breaking', reasons: adding };
  return { category: 'non_breaking', reasons: ['columns reordered'] };
}

/**
 * A SQL model's change: non-breaking when the new SELECT is the old one with columns appended to its
 * outermost select list, and nothing else changed; breaking otherwise, saying where it differs.
 */
export function categorizeModel(beforeSql: string, afterSql: string): Categorized {
  const before = selectShape(beforeSql);
  const after = selectShape(afterSql);
  if (!before || !after) return { category: 'breaking', reasons: ['the query changed (its outermost SELECT is not a plain select list, so added columns cannot be told apart)'] };
  if (before.head !== after.head) return { category: 'breaking', reasons: ['the query changed before its select list (WITH, DISTINCT, ...)'] };
  if (before.tail !== after.tail) return { category: 'breaking', reasons: ['the query changed after its select list (FROM, JOIN, WHERE, GROUP BY, ...)'] };
  const kept = before.items.every((item, i) => after.items[i] === item);
  if (!kept || after.items.length <= before.items.length) return { category: 'breaking', reasons: [describeItems(before.items, after.items)] };
  if (before.distinct || /\bgroup by all\b/.test(after.tail)) {
    return { category: 'breaking', reasons: ['columns added to a SELECT DISTINCT or GROUP BY ALL change which rows there are'] };
  }
  return { category: 'non_breaking', reasons: after.items.slice(before.items.length).map((item) => `column added: ${item}`) };
}

function describeItems(before: string[], after: string[]): string {
  const removed = before.filter((item) => !after.includes(item));
  if (removed.length) return `select list: ${removed.map((r) => `"${r}"`).join(', ')} removed or changed`;
  return 'select list: columns inserted before existing ones or reordered';
}

interface SelectShape {
  /** Everything before the outermost select list, normalised. */
  head: string;
  items: string[];
  /** From FROM on, normalised. */
  tail: string;
  distinct: boolean;
}

/** The outermost SELECT's parts; undefined for a set operation (UNION ...) or a shape it cannot read. */
function selectShape(sql: string): SelectShape | undefined {
  const tokens = spaced(tokenize(sql));
  let depth = 0;
  let select = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && isWord(t, 'select')) select = i;
    else if (depth === 0 && ['union', 'intersect', 'except', 'minus'].some((w) => isWord(t, w))) return undefined;
  }
  if (select < 0) return undefined;
  let start = select + 1;
  const distinct = tokens[start] !== undefined && isWord(tokens[start], 'distinct');
  if (distinct) start++;
  const items: string[] = [];
  let item: SpacedToken[] = [];
  let end = tokens.length;
  depth = 0;
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    if (depth === 0 && (isWord(t, 'from') || t.text === ';')) {
      end = i;
      break;
    }
    if (depth === 0 && t.text === ',') {
      items.push(normalized(item));
      item = [];
    } else item.push(t);
  }
  if (item.length) items.push(normalized(item));
  return { head: normalized(tokens.slice(0, start)), items, tail: normalized(tokens.slice(end)), distinct };
}

function isWord(token: Token, word: string): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === word;
}

type SpacedToken = Token & { spaceBefore: boolean };

/** The tokens without whitespace and comments, each saying whether a gap came before it. */
function spaced(tokens: Token[]): SpacedToken[] {
  const out: SpacedToken[] = [];
  let gap = false;
  for (const t of tokens) {
    if (t.kind === 'ws' || t.kind === 'comment') gap = true;
    else {
      out.push({ ...t, spaceBefore: gap });
      gap = false;
    }
  }
  return out;
}

/** Unquoted names and keywords are case-insensitive in Snowflake; everything else is kept, gaps as one space. */
function normalized(tokens: SpacedToken[]): string {
  return tokens.map((t, i) => `${i > 0 && t.spaceBefore ? ' ' : ''}${t.kind === 'word' ? t.text.toLowerCase() : t.text}`).join('');
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
