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
  /**
   * 'env_unset' marks a problem a caller may choose to tolerate (a pipeline it will not run);
   * 'more_problems' marks the line that stands for the `hidden` diagnostics of its file that are not shown.
   */
  code?: 'env_unset' | 'more_problems';
  hidden?: number;
}

/** A file with thousands of problems gets its first 50 and one line with the count of the rest. */
export const MAX_DIAGNOSTICS_PER_FILE = 50;

/**
 * At most `max` diagnostics per file, the first by line and column, then one 'more_problems' line with the
 * count of the rest (an error if any of them is). Applying it again keeps the count right.
 */
export function capDiagnostics(diagnostics: readonly Diagnostic[], max = MAX_DIAGNOSTICS_PER_FILE): Diagnostic[] {
  const files = new Map<string, { list: Diagnostic[]; hidden: number; hiddenError: boolean; at?: Diagnostic }>();
  for (const d of diagnostics) {
    let file = files.get(d.file);
    if (!file) files.set(d.file, (file = { list: [], hidden: 0, hiddenError: false }));
    if (d.code === 'more_problems') {
      file.hidden += d.hidden ?? 0;
      file.hiddenError ||= d.severity === 'error';
      file.at ??= d;
    } else file.list.push(d);
  }
  const out: Diagnostic[] = [];
  for (const [name, file] of files) {
    if (file.list.length <= max && file.hidden === 0) {
      out.push(...file.list);
      continue;
    }
    const sorted = [...file.list].sort(byPosition);
    const rest = sorted.slice(max);
    const hidden = file.hidden + rest.length;
    const at = file.at ?? rest[0];
    out.push(...sorted.slice(0, max), {
      file: name,
      line: at.line,
      col: at.col,
      severity: file.hiddenError || rest.some((d) => d.severity === 'error') ? 'error' : 'warning',
      message: `... and ${hidden} more problem${hidden === 1 ? '' : 's'} in this file (only the first ${max} are shown)`,
      code: 'more_problems',
      hidden,
    });
  }
  return out;
}

/** File, then line and column; a file's 'more_problems' line comes after its shown diagnostics. */
export function byPosition(a: Diagnostic, b: Diagnostic): number {
  const more = (d: Diagnostic) => (d.code === 'more_problems' ? 1 : 0);
  return a.file.localeCompare(b.file) || more(a) - more(b) || a.line - b.line || a.col - b.col;
}

/** A list of names for a message, shortened past `max` so that a message stays one line however big the project. */
export function nameList(names: readonly string[], max = 30): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${formatLocation(d)}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
}

export class ConfigError extends DataOpsError {
  override name = 'ConfigError';
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    const shown = capDiagnostics(diagnostics);
    super(shown.map(formatDiagnostic).join('\n'));
    this.diagnostics = shown;
  }
}

export class SourceError extends DataOpsError {
  override name = 'SourceError';
}

/**
 * A source's message with the resource it was for in front, once, however many layers (the HTTP reader,
 * the bronze load, the run) pass it on: the on-call engineer's first question is which source failed.
 */
export function inResource(resource: string, message: string): string {
  const prefix = `resource ${resource}: `;
  return message.startsWith(prefix) ? message : `${prefix}${message}`;
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

/** Line and column of any offset in `text`, each in O(log lines) after one pass over the text. */
export function lineLocator(text: string): (offset: number) => { line: number; col: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, col: offset - starts[low] + 1 };
  };
}
