// The pipeline file as the engine sees it after loading: env references resolved, defaults applied.
// The YAML shape itself is defined by schemas/pipeline.schema.json.
import type { MaskRuleName } from '../governance/masking.js';
import type { Threshold } from '../quality/thresholds.js';
import type { Direction } from '../quality/anomaly/detect.js';
import type { AnomalyMetric, AnomalyPeriod } from '../quality/anomaly/metric-kinds.js';

export interface EnvRef {
  env: string;
  default?: string;
}
export type StringOrEnv = string | EnvRef;

export type Pagination =
  | { kind: 'none' }
  | { kind: 'offset'; limit: number; limit_param: string; offset_param: string; total?: string }
  | { kind: 'page'; size: number; page_param: string; size_param: string; start: number; total_pages?: string }
  | {
      kind: 'cursor';
      cursor?: string;
      param: string;
      has_more?: string;
      cursor_from_last_record?: string;
      limit?: number;
      limit_param: string;
    }
  | { kind: 'next_url'; next: string }
  | { kind: 'link_header' };

export type Auth =
  | { kind: 'bearer'; token: string }
  | { kind: 'api_key'; in: 'header' | 'query'; name: string; value: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'oauth2_client_credentials'; token_url: string; client_id: string; client_secret: string; scope?: string };

export interface Incremental {
  field: string;
  param: string;
  /** Query parameter that takes a backfill window's end (exclusive), if the API has one. */
  until_param?: string;
  initial?: string;
  /** Seconds subtracted from the stored cursor, to catch records that arrive late. */
  lagSeconds: number;
}

export interface HttpResource {
  name: string;
  path: string;
  params: Record<string, string>;
  records: string;
  primary_key?: string[];
  paginate: Pagination;
  incremental?: Incremental;
  /** Pages fetched per run before the run fails: an API that ignores its paging parameters must not loop forever. */
  max_pages: number;
  deleted_when?: DeletedWhen;
}

/**
 * How a resource says a record was deleted at the source: the record's field at `field` (a dot path, as a
 * column's) has the value `equals`. The silver tables built from the resource delete (or, keeping history,
 * close) the record's key instead of merging it.
 */
export interface DeletedWhen {
  field: string;
  equals: string | number | boolean;
}

export interface HttpSource {
  kind: 'http';
  base_url: string;
  /**
   * Origins (scheme://host[:port]) besides base_url's that next-page links and redirects may lead to; they
   * get the source's credentials too. Any other origin is refused.
   */
  allowed_hosts: string[];
  auth?: Auth;
  headers: Record<string, string>;
  /** Requests per second across all of the source's resources. */
  rate_limit?: { per_second: number };
  /** How many resources are fetched at once. */
  concurrency: number;
  /** Total time for one request, from connecting to the last byte of the body. */
  timeoutSeconds: number;
  /** A longer Retry-After fails the request instead of sleeping. */
  maxRetryAfterSeconds: number;
  /** A response body past this many bytes fails the request instead of filling memory. */
  maxResponseBytes: number;
  /** Header and parameter values read from the environment (a token in a custom header): masked like credentials. */
  secretValues?: string[];
  resources: HttpResource[];
}

export interface SqlResource {
  name: string;
  query: string;
  primary_key?: string[];
  deleted_when?: DeletedWhen;
}

export interface SqlSource {
  kind: 'sql';
  database: { name: string; path?: string };
  resources: SqlResource[];
}

export interface FilesResource {
  name: string;
  /** Glob under the source's path; by default the partitioned layout named after the resource. */
  files: string;
  /** Unset: each file's extension decides (.jsonl / .ndjson or .csv). */
  format?: 'jsonl' | 'csv';
  /** CSV field delimiter. */
  delimiter: string;
  primary_key?: string[];
  deleted_when?: DeletedWhen;
}

export interface FilesSource {
  kind: 'files';
  /** The folder files are dropped into (relative paths are from the project folder). */
  path: string;
  resources: FilesResource[];
}

export type Source = HttpSource | SqlSource | FilesSource;

export type ColumnType =
  | 'string'
  | 'integer'
  | 'bigint'
  | 'double'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'json'
  | `decimal(${number},${number})`;

