// A backfill's time window, [from, to): what `dataops backfill --from --to` and the ingest action's
// backfill-from/backfill-to inputs name. A date is a whole UTC day, so `--from 2026-11-20 --to 2026-11-21`
// is two days: from the first one's midnight to the midnight after the second.
import { UsageError } from '../errors.js';

export interface TimeWindow {
  /** The first instant of the window. */
  from: Date;
  /** The first instant after it (exclusive). */
  to: Date;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * Reads --from and --to (or the action's inputs, named in `names`): each a date (YYYY-MM-DD, UTC) or a
 * timestamp with its offset (2026-11-20T06:00:00Z). A usage error says which one is wrong and why.
 */
export function parseWindow(from: string, to: string, names = { from: '--from', to: '--to' }): TimeWindow {
  const window = { from: parseBound(from, names.from, 'start'), to: parseBound(to, names.to, 'end') };
  if (window.from.getTime() >= window.to.getTime()) {
    throw new UsageError(`${names.from} ${from} is not before ${names.to} ${to}: the window [${formatBound(window.from)}, ${formatBound(window.to)}) is empty`);
  }
  return window;
}

function parseBound(text: string, name: string, side: 'start' | 'end'): Date {
  const value = text.trim();
  const date = DATE.exec(value) ?? TIMESTAMP.exec(value);
  const ms = date ? Date.parse(DATE.test(value) ? `${value}T00:00:00Z` : value) : NaN;
  // Date.parse takes 2026-02-30 as March 2nd: the day must read back as written.
  const real = date && !Number.isNaN(ms) && new Date(Date.UTC(+date[1], +date[2] - 1, +date[3])).toISOString().slice(0, 10) === value.slice(0, 10);
  if (!real) {
    throw new UsageError(`${name}: expected a date (YYYY-MM-DD, UTC) or a timestamp with its offset (2026-11-20T06:00:00Z), got ${JSON.stringify(text)}`);
  }
  // A date as the end means the whole of that day.
  return new Date(DATE.test(value) && side === 'end' ? ms + DAY_MS : ms);
}

/** As a cursor or an API parameter reads it: 2026-11-20T00:00:00Z (milliseconds only when there are some). */
export function formatBound(at: Date): string {
  return at.toISOString().replace(/\.000Z$/, 'Z');
}

/** The UTC days the window touches, as YYYY-MM-DD: the dt= partitions of a files source to read again. */
export function windowDays(window: TimeWindow): string[] {
  const days: string[] = [];
  for (let day = Math.floor(window.from.getTime() / DAY_MS) * DAY_MS; day < window.to.getTime(); day += DAY_MS) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

/** True for a cursor value that is a point in time (an ISO timestamp), not a number or an id. */
export function isTimestampCursor(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}([T ]|$)/.test(value.trim()) && !Number.isNaN(Date.parse(value));
}
