// A model's options live in its leading comment block, so the file still pastes into Snowsight unchanged:
//
//   -- materialized: incremental
//   -- unique_key: [sales_date, store_key]
//   -- time_column: sales_date
//   -- lookback: 2 days
//
// A silver model (sql/silver) may instead be `incremental_by_batch`: only the bronze batches it has not
// seen are read, appended, or merged by `unique_key` with the version of greatest `latest_by` kept.
// A line of that block of the form `-- word: value` is an option; every other comment line is prose.
// Registry keyed by option name: an unknown option is an error at its line that lists the known ones.
import type { Diagnostic } from '../errors.js';
import { DEFAULT_MASK_RULE, MASK_RULE_NAMES, type MaskRuleName } from '../governance/masking.js';

/** What `-- sensitive: col (clear)` says: the model gives this column in clear though a parent declares it sensitive. */
export const CLEAR = 'clear';
export type SensitiveRule = MaskRuleName | typeof CLEAR;

export const MATERIALIZED = ['table', 'view', 'incremental', 'incremental_by_batch'] as const;
export type Materialized = (typeof MATERIALIZED)[number];

/** The layer folder a model lives in; it decides its schema and which kinds it may use. */
export type ModelLayer = 'silver' | 'gold';

/** The kinds each layer may use: a silver model reads bronze, which grows by batches, so it is incremental by batch. */
const LAYER_KINDS: Record<ModelLayer, readonly Materialized[]> = {
  silver: ['table', 'view', 'incremental_by_batch'],
  gold: ['table', 'view', 'incremental'],
};

export interface ModelOptions {
  /**
   * table (the default): rebuilt from its SELECT; view; incremental: only the rows of a time window merged
   * in; incremental_by_batch (silver): only the rows of bronze batches it has not seen, appended or merged.
   */
  materialized: Materialized;
  /**
   * The columns that name a row: incremental and incremental_by_batch merge by them; `dataops diff` matches
   * rows by them. Without it an incremental_by_batch model appends.
   */
  unique_key?: string[];
  /** incremental_by_batch with unique_key: the column whose greatest value is the latest version of a key. */
  latest_by?: string;
  /** incremental: the column whose window is recomputed on each run. */
  time_column?: string;
  /** incremental: how far before the newest time_column value the window starts, in seconds. */
  lookback_seconds?: number;
  /**
   * Columns shown masked where people read the model (`-- sensitive: email (partial), phone`), each with
   * its mask rule (default redact), or `clear` to give in clear a column a parent declares sensitive.
   */
  sensitive?: Record<string, SensitiveRule>;
}

type Setter = (options: ModelOptions, value: string) => string | undefined;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Each option: how its value is read; a message when it is not valid. */
const OPTIONS: Record<string, { example: string; read: Setter }> = {
  materialized: {
    example: 'incremental',
    read: (o, v) => {
      if (!(MATERIALIZED as readonly string[]).includes(v)) return `materialized: "${v}" is not one of ${MATERIALIZED.join(', ')}`;
      o.materialized = v as Materialized;
    },
  },
  unique_key: {
    example: '[sales_date, store_key]',
    read: (o, v) => {
      const columns = (v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v).split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
      const bad = columns.find((c) => !IDENTIFIER.test(c));
      if (columns.length === 0 || bad !== undefined) return `unique_key: expected a column or a list such as [a, b], got "${v}"`;
      o.unique_key = columns;
    },
  },
  time_column: {
    example: 'sold_at',
    read: (o, v) => {
      if (!IDENTIFIER.test(v.toLowerCase())) return `time_column: expected a column name, got "${v}"`;
      o.time_column = v.toLowerCase();
    },
  },
  latest_by: {
    example: 'updated_at',
    read: (o, v) => {
      if (!IDENTIFIER.test(v.toLowerCase())) return `latest_by: expected a column name, got "${v}"`;
      o.latest_by = v.toLowerCase();
    },
  },
  sensitive: {
    example: 'email (partial), phone (redact)',
    read: (o, v) => {
      const rules = [...MASK_RULE_NAMES, CLEAR].join(', ');
      const out: Record<string, SensitiveRule> = {};
      for (const item of v.split(',').map((i) => i.trim())) {
        const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(\s*([a-z_]*)\s*\))?$/.exec(item);
        if (!match) return `sensitive: expected columns each with an optional mask rule in parentheses, such as email (partial), phone; got "${item || v}"`;
        const rule = match[2] ?? DEFAULT_MASK_RULE;
        if (![...MASK_RULE_NAMES, CLEAR].includes(rule)) return `sensitive: unknown mask rule "${rule}" for ${match[1]} (expected one of: ${rules})`;
        out[match[1].toLowerCase()] = rule as SensitiveRule;
      }
      o.sensitive = out;
    },
  },
  lookback: {
    example: '2 days',
    read: (o, v) => {
      const seconds = parseLookback(v);
      if (seconds === undefined) return `lookback: expected a duration such as 2 days, 6 hours or 30 minutes, got "${v}"`;
      o.lookback_seconds = seconds;
    },
  },
};

