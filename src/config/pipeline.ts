// Loads one pipeline file in stages: YAML syntax, JSON Schema, environment and defaults, then rules.
// Each stage reports every problem it finds (file:line:col) before the caller decides to stop.
import { Ajv } from 'ajv';
import schema from '../../schemas/pipeline.schema.json' with { type: 'json' };
import { nameList, type Diagnostic } from '../errors.js';
import { DEFAULT_MASK_RULE, type MaskRuleName } from '../governance/masking.js';
import { CHECK_KINDS, checkKind } from '../quality/check-kinds.js';
import { ANY_FAILING_ROW, parseThreshold, type Threshold } from '../quality/thresholds.js';
import { schemaDiagnostics } from './schema-errors.js';
import { METRIC_KINDS } from '../quality/anomaly/metric-kinds.js';
import type {
  AnomalyCheckSpec,
  Auth,
  CheckScope,
  CheckSpec,
  ColumnSpec,
  DeclaredCheck,
  DeletedWhen,
  FilesResource,
  FreshnessSpec,
  HttpResource,
  Pagination,
  Pipeline,
  SilverTable,
  Source,
  SqlResource,
} from './types.js';
import { HISTORY_COLUMNS } from './types.js';
import { pathToString, YamlSource, type YamlPath } from './yaml-source.js';

const ajv = new Ajv({ allErrors: true, discriminator: true, strict: false, verbose: true });
const validateSchema = ajv.compile(schema);

/** Resources of one HTTP source fetched at once, unless the pipeline says otherwise. */
export const DEFAULT_HTTP_CONCURRENCY = 4;

/** Pages one run reads of one resource unless it sets max_pages: a million records at 100 a page. */
export const DEFAULT_MAX_PAGES = 10_000;

/** The longest Retry-After a source waits for unless it sets max_retry_after. */
export const DEFAULT_MAX_RETRY_AFTER = '60s';

/** The largest response body a source reads unless it sets max_response_size: a page of 100,000 records of 1 KB. */
export const DEFAULT_MAX_RESPONSE_SIZE = '100MB';

export { CHECK_KINDS };

export interface LoadedPipeline {
  pipeline?: Pipeline;
  source?: YamlSource;
  diagnostics: Diagnostic[];
}

export type Env = Record<string, string | undefined>;

export function loadPipeline(file: string, text: string, env: Env): LoadedPipeline {
  const { source, diagnostics } = YamlSource.parse(file, text);
  if (diagnostics.some((d) => d.severity === 'error')) return { source, diagnostics };
  const raw = source.toJS();
  if (!validateSchema(raw)) {
    return { source, diagnostics: [...diagnostics, ...schemaDiagnostics(validateSchema.errors ?? [], source)] };
  }
  const builder = new PipelineBuilder(source, env);
  const pipeline = builder.build(raw as unknown as RawPipeline);
  diagnostics.push(...builder.diagnostics, ...pipelineRules(pipeline, source));
  return { pipeline, source, diagnostics };
}

// The schema has already checked the shape, so the raw types can be trusted here.
type RawValue = string | { env: string; default?: string };
interface RawPipeline {
  name: string;
  description?: string;
  owner?: string;
  schedule?: string;
  source: Record<string, unknown> & { kind: Source['kind'] };
  /** Absent when every silver table of the pipeline is a SQL model (sql/silver). */
  silver?: Record<string, Omit<SilverTable, 'name' | 'columns'> & { columns: Record<string, Omit<ColumnSpec, 'name'> & { sensitive?: boolean }> }>;
  checks?: Record<string, Array<Record<string, unknown>>>;
  freshness?: Record<string, { field: string; warn_after: string; error_after: string }>;
}

