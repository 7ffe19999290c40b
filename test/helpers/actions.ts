// The three actions run exactly as the runner runs them: `node actions/<name>/dist/index.js` in a child
// process, inputs as INPUT_* variables, outputs and the job summary through the files the runner names.
// The children are spawned asynchronously: a synchronous spawn would block a demo API in the test's process.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO } from './project.js';

const root = REPO;
export const scheduleEvent = join(root, 'test', 'fixtures', 'github', 'schedule-event.json');
export const pullRequestEvent = join(root, 'test', 'fixtures', 'github', 'pull-request-event.json');
export const forkPullRequestEvent = join(root, 'test', 'fixtures', 'github', 'pull-request-fork-event.json');
// The runner runs actions on Node 24; set this to a Node 24 binary to test under it while developing on 20.
const actionNode = process.env.DATAOPS_ACTIONS_NODE || process.execPath;

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Runs one action like the runner: a fresh environment, not this process's. */
export type RunAction = (name: string, inputs: Record<string, string>, env?: Record<string, string | undefined>, options?: ActionRunOptions) => Promise<ActionRun>;

export interface ActionRunOptions {
  /** Polled while the action runs; once true, the action is killed with SIGKILL (a runner that died, an OOM kill). */
  killWhen?: () => boolean;
}

/** A runner for one test file: `workDir()` holds its files (read at each call, as it is made in a beforeAll); `env` is what every action sees (the sources' variables). */
export function actionRunner(workDir: () => string, env: () => Record<string, string>): RunAction {
  let runs = 0;
  return async (name, inputs, overrides = {}, options = {}) => {
    const work = workDir();
    const n = ++runs;
    const outputFile = join(work, `output-${n}`);
    const summaryFile = join(work, `summary-${n}`);
    await writeFile(outputFile, '');
    await writeFile(summaryFile, '');
    const childEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? work,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: root,
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_EVENT_PATH: scheduleEvent,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_REPOSITORY: 'acme-retail/dataops',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_RUN_ID: String(9_000_000 + n),
      GITHUB_WORKFLOW: 'ingest',
      RUNNER_OS: 'Linux',
      RUNNER_TEMP: work,
      // Keeps the replayable raw pages out of the repository.
      DATAOPS_LANDING_DIR: join(work, 'landing'),
      ...env(),
    };
    // The runner's naming: upper case, spaces to underscores, hyphens kept (INPUT_RUN-ID).
    for (const [input, value] of Object.entries(inputs)) childEnv[`INPUT_${input.replace(/ /g, '_').toUpperCase()}`] = value;
    for (const [key, value] of Object.entries(overrides)) {
      if (value === undefined) delete childEnv[key];
      else childEnv[key] = value;
    }

    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(actionNode, [join(root, 'actions', name, 'dist', 'index.js')], { cwd: root, env: childEnv });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const killWhen = options.killWhen;
      const poll = killWhen && setInterval(() => killWhen() && child.kill('SIGKILL'), 10);
      child.on('error', reject);
      child.on('close', (exitCode) => {
        if (poll) clearInterval(poll);
        resolve({ code: exitCode, stdout, stderr });
      });
    });
    return { code, stdout, stderr, outputs: parseOutputFile(await readFile(outputFile, 'utf8')), summary: await readFile(summaryFile, 'utf8') };
  };
}

/** The GITHUB_OUTPUT format as the runner reads it: `name=value` lines and `name<<DELIMITER` heredocs. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]);
      if (i === lines.length) throw new Error(`output ${name}: no closing delimiter ${delimiter}`);
      outputs[name] = value.join('\n');
    } else {
      const eq = line.indexOf('=');
      if (eq < 1) throw new Error(`not an output line: ${line}`);
      outputs[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return outputs;
}

/** `::error::message`: the failure itself (core.setFailed), as opposed to annotations, which carry a file. */
export const failureLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error::'));
export const annotationLines = (stdout: string, level: 'error' | 'warning') => stdout.split('\n').filter((l) => l.startsWith(`::${level} `));

/** The token may appear only in the runner's add-mask command, which the runner consumes and never shows. */
export function expectSecretHidden(run: ActionRun, secret: string): void {
  const shown = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
  expect(shown.join('\n')).not.toContain(secret);
  expect(run.stderr).not.toContain(secret);
  expect(run.summary).not.toContain(secret);
}

export function expectNoStackTrace(run: ActionRun): void {
  expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/^\s+at .+[(:]\d+/m);
}

export const count = (run: ActionRun, output: string) => Number(run.outputs[output]);
