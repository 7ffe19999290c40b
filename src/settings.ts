// Settings and the warehouse connection: where a project's data lives (dataops.yml, the command line and the
// environment, in that order of precedence), and how a command opens it (waiting for a run that holds it).
import { isAbsolute, join, resolve } from 'node:path';
import { parseDuration, type Env } from './config/pipeline.js';
import { readProjectFile, type RetentionLayer } from './config/project-file.js';
import { UsageError, WarehouseError } from './errors.js';
import type { Log } from './log.js';
import { ensureMetaSchema } from './state/meta.js';
import { withPipelineLocks } from './state/run-lock.js';
import type { Warehouse } from './warehouse/adapter.js';
import { openDuckDBWhenFree } from './warehouse/duckdb-lock.js';

export const TARGETS = ['duckdb', 'snowflake'] as const;
export type Target = (typeof TARGETS)[number];

/**
 * Bronze skips exact copies of records fetched within this window: a re-run, a replay, a cursor's lag
 * window and a repeated page all fall well inside it, and the check never scans older rows.
 */
export const DEFAULT_COPY_WINDOW = '30d';

/** How long a run waits for another to let go of the DuckDB file or of a pipeline's lock. */
export const DEFAULT_LOCK_TIMEOUT = '10m';
/** How long status, report and other reads wait for a run to let go of the DuckDB file. */
export const DEFAULT_READ_WAIT_SECONDS = 10;
/** How often a long ingest reports each resource's pages and records so far (DATAOPS_PROGRESS_INTERVAL). */
export const DEFAULT_PROGRESS_INTERVAL = '10s';

export interface Settings {
  projectDir: string;
  /** duckdb (the embedded default) or snowflake (connection from SNOWFLAKE_* variables). */
  target: Target;
  /** DuckDB database file. */
  database: string;
  /** DuckDB's memory_limit (dataops.yml duckdb.memory_limit), e.g. "1GB"; DuckDB's own default when unset. */
  duckdbMemoryLimit?: string;
  /** How far back a load looks in bronze for exact copies of its records (dataops.yml bronze.copy_window). */
  copyWindowSeconds: number;
  /** How many seconds each layer keeps (dataops.yml retention:); a layer left out keeps everything (landing: the copy window). */
  retentionSeconds?: Partial<Record<RetentionLayer, number>>;
  /** How long a run waits for another run: --wait, else dataops.yml <target>.lock_timeout, else 10m. */
  lockTimeoutSeconds: number;
  /** How long the other commands wait for a run to let go of the DuckDB file: --wait, else 10 s. */
  readWaitSeconds: number;
  /** dataops.yml's names for the Snowflake connection variables (defaults: SNOWFLAKE_*). */
  snowflakeEnvNames: Record<string, string>;
  /** "duckdb.path at dataops.yml:2:9" when dataops.yml chose the database file, for errors about it. */
  databaseSetBy?: string;
  /** Where raw pages land as JSON lines (replayable). */
  landingDir: string;
  /** At most how often a resource being fetched reports its progress: DATAOPS_PROGRESS_INTERVAL, else 10 s. */
  progressIntervalSeconds: number;
  siteDir: string;
  env: Env;
}

export function resolveSettings(
  options: { projectDir?: string; database?: string; siteDir?: string; target?: string; env?: Env; waitSeconds?: number } = {},
): Settings {
  const env = options.env ?? process.env;
  const projectDir = resolve(options.projectDir ?? '.');
  // Precedence: the command line, then the environment, then dataops.yml, then the defaults.
  const { settings: file, describe } = readProjectFile(projectDir);
  const target = options.target ?? env.DATAOPS_TARGET ?? file.target ?? 'duckdb';
  if (!(TARGETS as readonly string[]).includes(target)) throw new UsageError(`unknown target "${target}" (targets: ${TARGETS.join(', ')})`);
  const at = (p: string) => (isAbsolute(p) ? p : resolve(projectDir, p));
  const database = options.database ?? env.DATAOPS_DATABASE ?? file.duckdb?.path;
  return {
    projectDir,
    target: target as Target,
    snowflakeEnvNames: file.snowflake?.env ?? {},
    database: database === ':memory:' ? database : at(database ?? '.dataops/dev.duckdb'),
    databaseSetBy: (options.database ?? env.DATAOPS_DATABASE) === undefined ? describe(['duckdb', 'path']) : undefined,
    duckdbMemoryLimit: file.duckdb?.memory_limit,
    copyWindowSeconds: parseDuration(file.bronze?.copy_window ?? DEFAULT_COPY_WINDOW),
    retentionSeconds: Object.fromEntries(Object.entries(file.retention ?? {}).map(([layer, days]) => [layer, parseDuration(days)])),
    lockTimeoutSeconds: options.waitSeconds ?? parseDuration(file[target as Target]?.lock_timeout ?? DEFAULT_LOCK_TIMEOUT),
    readWaitSeconds: options.waitSeconds ?? DEFAULT_READ_WAIT_SECONDS,
    landingDir: at(env.DATAOPS_LANDING_DIR ?? '.dataops/landing'),
    progressIntervalSeconds: progressInterval(env.DATAOPS_PROGRESS_INTERVAL),
    siteDir: at(options.siteDir ?? env.DATAOPS_SITE_DIR ?? '.dataops/site'),
    env,
  };
}