class PipelineBuilder {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    private readonly yaml: YamlSource,
    private readonly env: Env,
  ) {}

  build(raw: RawPipeline): Pipeline {
    const source = this.source(raw.source);
    const deletions = new Map(source.resources.map((r) => [r.name, r.deleted_when]));
    return {
      name: raw.name,
      description: raw.description ?? '',
      owner: raw.owner,
      schedule: raw.schedule,
      file: this.yaml.file,
      source,
      silver: Object.entries(raw.silver ?? {}).map(([name, t]) => ({
        name,
        description: t.description,
        from: t.from,
        explode: t.explode,
        key: t.key,
        latest_by: t.latest_by,
        ...(t.history ? { history: t.history } : {}),
        ...(deletions.get(t.from) ? { deleted_when: deletions.get(t.from) } : {}),
        columns: Object.entries(t.columns).map(([col, c]) => ({
          name: col,
          path: c.path,
          type: c.type.replace(/\s+/g, '') as ColumnSpec['type'],
          required: c.required ?? false,
          normalize: c.normalize ?? [],
          pattern: c.pattern,
          min: c.min,
          max: c.max,
          description: c.description,
          mask: this.mask(name, col, c),
        })),
      })),
      checks: this.checks(raw.checks ?? {}, raw.freshness),
      freshness: Object.entries(raw.freshness ?? {}).map(([table, f]) => ({
        table,
        field: f.field,
        warnAfterSeconds: parseDuration(f.warn_after),
        errorAfterSeconds: parseDuration(f.error_after),
        line: this.yaml.lineOf(['freshness', table]),
      })) satisfies FreshnessSpec[],
    };
  }

  /** A sensitive column's rule; `mask` on a column not declared sensitive is refused rather than guessed at. */
  private mask(table: string, column: string, c: { sensitive?: boolean; mask?: MaskRuleName }): MaskRuleName | undefined {
    if (c.sensitive) return c.mask ?? DEFAULT_MASK_RULE;
    if (c.mask !== undefined) {
      this.diagnostics.push(this.yaml.diagnosticFor(
        ['silver', table, 'columns', column, 'mask'],
        `silver.${table}.columns.${column}.mask: a mask applies to a sensitive column; add "sensitive: true" to ${column} (or remove "mask")`,
      ));
    }
    return undefined;
  }

  /** Like value(), and a value read from the environment is noted as a secret (a header or parameter may carry a token). */
  private secretValue(v: RawValue | undefined, path: YamlPath, secrets: string[]): string {
    const resolved = this.value(v, path);
    if (typeof v === 'object' && resolved !== '' && resolved === this.env[v.env]) secrets.push(resolved);
    return resolved;
  }

  /** Resolves `{ env: NAME, default }`; an unset variable without a default is an error at that value. */
  private value(v: RawValue | undefined, path: YamlPath): string {
    if (v === undefined) return '';
    if (typeof v === 'string') return v;
    const found = this.env[v.env];
    if (found !== undefined && found !== '') return found;
    if (v.default !== undefined) return v.default;
    this.diagnostics.push({
      ...this.yaml.diagnosticFor([...path, 'env'], `environment variable ${v.env} is not set (needed for ${path.join('.')})`),
      code: 'env_unset',
    });
    return '';
  }

  private source(raw: RawPipeline['source']): Source {
    const at = (...p: YamlPath) => ['source', ...p];
    if (raw.kind === 'sql') {
      const db = raw.database as { name: string; path?: RawValue };
      const resources = raw.resources as Record<string, Omit<SqlResource, 'name'>>;
      return {
        kind: 'sql',
        database: { name: db.name, path: db.path === undefined ? undefined : this.value(db.path, at('database', 'path')) },
        resources: Object.entries(resources).map(([name, r]) => ({ name, ...r })),
      };
    }
    if (raw.kind === 'files') {
      const resources = raw.resources as Record<string, Partial<Omit<FilesResource, 'name'>>>;
      return {
        kind: 'files',
        path: this.value(raw.path as RawValue, at('path')),
        resources: Object.entries(resources).map(([name, r]) => ({
          name,
          files: r.files ?? partitionedPattern(name),
          format: r.format,
          delimiter: r.delimiter ?? ',',
          primary_key: r.primary_key,
          deleted_when: r.deleted_when,
        })),
      };
    }
    const resources = raw.resources as Record<string, RawHttpResource>;
    const headers = (raw.headers ?? {}) as Record<string, RawValue>;
    const timeout = raw.timeout as string | undefined;
    const allowed = (raw.allowed_hosts ?? []) as RawValue[];
    const secretValues: string[] = [];
    return {
      kind: 'http',
      base_url: this.value(raw.base_url as RawValue, at('base_url')),
      allowed_hosts: allowed.flatMap((v, i) => this.origin(this.value(v, at('allowed_hosts', i)), at('allowed_hosts', i))),
      auth: raw.auth ? this.auth(raw.auth as RawAuth) : undefined,
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, this.secretValue(v, at('headers', k), secretValues)])),
      rate_limit: raw.rate_limit as { per_second: number } | undefined,
      concurrency: (raw.concurrency as number | undefined) ?? DEFAULT_HTTP_CONCURRENCY,
      timeoutSeconds: timeout ? parseDuration(timeout) : 30,
      maxRetryAfterSeconds: parseDuration((raw.max_retry_after as string | undefined) ?? DEFAULT_MAX_RETRY_AFTER),
      maxResponseBytes: parseSize((raw.max_response_size as string | undefined) ?? DEFAULT_MAX_RESPONSE_SIZE),
      resources: Object.entries(resources).map(([name, r]) => this.httpResource(name, r, secretValues)),
      secretValues,
    };
  }

  /** An origin as allowed_hosts lists it, normalised as URL.origin spells it; [] (and an error) when it is not one. */
  private origin(text: string, path: YamlPath): string[] {
    if (text === '') return []; // an unset variable, already reported
    if (/^https?:\/\/[^/?#@\s]+\/?$/i.test(text)) {
      try {
        return [new URL(text).origin];
      } catch {
        // not a valid host: reported below
      }
    }
    this.diagnostics.push(
      this.yaml.diagnosticFor(path, `${pathToString(path)}: expected an origin such as "https://api2.example.com" (http or https, a host and an optional port; no path, query or user), got ${JSON.stringify(text)}`),
    );
    return [];
  }

  private auth(raw: RawAuth): Auth {
    const at = (key: string): YamlPath => ['source', 'auth', key];
    switch (raw.kind) {
      case 'bearer':
        return { kind: 'bearer', token: this.value(raw.token, at('token')) };
      case 'api_key':
        return { kind: 'api_key', in: raw.in ?? 'header', name: raw.name, value: this.value(raw.value, at('value')) };
      case 'basic':
        return { kind: 'basic', username: this.value(raw.username, at('username')), password: this.value(raw.password, at('password')) };
      case 'oauth2_client_credentials':
        return {
          kind: 'oauth2_client_credentials',
          token_url: this.value(raw.token_url, at('token_url')),
          client_id: this.value(raw.client_id, at('client_id')),
          client_secret: this.value(raw.client_secret, at('client_secret')),
          scope: raw.scope,
        };
    }
  }

  private httpResource(name: string, r: RawHttpResource, secretValues: string[]): HttpResource {
    const at: YamlPath = ['source', 'resources', name];
    return {
      name,
      path: r.path,
      params: Object.fromEntries(
        Object.entries(r.params ?? {}).map(([k, v]) => [k, typeof v === 'object' ? this.secretValue(v, [...at, 'params', k], secretValues) : String(v)]),
      ),
      records: r.records ?? '',
      primary_key: r.primary_key,
      paginate: withPaginationDefaults(r.paginate ?? { kind: 'none' }),
      incremental: r.incremental && {
        field: r.incremental.field,
        param: r.incremental.param,
        until_param: r.incremental.until_param,
        initial: r.incremental.initial,
        lagSeconds: r.incremental.lag ? parseDuration(r.incremental.lag) : 0,
      },
      max_pages: r.max_pages ?? DEFAULT_MAX_PAGES,
      deleted_when: r.deleted_when,
    };
  }

  private checks(raw: Record<string, Array<Record<string, unknown>>>, freshness: RawPipeline['freshness']): DeclaredCheck[] {
    const out: DeclaredCheck[] = [];
    for (const [table, items] of Object.entries(raw)) {
      items.forEach((item, i) => {
        const path: YamlPath = ['checks', table, i];
        const kinds = Object.keys(item).filter((k) => !CHECK_MODIFIERS.has(k));
        if (kinds.length !== 1) {
          this.diagnostics.push(
            this.yaml.diagnosticFor(path, `checks.${table}[${i}]: expected exactly one check kind (one of: ${CHECK_KINDS.join(', ')}), got ${kinds.length ? kinds.join(', ') : 'none'}`),
          );
          return;
        }
        const spec = toCheckSpec(kinds[0] as CheckSpec['kind'], item[kinds[0]]);
        const levels = checkLevels(item as RawCheckLevels, (key, problem) => this.diagnostics.push(this.yaml.diagnosticFor([...path, key], `checks.${table}[${i}].${key}: ${problem}`)));
        const scope = (item.scope as CheckScope | undefined) ?? 'all';
        if (scope === 'new' && checkKind(spec).level !== 'row') {
          this.diagnostics.push(this.yaml.diagnosticFor([...path, 'scope'], `checks.${table}[${i}].scope: "new" applies to row-level checks (${ROW_LEVEL_KINDS.join(', ')}); ${spec.kind} looks at the whole table`));
        }
        if (spec.kind === 'pattern') {
          const problem = regexProblem(spec.regex);
          if (problem) this.diagnostics.push(this.yaml.diagnosticFor([...path, 'pattern', 'regex'], `checks.${table}[${i}].pattern.regex: ${problem}`));
        }
        if (spec.kind === 'anomaly') {
          for (const p of anomalyProblems(spec, table, freshness)) this.diagnostics.push(this.yaml.diagnosticFor([...path, 'anomaly', p.key], p.message));
        }
        out.push({
          table,
          spec,
          ...levels,
          scope,
          samples: (item.samples as number | undefined) ?? DEFAULT_CHECK_SAMPLES,
          line: this.yaml.lineOf(path),
        });
      });
    }
    return out;
  }
}

