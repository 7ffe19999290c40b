// What the engine tells the person or the log tool watching a run. Every event is a readable line plus
// fields (run, pipeline, step, resource, counts, duration, error code); the text format prints the line,
// the JSON format (`--log-format json`, DATAOPS_LOG_FORMAT=json) prints one object per event, for log tools.
import { DataOpsError, UsageError } from './errors.js';
import { mask } from './secrets.js';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogFields {
  level?: LogLevel;
  /** What kind of event: batch, progress, retry, wait, checks, failure, ... (free text stays `message`). */
  event?: string;
  run_id?: string;
  pipeline?: string;
  step?: string;
  resource?: string;
  counts?: Record<string, number>;
  duration_ms?: number;
  error_code?: string;
}

/** A line, and what it is about; callers that only print lines may ignore the fields. */
export type Log = (message: string, fields?: LogFields) => void;

export const silentLog: Log = () => undefined;

/** The same log, with these fields on every event (an event's own fields win). */
export function withFields(log: Log, fields: LogFields): Log {
  return (message, own) => log(message, { ...fields, ...own });
}

/** The format asked for: the option, else DATAOPS_LOG_FORMAT, else text. */
export function resolveLogFormat(option: string | undefined, env: Record<string, string | undefined>): LogFormat {
  const format = option ?? (env.DATAOPS_LOG_FORMAT?.trim() || 'text');
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`${option === undefined ? 'DATAOPS_LOG_FORMAT' : '--log-format'}: expected one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
  return format as LogFormat;
}

/** One event as one line of the format, masked. */
export function formatLogEvent(format: LogFormat, message: string, fields: LogFields = {}, now: Date = new Date()): string {
  if (format === 'text') return mask(message);
  const event: Record<string, unknown> = { time: now.toISOString(), level: fields.level ?? 'info' };
  for (const key of ['event', 'run_id', 'pipeline', 'step', 'resource', 'counts', 'duration_ms', 'error_code'] as const) {
    if (fields[key] !== undefined) event[key] = fields[key];
  }
  event.message = message;
  // Masked as JSON text: mask() finds a secret in its JSON-escaped forms too.
  return mask(JSON.stringify(event));
}

/** A stable code for an error, for log tools to group by: the error class in snake case (source_error). */
export function errorCode(e: unknown): string {
  if (e instanceof DataOpsError) return e.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return 'internal_error';
}

/**
 * Progress of one long piece of work (a resource's pages): reported when `intervalSeconds` have passed
 * since the last report, checked at each page, so a run with a small interval reports on every page.
 */
export class Progress {
  pages = 0;
  records = 0;
  private last: number;

  constructor(
    private readonly intervalSeconds: number,
    private readonly report: (pages: number, records: number) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  page(records: number): void {
    this.pages += 1;
    this.records += records;
    const now = this.now();
    if (now - this.last >= this.intervalSeconds * 1000) {
      this.last = now;
      this.report(this.pages, this.records);
    }
  }
}
