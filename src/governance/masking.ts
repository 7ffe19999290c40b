// How a sensitive value is shown where people read data (samples on the site; later PR comments and
// summaries): a small registry keyed by rule name, as src/sources/pagination.ts keys paginators by kind.
// A column declared `sensitive: true` in a pipeline names its rule with `mask:` (default redact). Issue #15
// grows this registry into Snowflake masking policies; the rule names and what each shows stay the same.
import { createHash } from 'node:crypto';

export const MASK_RULE_NAMES = ['redact', 'hash', 'partial', 'null'] as const;
export type MaskRuleName = (typeof MASK_RULE_NAMES)[number];
export const DEFAULT_MASK_RULE: MaskRuleName = 'redact';

export interface MaskRule {
  /** What a reader sees instead of the value, in words (the site says it next to masked samples). */
  describe: string;
  /** The value to show instead of `value` (never null or undefined: there is nothing to hide in those). */
  mask(value: unknown): unknown;
}

/** What a redacted value, or a redacted part of one, shows. */
export const REDACTED = '••••';

/** Strings this long (and numbers with this many digits) keep their last 4 characters under `partial`: phone and card numbers. */
export const PARTIAL_TAIL_MIN_LENGTH = 10;

export const MASK_RULES: Readonly<Record<MaskRuleName, MaskRule>> = {
  redact: { describe: `replaced by ${REDACTED}`, mask: () => REDACTED },
  null: { describe: 'replaced by null', mask: () => null },
  hash: {
    describe: 'replaced by the first 12 hex digits of its SHA-256 (equal values hash alike)',
    mask: (value) => `sha256:${createHash('sha256').update(textOf(value)).digest('hex').slice(0, 12)}`,
  },
  partial: {
    describe: `an email keeps its domain (${REDACTED}@example.com), a long number or text its last 4 characters, anything else is redacted`,
    mask: (value) => {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') return REDACTED;
      const text = String(value).trim();
      const at = text.lastIndexOf('@');
      if (at >= 0) return `${REDACTED}@${text.slice(at + 1)}`;
      return text.length >= PARTIAL_TAIL_MIN_LENGTH ? `${REDACTED}${text.slice(-4)}` : REDACTED;
    },
  },
};

export function maskRule(name: string): MaskRule {
  const rule = (MASK_RULES as Record<string, MaskRule | undefined>)[name];
  if (!rule) throw new Error(`unknown mask rule "${name}" (expected one of: ${MASK_RULE_NAMES.join(', ')})`);
  return rule;
}

/** A field of a record that holds a sensitive column's value. */
export interface SensitiveField {
  /** Keys from the record's root (a dot path split); a number indexes an array. */
  path: readonly string[];
  rule: MaskRuleName;
  /** The column it feeds, for readers: "silver.customers.email". */
  column: string;
}

export interface MaskedRecord {
  value: unknown;
  /** How many values were masked. */
  masked: number;
  /** True when the record is not a JSON object, so its fields cannot be found: the whole of it was redacted. */
  wholeRecord: boolean;
}

/**
 * The record with every sensitive field masked by its rule. An array met on the way is entered element by
 * element (a path with an index picks that element), so an exploded table's field is masked in each element
 * of its parent record. A record that is not an object, when any field of it is sensitive, is redacted whole:
 * a string or a list of strings could be the sensitive value itself; so is a record a field with an empty
 * path (the whole record) is sensitive in. `record` is not modified.
 */
export function maskRecord(record: unknown, fields: readonly SensitiveField[]): MaskedRecord {
  if (fields.length === 0) return { value: record, masked: 0, wholeRecord: false };
  // An empty path is the record itself (a column that maps the whole record).
  if (!isObject(record) || fields.some((f) => f.path.length === 0)) return { value: REDACTED, masked: 1, wholeRecord: true };
  const copy = structuredClone(record);
  let masked = 0;
  for (const field of fields) masked += maskAt(copy, field.path, 0, MASK_RULES[field.rule]);
  return { value: copy, masked, wholeRecord: false };
}

/** Masks the value at path[i..] below `node` in place; the number of values masked. */
function maskAt(node: unknown, path: readonly string[], i: number, rule: MaskRule): number {
  if (Array.isArray(node)) {
    if (/^\d+$/.test(path[i])) return maskChild(node, Number(path[i]), path, i, rule);
    return node.reduce<number>((n, _, index) => n + maskChild(node, index, path, i - 1, rule), 0);
  }
  if (isObject(node) && Object.hasOwn(node, path[i])) return maskChild(node, path[i], path, i, rule);
  return 0;
}

/** Masks container[key] when path[at] is the last key, else goes on below it. */
function maskChild(container: Record<string | number, unknown> | unknown[], key: string | number, path: readonly string[], at: number, rule: MaskRule): number {
  const child = (container as Record<string | number, unknown>)[key];
  if (at + 1 < path.length) return maskAt(child, path, at + 1, rule);
  if (child === null || child === undefined) return 0;
  (container as Record<string | number, unknown>)[key] = rule.mask(child);
  return 1;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as the text that is hashed: a string as it is, anything else as its JSON (the SQL rule casts to text). */
function textOf(value: unknown): string {
  // A BIGINT arrives as a bigint, which JSON.stringify refuses: its digits, as a number's JSON is.
  return typeof value === 'string' ? value : typeof value === 'bigint' ? String(value) : JSON.stringify(value);
}