/** The keys of a check that are not its kind. */
const CHECK_MODIFIERS = new Set(['severity', 'warn_if', 'error_if', 'scope', 'samples']);
const ROW_LEVEL_KINDS = CHECK_KINDS.filter((k) => checkKind({ kind: k } as CheckSpec).level === 'row');

/** Failing rows a check keeps per run unless it sets `samples`. */
export const DEFAULT_CHECK_SAMPLES = 20;

export interface RawCheckLevels {
  severity?: unknown;
  warn_if?: unknown;
  error_if?: unknown;
}

/**
 * When a check fails the run and when it warns. `severity: error` (the default) is error_if "> 0" and
 * `severity: warn` is warn_if "> 0"; a check that sets only warn_if never fails the run.
 */
export function checkLevels(raw: RawCheckLevels, problem: (key: 'severity' | 'warn_if' | 'error_if', message: string) => void): Pick<DeclaredCheck, 'severity' | 'errorIf' | 'warnIf'> {
  const read = (key: 'warn_if' | 'error_if'): Threshold | undefined => {
    if (raw[key] === undefined) return undefined;
    const parsed = parseThreshold(raw[key]);
    if (typeof parsed === 'string') {
      problem(key, parsed);
      return undefined;
    }
    return parsed;
  };
  const warnIf = read('warn_if');
  const errorIf = read('error_if');
  if (raw.severity !== undefined && raw.severity !== 'warn' && raw.severity !== 'error') {
    problem('severity', `${JSON.stringify(raw.severity)} is not a severity: expected warn or error`);
  }
  if (raw.severity === 'warn' && raw.error_if !== undefined) {
    problem('error_if', 'a check with severity: warn never fails the run; remove error_if, or severity (error_if sets when it fails)');
  }
  const failsOnAny = raw.severity === 'error' || (raw.severity === undefined && raw.warn_if === undefined && raw.error_if === undefined);
  const error = errorIf ?? (failsOnAny ? ANY_FAILING_ROW : undefined);
  const warn = warnIf ?? (raw.severity === 'warn' ? ANY_FAILING_ROW : undefined);
  return { severity: error ? 'error' : 'warn', errorIf: error, warnIf: warn };
}