/** Every option a model's leading comment block may set, as documented in README.md and schemas/README.md. */
export const MODEL_OPTION_NAMES: readonly string[] = Object.keys(OPTIONS);

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400 };

function parseLookback(text: string): number | undefined {
  const match = /^(\d+)\s*(s|m|h|d|seconds?|minutes?|hours?|days?)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = match[2].toLowerCase();
  const name = Object.keys(UNIT_SECONDS).find((u) => u[0] === unit[0])!;
  return Number(match[1]) * UNIT_SECONDS[name];
}

/** A line of the leading comment block of the form `-- word: value`: an option, not prose. */
export const OPTION_LINE = /^--\s*([a-z][a-z0-9_]*)\s*:\s*(.*?)\s*$/;

/** The options of a model's leading comment block, with an error per bad line (and per missing option). */
export function parseModelOptions(file: string, text: string, layer: ModelLayer = 'gold'): { options: ModelOptions; diagnostics: Diagnostic[] } {
  const options: ModelOptions = { materialized: 'table' };
  const diagnostics: Diagnostic[] = [];
  const lines = text.split('\n');
  let declaredAt = 1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    if (!line.startsWith('--')) break;
    const option = OPTION_LINE.exec(line);
    if (!option) continue;
    const [, name, value] = option;
    const col = lines[i].indexOf(name) + 1;
    const spec = OPTIONS[name];
    if (!spec) {
      const known = Object.entries(OPTIONS).map(([k, s]) => `${k}: ${s.example}`).join('; ');
      diagnostics.push({ file, line: i + 1, col, severity: 'error', message: `unknown model option "${name}" (options: ${known}); a comment line that starts with "word:" is read as an option` });
      continue;
    }
    const problem = spec.read(options, value) ?? (name === 'materialized' ? kindProblem(options.materialized, layer) : undefined);
    if (problem) diagnostics.push({ file, line: i + 1, col, severity: 'error', message: problem });
    declaredAt = i + 1;
  }
  if (options.latest_by !== undefined && (options.materialized !== 'incremental_by_batch' || options.unique_key === undefined)) {
    diagnostics.push({ file, line: declaredAt, col: 1, severity: 'error', message: 'latest_by applies to materialized: incremental_by_batch with a unique_key only (it picks the latest version of each key)' });
  }
  if (options.materialized === 'incremental') {
    for (const needed of ['unique_key', 'time_column'] as const) {
      if (options[needed] === undefined) {
        diagnostics.push({ file, line: declaredAt, col: 1, severity: 'error', message: `materialized: incremental needs ${needed} (e.g. -- ${needed}: ${OPTIONS[needed].example})` });
      }
    }
  } else {
    for (const only of ['time_column', 'lookback'] as const) {
      const key = only === 'lookback' ? 'lookback_seconds' : only;
      if (options[key] !== undefined) diagnostics.push({ file, line: declaredAt, col: 1, severity: 'error', message: `${only} applies to materialized: incremental only (this model is ${options.materialized})` });
    }
  }
  return { options, diagnostics };
}

function kindProblem(kind: Materialized, layer: ModelLayer): string | undefined {
  if (LAYER_KINDS[layer].includes(kind)) return undefined;
  const hint = kind === 'incremental' ? '; a silver model reads bronze, which grows by batches: use incremental_by_batch' : '; a model incremental by batch reads bronze: it belongs in sql/silver';
  return `materialized: ${kind} is not for sql/${layer} models (${layer} kinds: ${LAYER_KINDS[layer].join(', ')})${hint}`;
}
