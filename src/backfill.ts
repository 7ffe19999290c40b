// `dataops backfill`: a run whose ingest fetches a time window again (RunOptions.window). Here: the checks
// made before it starts, and what the window means for each kind of source, said in the run's output.
// Bronze's copy check keeps a backfill from appending what bronze has, and the cursor never moves back
// (ingest/bronze.ts cursorAfterBackfill).
import type { Pipeline, Source } from './config/types.js';
import { nameList, UsageError } from './errors.js';
import type { BronzeBatch } from './ingest/bronze.js';
import { formatBound, isTimestampCursor, windowDays, type TimeWindow } from './sources/window.js';

export { parseWindow, type TimeWindow } from './sources/window.js';

/** A backfill's selection, checked before anything is written: resources that exist, cursors that are times. */
export function checkBackfill(selected: readonly Pipeline[], resources: readonly string[] | undefined): void {
  if (resources?.length) {
    if (selected.length !== 1) {
      throw new UsageError(`--resource names resources of one pipeline; name exactly one pipeline (got ${selected.map((p) => p.name).join(', ') || 'all of them'})`);
    }
    const known = selected[0].source.resources.map((r) => r.name);
    const unknown = resources.filter((r) => !known.includes(r));
    if (unknown.length) {
      throw new UsageError(`unknown resource${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} of pipeline ${selected[0].name} (resources: ${nameList(known)})`);
    }
  }
  for (const pipeline of selected) {
    if (pipeline.source.kind !== 'http') continue;
    for (const resource of pipeline.source.resources) {
      const initial = resource.incremental?.initial;
      if (resources?.length && !resources.includes(resource.name)) continue;
      if (initial !== undefined && !isTimestampCursor(initial)) {
        throw new UsageError(
          `cannot backfill ${pipeline.name}.${resource.name} by date: its cursor (${resource.incremental!.field}, initial ${JSON.stringify(initial)}) is not a time ` +
            `(${pipeline.file}); name the other resources with --resource`,
        );
      }
    }
  }
}

type Reads<S extends Source> = (source: S, resource: string, window: TimeWindow) => string;

/** What a backfill reads of a resource, by source kind. */
const READS: { [K in Source['kind']]: Reads<Extract<Source, { kind: K }>> } = {
  http: (source, name, window) => {
    const incremental = source.resources.find((r) => r.name === name)?.incremental;
    if (!incremental) return 'not incremental: the backfill re-reads all of it (bronze skips the records it has)';
    const from = `${incremental.param}=${formatBound(window.from)}`;
    if (incremental.until_param) return `fetching ${from}, ${incremental.until_param}=${formatBound(window.to)}`;
    return (
      `fetching ${from} up to now (no incremental.until_param to end the window): records past the window are fetched too; ` +
      'bronze skips those it has, and silver keeps the latest version of each'
    );
  },
  sql: () => 'a query: the backfill re-reads all of it (bronze skips the records it has)',
  files: (_source, _name, window) =>
    `re-reading the files of the partitions dt=${windowDays(window).join(', dt=')}, loaded before or not (bronze skips exact copies); ` +
    'files whose path has no dt= partition are not read',
};

/** One line on what the backfill of a resource fetches, for the run's output. */
export function backfillNote(pipeline: Pipeline, resource: string, window: TimeWindow): string {
  const reads = READS[pipeline.source.kind] as Reads<Source>;
  return `${pipeline.name}.${resource}: backfill of [${formatBound(window.from)}, ${formatBound(window.to)}): ${reads(pipeline.source, resource, window)}`;
}

/** Where a backfill's batch left the cursor, for the run's output; undefined for a resource without one. */
export function cursorNote(batch: BronzeBatch, cursorField: string | undefined): string | undefined {
  const { cursorBefore: before, cursorAfter: after } = batch;
  if (cursorField === undefined) return undefined;
  if (after === before) {
    const why = before === undefined ? ' (none yet: the first normal run starts from `initial`)' : '';
    return `${batch.pipeline}.${batch.resource}: the cursor stays at ${before ?? 'nothing'}${why}`;
  }
  return `${batch.pipeline}.${batch.resource}: the cursor moves on from ${before} to ${after}, the newest record fetched`;
}