function regexProblem(regex: string): string | undefined {
  try {
    new RegExp(regex);
    return undefined;
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
}

type RawAuth =
  | { kind: 'bearer'; token: RawValue }
  | { kind: 'api_key'; in?: 'header' | 'query'; name: string; value: RawValue }
  | { kind: 'basic'; username: RawValue; password: RawValue }
  | { kind: 'oauth2_client_credentials'; token_url: RawValue; client_id: RawValue; client_secret: RawValue; scope?: string };

interface RawHttpResource {
  path: string;
  params?: Record<string, string | number | boolean | { env: string; default?: string }>;
  records?: string;
  primary_key?: string[];
  paginate?: Partial<Pagination> & { kind: Pagination['kind'] };
  incremental?: { field: string; param: string; until_param?: string; initial?: string; lag?: string };
  max_pages?: number;
  deleted_when?: DeletedWhen;
}

function toCheckSpec(kind: CheckSpec['kind'], value: unknown): CheckSpec {
  const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : [v as string]);
  const v = value as Record<string, never>;
  switch (kind) {
    case 'not_null':
      return { kind, columns: list(value) };
    case 'unique':
      return { kind, columns: list(value) };
    case 'accepted_values':
      return { kind, column: v.column, values: v.values };
    case 'range':
      return { kind, column: v.column, min: v.min, max: v.max };
    case 'relationships': {
      const [schemaName, table, column] = (v.to as string).split('.');
      return { kind, column: v.column, to: { table: `${schemaName}.${table}`, column } };
    }
    case 'row_count':
      return { kind, min: v?.min, max: v?.max };
    case 'pattern':
      return { kind, column: v.column, regex: v.regex };
    case 'expression':
      return { kind, expression: value as string };
    case 'sql':
      throw new Error('a custom SQL check is a file under sql/checks, not a key of a pipeline');
    case 'anomaly':
      return { kind, metric: v.metric, column: v.column, per: v.per ?? 'run', sensitivity: v.sensitivity, min_history: v.min_history, direction: v.direction };
  }
}

