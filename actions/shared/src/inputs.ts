// The inputs and outputs every data-ops action shares, and their parsing into typed settings.
// Names and defaults here must match each action.yml (test/integration/action-metadata.test.ts checks);
// defaults are applied here too because an input set to '' (or a run outside the runner) arrives empty.
import * as core from '@actions/core';
import { parseWindow, type TimeWindow } from '../../../src/backfill.js';
import { TARGETS as ENGINE_TARGETS } from '../../../src/engine.js';
import { DataOpsError } from '../../../src/errors.js';

export interface InputSpec {
  readonly name: string;
  readonly default: string;
}

export const RUN_INPUTS = {
  pipelines: { name: 'pipelines', default: '' },
  project: { name: 'project', default: '.' },
  // Empty: the engine's own precedence (DATAOPS_DATABASE / DATAOPS_TARGET, then dataops.yml, then the defaults).
  database: { name: 'database', default: '' },
  target: { name: 'target', default: '' },
  runId: { name: 'run-id', default: '' },
} as const satisfies Record<string, InputSpec>;

export const RUN_OUTPUTS = {
  runId: 'run-id',
  loaded: 'loaded',
  accepted: 'accepted',
  rejected: 'rejected',
  checksPassed: 'checks-passed',
  checksWarned: 'checks-warned',
  checksFailed: 'checks-failed',
  outcome: 'outcome',
} as const;

export type RunOutputs = typeof RUN_OUTPUTS;

/** The engine's targets; Snowflake reads its connection from SNOWFLAKE_* variables. */
export const TARGETS = ENGINE_TARGETS;
export type Target = (typeof TARGETS)[number];

export interface RunSettings {
  /** Empty: every pipeline of the project. */
  pipelines: string[];
  projectDir: string;
  /** Relative paths are relative to the project folder, as with the CLI's --database; undefined: the engine decides. */
  database?: string;
  /** Undefined: DATAOPS_TARGET, then dataops.yml, then duckdb. */
  target?: Target;
  /** Undefined: the engine starts a new run. */
  runId?: string;
}

/** A bad action input: the message names the input and what it accepts. */
export class InputError extends DataOpsError {
  override name = 'InputError';
  constructor(input: string, message: string) {
    super(`input ${input}: ${message}`);
  }
}

export function readInput(spec: InputSpec): string {
  return core.getInput(spec.name) || spec.default;
}

export function readRunSettings(inputs: typeof RUN_INPUTS): RunSettings {
  const runId = readInput(inputs.runId);
  return {
    pipelines: parsePipelineNames(readInput(inputs.pipelines)),
    projectDir: readInput(inputs.project),
    database: readInput(inputs.database) || undefined,
    target: readInput(inputs.target) ? parseTarget(inputs.target.name, readInput(inputs.target)) : undefined,
    runId: runId || undefined,
  };
}

/** A backfill's window from two inputs: both empty, none; both set, the window; one alone is an error. */
export function readBackfillWindow(from: InputSpec, to: InputSpec): TimeWindow | undefined {
  const [start, end] = [readInput(from).trim(), readInput(to).trim()];
  if (!start && !end) return undefined;
  if (!start || !end) {
    const [missing, given] = start ? [to, from] : [from, to];
    throw new InputError(missing.name, `empty, but ${given.name} is set: a backfill takes both (a date such as 2026-11-20, or a timestamp)`);
  }
  return parseWindow(start, end, { from: `input ${from.name}`, to: `input ${to.name}` });
}

/** Names separated by spaces, commas or newlines (a YAML block scalar works); duplicates are dropped. */
export function parsePipelineNames(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

export function parseTarget(input: string, value: string): Target {
  const target = value.trim().toLowerCase();
  if ((TARGETS as readonly string[]).includes(target)) return target as Target;
  throw new InputError(
    input,
    `"${value}" is not a target; supported: ${TARGETS.join(', ')} (remove the input for duckdb)`,
  );
}

/** Reads one of a fixed set of values, case-insensitively. */
export function parseChoice<T extends string>(input: string, value: string, choices: readonly T[]): T {
  const choice = value.trim().toLowerCase();
  if ((choices as readonly string[]).includes(choice)) return choice as T;
  throw new InputError(input, `"${value}" is not one of ${choices.join(', ')}`);
}
