// One run per pipeline at a time, on warehouses that many processes write at once (Snowflake): a
// lease row per pipeline in meta.locks. Taking it is one conditional UPDATE whose row count says
// whether it was free (Snowflake runs UPDATEs on one table one after another; an emulator on DuckDB
// refuses the loser with a conflict instead). The lease is renewed while the run lasts and cleared
// in a finally; a holder that died stops renewing, and its lease is taken over once it expires.
// On DuckDB the file lock already lets one process write (src/warehouse/duckdb-lock.ts).
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { BusyError, WarehouseError } from '../errors.js';
import { formatDuration } from '../report/format.js';
import type { Warehouse } from '../warehouse/adapter.js';
import type { Log } from '../log.js';

/** A run killed without letting go blocks its pipeline this long at most. */
export const DEFAULT_LEASE_SECONDS = 300;

export interface PipelineLockOptions {
  runId: string;
  /** How long to wait for other runs' locks, over all the pipelines, before failing. */
  timeoutSeconds: number;
  leaseSeconds?: number;
  /** Between attempts; default 5 s (each is a statement on the warehouse). */
  pollMs?: number;
  /** How often the lease is renewed; default every quarter of it. */
  renewEveryMs?: number;
  /** Who holds it, for the message other runs print; default "pid N on <host>". */
  holder?: string;
  /** Where "waiting for ..." and renewal problems go. */
  log?: Log;
  /** Where the error tells the user to wait longer (default: the CLI's --wait). */
  waitHint?: string;
}

/** A pipeline's lock as meta.locks holds it. */
export interface LockHolder {
  pipeline: string;
  run_id: string;
  holder: string | null;
  acquired_at: string;
  expires_at: string;
}

export interface PipelineLocks {
  readonly pipelines: readonly string[];
  /** Pipelines whose lease another run took over (ours had expired unrenewed). */
  readonly lost: readonly string[];
  /** Stops renewing and clears the locks this run still holds. */
  release(): Promise<void>;
}

/**
 * Takes every pipeline's lock, in name order so that two runs never each wait for the other, or
 * none: on timeout the ones taken are released and a BusyError names the run that holds the rest.
 * `session` should be a connection of its own: a renewal sent on a connection that is inside a
 * transaction would join it, and stay invisible (or lock the row) until that commits.
 */
export async function acquirePipelineLocks(session: Warehouse, pipelines: readonly string[], options: PipelineLockOptions): Promise<PipelineLocks> {
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const holder = options.holder ?? `pid ${process.pid} on ${hostname()}`;
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const sql = lockSql(session, options.runId, holder, leaseSeconds);
  const taken: string[] = [];
  try {
    for (const pipeline of [...new Set(pipelines)].sort()) {
      await session.execute(sql.seed(pipeline));
      await takeWhenFree(session, pipeline, sql, deadline, options);
      taken.push(pipeline);
    }
  } catch (e) {
    for (const pipeline of taken) await session.execute(sql.release(pipeline)).catch(() => undefined);
    throw e;
  }
  return holdLocks(session, taken, sql, leaseSeconds, options);
}

/** Runs fn holding the pipelines' locks, on a session opened for them alone and closed after. */
export async function withPipelineLocks<T>(
  openSession: () => Promise<Warehouse>,
  pipelines: readonly string[],
  options: PipelineLockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const session = await openSession();
  try {
    const locks = await acquirePipelineLocks(session, pipelines, options);
    try {
      return await fn();
    } finally {
      await locks.release();
    }
  } finally {
    await session.close();
  }
}

/** The run holding a pipeline's lock now (its lease not expired), if any. */
export async function lockHolder(warehouse: Warehouse, pipeline: string): Promise<LockHolder | undefined> {
  const d = warehouse.dialect;
  const [row] = await warehouse.query<LockHolder>(
    `SELECT pipeline, run_id, holder, acquired_at, expires_at FROM meta.locks
     WHERE pipeline = ${d.quote(pipeline)} AND run_id IS NOT NULL AND expires_at > ${d.now}
     ORDER BY expires_at DESC LIMIT 1`,
  );
  return row;
}

type LockSql = ReturnType<typeof lockSql>;