/**
 * What the schema cannot say about an anomaly check: which metrics take a column, that only volume has
 * a per-day series, and that a freshness lag needs the table's freshness SLA (its field is what the lag is
 * measured from, in every run's history).
 */
function anomalyProblems(spec: AnomalyCheckSpec, table: string, freshness: RawPipeline['freshness']): Array<{ key: string; message: string }> {
  const out: Array<{ key: string; message: string }> = [];
  const at = `checks.${table}: anomaly ${spec.metric}`;
  if (METRIC_KINDS[spec.metric].needsColumn && spec.column === undefined) out.push({ key: 'metric', message: `${at} is about one column: add "column: <name>"` });
  if (!METRIC_KINDS[spec.metric].needsColumn && spec.column !== undefined) out.push({ key: 'column', message: `${at} is about the whole table and takes no column (null_rate and distinct_count take one)` });
  if (spec.per === 'day' && spec.metric !== 'volume') out.push({ key: 'per', message: `${at}: "per: day" is for volume (rows added per day); ${spec.metric} is judged per run` });
  if (spec.metric === 'freshness_lag') {
    const sla = freshness?.[table];
    if (!sla) out.push({ key: 'metric', message: `${at} needs a freshness SLA for ${table} in this file (freshness: { ${table}: { field: ..., warn_after: ..., error_after: ... } }): its field is what the lag is measured from` });
    else spec.field = sla.field;
  }
  return out;
}

function withPaginationDefaults(p: Partial<Pagination> & { kind: Pagination['kind'] }): Pagination {
  switch (p.kind) {
    case 'offset':
      return { limit: 100, limit_param: 'limit', offset_param: 'offset', ...p } as Pagination;
    case 'page':
      return { size: 100, page_param: 'page', size_param: 'per_page', start: 1, ...p } as Pagination;
    case 'cursor':
      return { param: 'cursor', limit_param: 'limit', ...p } as Pagination;
    default:
      return p as Pagination;
  }
}

/** The partitioned layout, named after the resource: source=<name>/dt=YYYY-MM-DD/hour=HH/part-*. */
export function partitionedPattern(resource: string): string {
  return `source=${resource}/dt=*/hour=*/part-*.{jsonl,ndjson,csv}`;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * DURATION_UNITS[match[2]];
}

const SIZE_UNITS: Record<string, number> = { KB: 1e3, MB: 1e6, GB: 1e9 };
/** "100MB" -> 100,000,000 (decimal, as the config file limits are). */
export function parseSize(text: string): number {
  const match = /^(\d+)\s*(KB|MB|GB)$/.exec(text);
  if (!match) throw new Error(`not a size: ${text}`);
  return Number(match[1]) * SIZE_UNITS[match[2]];
}

/**
 * What history and deletes need: a version's valid_from is its latest_by, so an scd2 table needs one that is
 * never NULL and does not collide with the history columns; a deletion removes a key, which an exploded
 * table's rows do not have on their own (a deleted parent would have to find its elements).
 */
