// A node's fingerprint: a hash of what it is declared as, normalised, so that an edit that changes
// nothing (a comment, spacing, key order in YAML) keeps it and any edit that can change the data moves it.
// The warehouse keeps the fingerprint each table was built from; a differing one means the declaration
// changed since (SQLMesh's snapshot fingerprints work the same way).
import { createHash } from 'node:crypto';
import type { SilverTable } from '../config/types.js';
import type { SqlModel } from '../config/sql-model.js';
import { tokenize } from '../sql/tokenize.js';

/** sha256 of a value as canonical JSON (object keys sorted, undefined left out), first 16 hex digits. */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/** Everything that decides a silver table's rows: its mapping, not its descriptions (the table's or its columns'). */
export function silverDefinition(table: SilverTable): unknown {
  return {
    from: table.from,
    explode: table.explode ?? null,
    key: table.key,
    latest_by: table.latest_by ?? null,
    // Only when set, so that tables declared before these existed keep their fingerprints.
    ...(table.history ? { history: table.history } : {}),
    ...(table.deleted_when ? { deleted_when: table.deleted_when } : {}),
    columns: table.columns.map((c) => ({
      name: c.name,
      path: c.path,
      type: c.type,
      required: c.required,
      normalize: c.normalize,
      pattern: c.pattern ?? null,
      min: c.min ?? null,
      max: c.max ?? null,
    })),
  };
}

/**
 * A model's SQL without comments, each run of whitespace one space, and unquoted names and keywords in
 * lower case (Snowflake does not tell them apart); string literals and quoted names stay as written.
 */
export function normalizeSql(sql: string): string {
  let out = '';
  for (const token of tokenize(sql)) {
    if (token.kind === 'ws' || token.kind === 'comment') {
      if (out !== '' && !out.endsWith(' ')) out += ' ';
    } else out += token.kind === 'word' ? token.text.toLowerCase() : token.text;
  }
  return out.trimEnd();
}

/**
 * A model's SQL, normalised, and its options (how it is materialised); comments, and so its docs, are not part
 * of it, nor which columns are sensitive (masked where read: the stored rows do not change).
 */
export function modelDefinition(model: SqlModel): { sql: string; options: Omit<SqlModel['options'], 'sensitive'> } {
  const { sensitive: _shownMasked, ...options } = model.options;
  return { sql: normalizeSql(model.select), options };
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