function lockSql(warehouse: Warehouse, runId: string, holder: string, leaseSeconds: number) {
  const d = warehouse.dialect;
  const me = d.quote(runId);
  const until = d.plusSeconds(d.now, leaseSeconds);
  return {
    /** The pipeline's row, once: the UPDATE below needs a row to take. */
    seed: (pipeline: string) =>
      `MERGE INTO meta.locks AS t USING (SELECT ${d.quote(pipeline)} AS pipeline) AS s ON t.pipeline = s.pipeline
       WHEN NOT MATCHED THEN INSERT (pipeline) VALUES (s.pipeline)`,
    /**
     * Takes (or renews) every row of the pipeline unless another run's lease on any of them is live.
     * Two seeds racing can leave two rows; they are always written together, so they agree.
     */
    take: (pipeline: string) =>
      `UPDATE meta.locks SET run_id = ${me}, holder = ${d.quote(holder)},
         acquired_at = CASE WHEN run_id = ${me} THEN acquired_at ELSE ${d.now} END, expires_at = ${until}
       WHERE pipeline = ${d.quote(pipeline)} AND NOT EXISTS (
         SELECT 1 FROM meta.locks AS held
         WHERE held.pipeline = ${d.quote(pipeline)} AND held.run_id <> ${me} AND held.expires_at > ${d.now})`,
    renew: (pipeline: string) =>
      `UPDATE meta.locks SET expires_at = ${until} WHERE pipeline = ${d.quote(pipeline)} AND run_id = ${me}`,
    release: (pipeline: string) =>
      `UPDATE meta.locks SET run_id = NULL, holder = NULL, acquired_at = NULL, expires_at = NULL
       WHERE pipeline = ${d.quote(pipeline)} AND run_id = ${me}`,
  };
}

async function takeWhenFree(session: Warehouse, pipeline: string, sql: LockSql, deadline: number, options: PipelineLockOptions): Promise<void> {
  let announced: string | undefined;
  let failures = 0;
  for (;;) {
    let failure: unknown;
    try {
      if ((await session.execute(sql.take(pipeline))) > 0) return;
    } catch (e) {
      // Two runs taking the lock at once: the loser may be refused with a conflict.
      failure = e;
    }
    const holder = await lockHolder(session, pipeline);
    if (!holder) {
      // Let go in between (try again at once), or refused by another run's take that has not committed yet
      // (try again shortly, each time a little later: a busy warehouse may take a while to commit). Failing
      // on and on with no one holding it is not contention.
      if (++failures > MAX_UNHELD_FAILURES) throw failure ?? new WarehouseError(`cannot take the lock on pipeline ${pipeline} in meta.locks, though no run holds it`);
      if (failure) await sleep(conflictBackoffMs(failures));
      continue;
    }
    failures = 0;
    const who = `run ${holder.run_id} (${holder.holder ?? 'unknown holder'}, started ${holder.acquired_at.replace(/\.\d+Z$/, 'Z')})`;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new BusyError(
        `pipeline ${pipeline} is busy: ${who} holds its lock in meta.locks (its lease runs to ${holder.expires_at.replace(/\.\d+Z$/, 'Z')} unless renewed) ` +
          `after ${formatDuration(options.timeoutSeconds)} of waiting. Try again when it has finished, or wait longer with ${options.waitHint ?? '--wait <duration>'}.`,
      );
    }
    if (who !== announced) options.log?.(`waiting for ${who} to finish with pipeline ${pipeline} (at most ${formatDuration(options.timeoutSeconds)})`, { event: 'wait', pipeline });
    announced = who;
    await sleep(Math.min(options.pollMs ?? 5000, left));
  }
}

/** Attempts refused with no holder to be seen, before the refusal is taken for what it says. */
const MAX_UNHELD_FAILURES = 6;

/** 50 ms doubling per attempt, with jitter so two runs refused together do not retry together: about 3 s in all. */
export function conflictBackoffMs(attempt: number): number {
  return 50 * 2 ** (attempt - 1) * (0.5 + Math.random());
}

function holdLocks(session: Warehouse, pipelines: string[], sql: LockSql, leaseSeconds: number, options: PipelineLockOptions): PipelineLocks {
  const lost: string[] = [];
  let renewing: Promise<void> | undefined;
  const renew = async () => {
    for (const pipeline of pipelines.filter((p) => !lost.includes(p))) {
      try {
        if ((await session.execute(sql.renew(pipeline))) === 0) {
          lost.push(pipeline);
          options.log?.(`warning: the lock on pipeline ${pipeline} expired unrenewed and another run took it over; runs of it may now overlap`, { level: 'warn', pipeline });
        }
      } catch (e) {
        // The next renewal may get through; the lease covers a few missed ones.
        options.log?.(`warning: could not renew the lock on pipeline ${pipeline}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  };
  const timer = setInterval(() => {
    renewing ??= renew().finally(() => (renewing = undefined));
  }, options.renewEveryMs ?? (leaseSeconds * 1000) / 4);
  timer.unref();
  return {
    pipelines,
    lost,
    async release() {
      clearInterval(timer);
      await renewing;
      for (const pipeline of pipelines) {
        // An unreleased lock expires with its lease; failing the run for it would be worse.
        await session.execute(sql.release(pipeline)).catch((e: Error) => options.log?.(`warning: could not release the lock on pipeline ${pipeline}: ${e.message.split('\n')[0]}`));
      }
    },
  };
}