function historyRules(table: SilverTable, yaml: YamlSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at: YamlPath = ['silver', table.name];
  if (table.history === 'scd2') {
    const latest = table.columns.find((c) => c.name === table.latest_by);
    if (!table.latest_by) {
      out.push(yaml.diagnosticFor([...at, 'history'], `silver.${table.name}.history: scd2 takes each version's valid_from from latest_by; add "latest_by: <a timestamp column>" (such as updated_at)`));
    } else if (latest && latest.type !== 'timestamp') {
      out.push(yaml.diagnosticFor([...at, 'latest_by'], `silver.${table.name}.latest_by: history: scd2 takes valid_from from latest_by, so "${latest.name}" must be a timestamp column (it is ${latest.type})`));
    } else if (latest && !latest.required) {
      out.push(yaml.diagnosticFor([...at, 'columns', latest.name], `silver.${table.name}.columns.${latest.name}: the latest_by column of a table with history: scd2 must be "required: true" (a version without a time cannot be placed in the history)`));
    }
    for (const column of table.columns.filter((c) => (HISTORY_COLUMNS as readonly string[]).includes(c.name))) {
      out.push(yaml.diagnosticFor([...at, 'columns', column.name], `silver.${table.name}.columns.${column.name}: ${HISTORY_COLUMNS.join(', ')} are the columns history: scd2 adds; name this column otherwise`));
    }
  }
  if (table.deleted_when && table.explode) {
    out.push(yaml.diagnosticFor([...at, 'explode'], `silver.${table.name}: resource "${table.from}" declares deleted_when, but deletes reach only tables that are not exploded (an element's key is not the deleted record's); build this table from a resource without deleted_when, or without explode`));
  }
  return out;
}

/** Rules that need the whole pipeline: names that must refer to something declared in it. */
function pipelineRules(p: Pipeline, yaml: YamlSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const resources = p.source.resources.map((r) => r.name);
  const resourceSet = new Set(resources);
  for (const table of p.silver) {
    const at: YamlPath = ['silver', table.name];
    if (!resourceSet.has(table.from)) {
      out.push(yaml.diagnosticFor([...at, 'from'], `silver.${table.name}.from: unknown resource "${table.from}" (the source declares: ${nameList(resources)})`));
    }
    const columns = table.columns.map((c) => c.name);
    const columnSet = new Set(columns);
    for (const [i, key] of table.key.entries()) {
      if (!columnSet.has(key)) out.push(yaml.diagnosticFor([...at, 'key', i], `silver.${table.name}.key: "${key}" is not a declared column (columns: ${nameList(columns)})`));
    }
    if (table.latest_by && !columnSet.has(table.latest_by)) {
      out.push(yaml.diagnosticFor([...at, 'latest_by'], `silver.${table.name}.latest_by: "${table.latest_by}" is not a declared column (columns: ${nameList(columns)})`));
    }
    out.push(...historyRules(table, yaml));
    for (const column of table.columns) {
      if (column.pattern !== undefined) {
        try {
          new RegExp(column.pattern);
        } catch (e) {
          out.push(yaml.diagnosticFor([...at, 'columns', column.name, 'pattern'], `invalid regular expression: ${(e as Error).message}`));
        }
      }
      if (column.path.startsWith('$.') && !table.explode) {
        // Without explode there is no parent record to reach: refused, rather than guessing what was meant.
        out.push(
          yaml.diagnosticFor(
            [...at, 'columns', column.name, 'path'],
            `silver.${table.name}.columns.${column.name}.path: "${column.path}" starts with "$.", which reaches the parent record of an exploded element, but silver.${table.name} has no "explode"; write "${column.path.slice(2)}" instead`,
          ),
        );
      }
    }
  }
  const tables = new Map(p.silver.map((t) => [`silver.${t.name}`, t]));
  for (const check of p.checks) {
    if (check.scope !== 'new' || tables.has(check.table)) continue;
    const i = p.checks.filter((c) => c.table === check.table).indexOf(check);
    out.push(yaml.diagnosticFor(['checks', check.table, i, 'scope'], `checks.${check.table}[${i}].scope: "new" needs a table this pipeline's mapping loads by batch (${nameList([...tables.keys()])}); ${check.table} is not one`));
  }
  for (const f of p.freshness) {
    const table = tables.get(f.table);
    if (table && !table.columns.some((c) => c.name === f.field)) {
      out.push(yaml.diagnosticFor(['freshness', f.table, 'field'], `freshness.${f.table}.field: "${f.field}" is not a column of ${f.table}`));
    }
    if (f.warnAfterSeconds > f.errorAfterSeconds) {
      out.push(yaml.diagnosticFor(['freshness', f.table, 'warn_after'], `freshness.${f.table}: warn_after must not be longer than error_after`));
    }
  }
  return out;
}
