// Annotations put the message on the YAML or SQL line at fault in the pull request's diff view.
import { isAbsolute, relative, resolve } from 'node:path';
import * as core from '@actions/core';
import type { Diagnostic } from '../../../src/errors.js';
import type { CheckOutcome } from '../../../src/quality/checks.js';
import { mask } from '../../../src/secrets.js';

/** GitHub shows at most 10 error and 10 warning annotations per step; the rest would only add log noise. */
const SHOWN_PER_LEVEL = 10;

interface Annotation {
  level: 'error' | 'warning';
  title: string;
  message: string;
  /** Relative to the project folder, as the engine reports it. */
  file: string;
  line: number;
  col?: number;
}

export function annotateDiagnostics(projectDir: string, diagnostics: readonly Diagnostic[], title = 'Invalid data-ops project'): void {
  annotate(
    projectDir,
    diagnostics.map((d) => ({ level: d.severity, title, message: d.message, file: d.file, line: d.line, col: d.col })),
  );
}

/** Failed checks as errors, warned ones as warnings, on the line that declares the check. */
export function annotateChecks(projectDir: string, checks: readonly CheckOutcome[]): void {
  annotate(
    projectDir,
    checks
      .filter((c) => c.status !== 'pass')
      .map((c) => ({
        level: c.status === 'warn' ? 'warning' : 'error',
        title: `Check ${c.status === 'warn' ? 'warned' : 'failed'}: ${c.table} ${c.check}`,
        message: c.message,
        file: c.file,
        line: c.line,
      })),
  );
}

function annotate(projectDir: string, annotations: readonly Annotation[]): void {
  for (const level of ['error', 'warning'] as const) {
    const ofLevel = annotations.filter((a) => a.level === level);
    for (const a of ofLevel.slice(0, SHOWN_PER_LEVEL)) {
      const properties: core.AnnotationProperties = {
        title: mask(a.title),
        file: workspacePath(projectDir, a.file),
        startLine: a.line,
        startColumn: a.col,
      };
      (level === 'error' ? core.error : core.warning)(mask(a.message), properties);
    }
    const hidden = ofLevel.length - SHOWN_PER_LEVEL;
    if (hidden > 0) core.info(`${hidden} more ${level}s are not annotated; the job summary lists them all`);
  }
}

/** Annotation paths are relative to the repository root, while the engine's are relative to the project. */
export function workspacePath(projectDir: string, file: string): string {
  const absolute = resolve(projectDir, file);
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const path = relative(workspace, absolute);
  return path.startsWith('..') || isAbsolute(path) ? absolute : path.split('\\').join('/');
}
