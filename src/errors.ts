// One error root, so callers can tell the project's own failures (with a clear message) from bugs.

/** Where in which file something is wrong; line and column are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

export class DataOpsError extends Error {
  override name = 'DataOpsError';
}

/** A problem in a pipeline, project or SQL file, always with the place at fault. */
export interface Diagnostic extends SourceLocation {
  message: string;
  severity: 'error' | 'warning';
  /** Set for problems a caller may choose to tolerate, e.g. 'env_unset' for a pipeline it will not run. */
  code?: 'env_unset';
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${formatLocation(d)}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
}

export class ConfigError extends DataOpsError {
  override name = 'ConfigError';
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
  }
}

export class SourceError extends DataOpsError {
  override name = 'SourceError';
}

export class WarehouseError extends DataOpsError {
  override name = 'WarehouseError';
}

/** A run broke one of its invariants (e.g. bronze != accepted + rejected); nothing of the step is kept. */
export class InvariantError extends DataOpsError {
  override name = 'InvariantError';
}

/**
 * Another process or run holds what this one needs (the DuckDB file, a pipeline's lock) and did not let
 * go within the wait; the message names the holder and how to wait longer.
 */
export class BusyError extends DataOpsError {
  override name = 'BusyError';
}

export class CheckFailure extends DataOpsError {
  override name = 'CheckFailure';
}

/** Bad command-line usage: exit code 2. */
export class UsageError extends DataOpsError {
  override name = 'UsageError';
}