function progressInterval(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return parseDuration(DEFAULT_PROGRESS_INTERVAL);
  // 0 reports every page.
  if (/^\s*0+\s*[smhd]?\s*$/.test(text)) return 0;
  try {
    return parseDuration(text.trim());
  } catch {
    throw new UsageError(`DATAOPS_PROGRESS_INTERVAL: expected a duration such as 10s, 1m or 0s (every page), got ${JSON.stringify(text)}`);
  }
}

/** Who opens the warehouse and why. */
export interface WarehouseUse {
  /** Set by a run: it waits lockTimeoutSeconds for other processes (the rest wait readWaitSeconds). */
  runId?: string;
  /** The command (e.g. status), named to whoever waits for this one. */
  command?: string;
  /** The pipelines a run writes: locked in meta.locks where the warehouse has no single writer. */
  pipelines?: readonly string[];
  /** Where "waiting for ..." lines go. */
  log?: Log;
  /** A command that only reads the layer tables (scan-pii): the meta schema is not created for it. */
  readOnly?: boolean;
}

export async function openWarehouse(settings: Settings, use: WarehouseUse = {}): Promise<Warehouse> {
  const warehouse = await connect(settings, use);
  if (!use.readOnly) await ensureMetaSchema(warehouse);
  return warehouse;
}

async function connect(settings: Settings, use: WarehouseUse): Promise<Warehouse> {
  // Loaded only when used: each driver is large, and snowflake-sdk warns on load under Node 20.
  if (settings.target === 'snowflake') {
    return (await import('./warehouse/snowflake.js')).openSnowflakeFromEnv(settings.env, { names: settings.snowflakeEnvNames });
  }
  return openDuckDBWhenFree(settings.database, {
    memoryLimit: settings.duckdbMemoryLimit,
    command: use.command ?? (use.runId ? 'run' : 'dataops'),
    runId: use.runId,
    waitSeconds: use.runId ? settings.lockTimeoutSeconds : settings.readWaitSeconds,
    waitHint: use.runId ? '--wait <duration> (or duckdb.lock_timeout in dataops.yml)' : '--wait <duration>',
    log: use.log,
  }).catch((e: unknown) => {
    // The path may have come from dataops.yml: say where, so the fix is one look away.
    if (e instanceof WarehouseError && settings.databaseSetBy) throw new WarehouseError(`${e.message} (${settings.databaseSetBy})`);
    throw e;
  });
}

export async function withWarehouse<T>(settings: Settings, fn: (w: Warehouse) => Promise<T>, use: WarehouseUse = {}): Promise<T> {
  const warehouse = await openWarehouse(settings, use);
  try {
    if (!use.runId || !use.pipelines?.length || warehouse.capabilities.exclusiveWriter) return await fn(warehouse);
    // The locks get a session of their own, so renewals never join a transaction of the run's.
    const locks = { runId: use.runId, timeoutSeconds: settings.lockTimeoutSeconds, log: use.log, waitHint: '--wait <duration> (or snowflake.lock_timeout in dataops.yml)' };
    return await withPipelineLocks(() => connect(settings, use), use.pipelines, locks, () => fn(warehouse));
  } finally {
    await warehouse.close();
  }
}

export function siteIndex(settings: Settings): string {
  return join(settings.siteDir, 'index.html');
}
