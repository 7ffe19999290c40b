// The shapes the engine reports: what `dataops status --json` prints, what the report site and the
// job summary render. Keep these in step with the "Status JSON" section of README.md.

export type Layer = 'bronze' | 'silver' | 'gold' | 'meta';
export type FreshnessState = 'fresh' | 'warn' | 'error' | 'unknown';
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'error';
export type Severity = 'warn' | 'error';
export type RunState = 'running' | 'success' | 'failed';
/** A step not taken because an earlier step of the same run failed is `skipped`. */
export type StepState = RunState | 'skipped';

export interface FreshnessStatus {
  field: string;
  /** Newest value of `field`, ISO 8601 UTC; null when the table is empty. */
  latest: string | null;
  age_seconds: number | null;
  warn_after_seconds: number;
  error_after_seconds: number;
  state: FreshnessState;
}

export interface TableStatus {
  /** Schema-qualified, e.g. "silver.transactions". */
  name: string;
  layer: Layer;
  /** The pipeline that owns the table; null for gold models, which may read several pipelines. */
  pipeline: string | null;
  rows: number;
  /** When the engine last wrote the table, ISO 8601 UTC; null if never. */
  last_loaded_at: string | null;
  freshness: FreshnessStatus | null;
}

export interface BatchStatus {
  batch_id: string;
  resource: string;
  /** Records the source returned. */
  received: number;
  /** Records appended to bronze (received minus rejected and minus exact copies of records already in bronze). */
  bronze_rows: number;
  /** Records rejected before bronze (not UTF-8, or nested too deep), each in meta.rejected under the bronze table. */
  rejected: number;
  fetched_at: string;
  /** Set when a backfill fetched this batch: its window, from (inclusive) to (exclusive). */
  backfill: { from: string; to: string } | null;
}

/** One silver table's share of a run: the conservation law is bronze = accepted + rejected. */
export interface SilverLoadStatus {
  table: string;
  batch_id: string;
  /** Units read from bronze: records, or array elements for an `explode` table. */
  bronze: number;
  accepted: number;
  rejected: number;
  inserted: number;
  updated: number;
  conserved: boolean;
}

export interface CheckResult {
  table: string;
  /** A readable name, e.g. "not_null(transaction_id)". */
  check: string;
  kind: string;
  severity: Severity;
  status: CheckStatus;
  failing_rows: number;
  /** The rows it looked at (the table's, or the run's new rows with scope: new); null for freshness and older results. */
  table_rows?: number | null;
  message: string;
  /** The SQL that returns its failing rows, to copy; empty for freshness. */
  sql?: string;
  /** Up to its `samples` failing rows of the run, sensitive columns masked. */
  samples?: Array<Record<string, unknown>>;
}

export interface RejectedReason {
  table: string;
  reason: string;
  rows: number;
}

/** A field that appeared, disappeared or changed JSON type since the resource's previous batch. */
export interface SchemaChange {
  batch_id: string;
  resource: string;
  path: string;
  change: 'added' | 'removed' | 'type_changed';
  old_type: string | null;
  new_type: string | null;
}

/** One step (ingest, transform, check) of a run, whichever command or action took it. */
export interface RunStepStatus {
  step: string;
  status: StepState;
  started_at: string;
  finished_at: string | null;
  error: string | null;
}

export interface RunStatus {
  run_id: string;
  /** The worst of its steps: failed if any step failed, running while one runs, else success. */
  status: RunState;
  started_at: string;
  finished_at: string | null;
  /** Each failed step's error, in step order ("ingest: ..."), so the root cause comes first. */
  error: string | null;
  /** In step order; empty for runs recorded before steps were. */
  steps: RunStepStatus[];
}

export interface PipelineStatus {
  name: string;
  description: string;
  owner: string | null;
  /** Source file relative to the project, e.g. "pipelines/retail_pos.yml". */
  file: string;
  last_run: RunStatus | null;
  batches: BatchStatus[];
  silver_loads: SilverLoadStatus[];
  /** The checks of the newest run that ran them: the last run's, unless it ran none (an ingest-only run). */
  checks: CheckResult[];
  /** The run those checks belong to; null when no run has checked this pipeline. */
  checks_run_id: string | null;
  /** All rejected rows kept for this pipeline's tables, grouped by reason. */
  rejected: RejectedReason[];
  /** Schema drift detected in the last run's batches (records are never dropped for it). */
  schema_drift: SchemaChange[];
}

export interface StatusReport {
  generated_at: string;
  target: { kind: string; database: string };
  tables: TableStatus[];
  pipelines: PipelineStatus[];
  /** True when every silver load of every last run kept bronze = accepted + rejected. */
  conservation_ok: boolean;
}

/** One past run of a pipeline, for the report's trend tables. */
export interface RunHistoryPoint {
  run_id: string;
  pipeline: string;
  started_at: string;
  status: RunState;
  rejected: number;
  checks_failed: number;
}