export interface ColumnSpec {
  name: string;
  path: string;
  type: ColumnType;
  required: boolean;
  normalize: Array<'trim' | 'lower' | 'upper'>;
  pattern?: string;
  min?: number;
  max?: number;
  /** For people reading the catalog; not part of the table's definition (changing it rebuilds nothing). */
  description?: string;
  /**
   * Set when the column is declared `sensitive: true`: the rule its values are masked with wherever they are
   * shown (src/governance/masking.ts). Not part of the table's definition: the stored rows do not change.
   */
  mask?: MaskRuleName;
}

export interface SilverTable {
  /** Unqualified name; the table is silver.<name>. */
  name: string;
  /** For people reading the catalog; not part of the table's definition. */
  description?: string;
  from: string;
  explode?: string;
  key: string[];
  latest_by?: string;
  /**
   * `scd2`: every version of a key is kept, with valid_from (its latest_by), valid_to (when the next version
   * or its deletion came; NULL while current) and is_current (models/silver-history.ts). Unset: latest wins.
   */
  history?: 'scd2';
  /** Copied from the resource it is built from: which records are deletions. */
  deleted_when?: DeletedWhen;
  columns: ColumnSpec[];
}

export type CheckSpec =
  | { kind: 'not_null'; columns: string[] }
  | { kind: 'unique'; columns: string[] }
  | { kind: 'accepted_values'; column: string; values: Array<string | number | boolean> }
  | { kind: 'range'; column: string; min?: number; max?: number }
  | { kind: 'relationships'; column: string; to: { table: string; column: string } }
  | { kind: 'row_count'; min?: number; max?: number }
  /** Rows where `column` is not NULL and its text does not match `regex` whole (Snowflake's REGEXP_LIKE). */
  | { kind: 'pattern'; column: string; regex: string }
  /** Rows where a boolean Snowflake SQL expression is FALSE (NULL passes, as in a CHECK constraint). */
  | { kind: 'expression'; expression: string }
  /** A file under sql/checks/ whose SELECT returns the failing rows; `name` is its file name without .sql. */
  | { kind: 'sql'; name: string; select: string; reads: string[] }
  | AnomalyCheckSpec;

/** A custom check's scope: every row, or only the rows the run's batches added or changed (`scope: new`). */
export type CheckScope = 'all' | 'new';

/** Judges a metric of the table against its own history (src/quality/anomaly); unset settings take the metric's defaults. */
export interface AnomalyCheckSpec {
  kind: 'anomaly';
  metric: AnomalyMetric;
  /** The column, for null_rate and distinct_count. */
  column?: string;
  /** freshness_lag: the field of the table's freshness SLA, which the lag is measured from (set by the loader). */
  field?: string;
  per: AnomalyPeriod;
  sensitivity?: number;
  min_history?: number;
  direction?: Direction;
}

export interface DeclaredCheck {
  /** Schema-qualified table, e.g. silver.transactions. */
  table: string;
  spec: CheckSpec;
  /** 'error' when the check can fail a run (it has an error_if), else 'warn'. */
  severity: 'warn' | 'error';
  /** When it fails the run and when it warns; severity: error is error_if "> 0", severity: warn is warn_if "> 0". */
  errorIf?: Threshold;
  warnIf?: Threshold;
  scope: CheckScope;
  /** How many failing rows a run keeps (meta.check_samples); 0 keeps none. */
  samples: number;
  /** Where it is declared, for messages and annotations: the pipeline file, or a sql/checks file. */
  line: number;
  file?: string;
}

export interface FreshnessSpec {
  table: string;
  field: string;
  warnAfterSeconds: number;
  errorAfterSeconds: number;
  line: number;
}

export interface Pipeline {
  name: string;
  description: string;
  owner?: string;
  schedule?: string;
  /** Path relative to the project root, e.g. pipelines/retail_pos.yml. */
  file: string;
  source: Source;
  /** The tables of its YAML mapping (silver SQL models are SqlModels of the project); empty when it has none. */
  silver: SilverTable[];
  checks: DeclaredCheck[];
  freshness: FreshnessSpec[];
}

export function bronzeTableName(pipeline: string, resource: string): string {
  return `${pipeline}_${resource}`;
}

/** A mapping's path as its keys: `$.customer.email` (from the record) and `customer.email` (from the element) alike. */
export function splitPath(path: string): string[] {
  return path.replace(/^\$\.?/, '').split('.').filter(Boolean);
}

/** The columns a silver table with `history: scd2` has besides its declared ones, in table order. */
export const HISTORY_COLUMNS = ['valid_from', 'valid_to', 'is_current'] as const;
