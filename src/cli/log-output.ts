// How the command line prints the engine's events: readable lines (progress rewritten in place on a
// terminal, one line each elsewhere, as in CI), or one JSON object per line for log tools.
import type { RunResult } from '../engine.js';
import { formatLogEvent, type Log, type LogFormat, type LogLevel } from '../log.js';

export interface LogOutput {
  out: (text: string) => void;
  /** Writes without a newline, on a terminal only: progress is redrawn there instead of scrolling. */
  rewrite?: (text: string) => void;
}

export function cliLog(io: LogOutput, format: LogFormat): Log {
  let redrawn = false;
  return (message, fields = {}) => {
    if (format === 'text' && fields.event === 'progress' && io.rewrite) {
      io.rewrite(`\r\x1b[K${formatLogEvent('text', message)}`);
      redrawn = true;
      return;
    }
    if (redrawn) {
      io.rewrite?.('\r\x1b[K');
      redrawn = false;
    }
    io.out(formatLogEvent(format, message, fields));
  };
}

/** The end of a run as events: one per pipeline with its counts, then the run's totals. */
export function logRunResult(log: Log, result: RunResult, durationMs: number): void {
  const totals = { loaded: 0, accepted: 0, rejected: 0, checks_passed: 0, checks_warned: 0, checks_failed: 0 };
  for (const p of result.pipelines) {
    const failed = p.checks.filter((c) => c.status === 'fail' || c.status === 'error').length;
    const warned = p.checks.filter((c) => c.status === 'warn').length;
    const counts = {
      loaded: p.batches.reduce((n, b) => n + b.bronzeRows, 0),
      accepted: p.silverLoads.reduce((n, l) => n + l.accepted, 0),
      rejected: p.silverLoads.reduce((n, l) => n + l.rejected, 0) + p.batches.reduce((n, b) => n + b.rejected, 0),
      checks_passed: p.checks.length - failed - warned,
      checks_warned: warned,
      checks_failed: failed,
    };
    for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += counts[key];
    const level: LogLevel = p.error || failed ? 'error' : warned ? 'warn' : 'info';
    log(p.error ? `${p.pipeline}: FAILED: ${p.error}` : `${p.pipeline}: ${counts.loaded} loaded, ${counts.accepted} accepted, ${counts.rejected} rejected; checks ${counts.checks_passed} passed, ${warned} warned, ${failed} failed`, {
      level, event: 'pipeline_finished', run_id: result.runId, pipeline: p.pipeline, counts,
    });
  }
  log(`run ${result.runId} ${result.ok ? 'succeeded' : 'failed'}`, {
    level: result.ok ? 'info' : 'error', event: 'run_finished', run_id: result.runId, counts: totals, duration_ms: durationMs,
    ...(result.ok ? {} : { error_code: result.modelError || result.pipelines.some((p) => p.error) || result.earlierFailures.length ? 'run_failed' : 'checks_failed' }),
  });
}
