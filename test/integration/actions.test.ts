// The three actions run exactly as the runner runs them: `node actions/<name>/dist/index.js` in a child
// process, inputs as INPUT_* variables, outputs and the job summary through the files the runner names,
// against the repository's pipelines, a temporary DuckDB file and the demo API started here. The
// children are spawned asynchronously: a synchronous spawn would block the demo API in this process.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRetailData } from '../../src/demo/data.js';
import { writeReferenceDatabase } from '../../src/demo/reference-db.js';
import { startDemoApi, type DemoApi } from '../../src/demo/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const eventFixture = join(root, 'test', 'fixtures', 'github', 'schedule-event.json');
const TOKEN = 'demo-token-7f3c9a1e5b2d4c68a0e1';
// The runner runs actions on Node 24; set this to a Node 24 binary to test under it while developing on 20.
const actionNode = process.env.DATAOPS_ACTIONS_NODE || process.execPath;

interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

let work: string;
let api: DemoApi;
let referenceDb: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'dataops-actions-'));
  const anchor = new Date();
  api = await startDemoApi({ token: TOKEN, anchor });
  referenceDb = join(work, 'reference.duckdb');
  await writeReferenceDatabase(referenceDb, generateRetailData({ anchor }));
});

afterAll(async () => {
  await api?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

let runs = 0;

/** Runs one action like the runner: a fresh environment, not this process's. */
async function runAction(name: string, inputs: Record<string, string>, env: Record<string, string | undefined> = {}): Promise<ActionRun> {
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
    GITHUB_EVENT_PATH: eventFixture,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'acme-retail/dataops',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_RUN_ID: String(9_000_000 + n),
    GITHUB_WORKFLOW: 'ingest',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: work,
    DEMO_API_URL: api.url,
    DEMO_API_TOKEN: TOKEN,
    DEMO_REFERENCE_DB: referenceDb,
    // Keeps the replayable raw pages out of the repository.
    DATAOPS_LANDING_DIR: join(work, 'landing'),
  };
  // The runner's naming: upper case, spaces to underscores, hyphens kept (INPUT_RUN-ID).
  for (const [input, value] of Object.entries(inputs)) childEnv[`INPUT_${input.replace(/ /g, '_').toUpperCase()}`] = value;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }

  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(actionNode, [join(root, 'actions', name, 'dist', 'index.js')], { cwd: root, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, stdout, stderr }));
  });
  return { code, stdout, stderr, outputs: parseOutputFile(await readFile(outputFile, 'utf8')), summary: await readFile(summaryFile, 'utf8') };
}

/** The GITHUB_OUTPUT format as the runner reads it: `name=value` lines and `name<<DELIMITER` heredocs. */
function parseOutputFile(text: string): Record<string, string> {
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
const failureLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error::'));
const annotationLines = (stdout: string, level: 'error' | 'warning') => stdout.split('\n').filter((l) => l.startsWith(`::${level} `));

/** The token may appear only in the runner's add-mask command, which the runner consumes and never shows. */
function expectTokenHidden(run: ActionRun): void {
  const shown = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
  expect(shown.join('\n')).not.toContain(TOKEN);
  expect(run.stderr).not.toContain(TOKEN);
  expect(run.summary).not.toContain(TOKEN);
}

function expectNoStackTrace(run: ActionRun): void {
  expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/^\s+at .+[(:]\d+/m);
}

const count = (run: ActionRun, output: string) => Number(run.outputs[output]);

describe('actions run as the runner runs them', () => {
  it('chains ingest -> transform -> quality-gate as one run, with outputs, annotations and summaries', async () => {
    const database = join(work, 'chain.duckdb');
    const reportDir = join(work, 'site');

    const ingest = await runAction('ingest', { database });
    expect(ingest.stderr).toBe('');
    expect(ingest.code).toBe(0);
    const runId = ingest.outputs['run-id'];
    expect(runId).toMatch(/^run_\w+$/);
    expect(ingest.outputs.outcome).toBe('success');
    expect(count(ingest, 'loaded')).toBeGreaterThan(1000);
    expect(count(ingest, 'accepted')).toBe(0);
    expect(count(ingest, 'checks-passed')).toBe(0);
    // The engine registered the API token when it read it; the action told the runner to mask it.
    expect(ingest.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(ingest.summary).toContain(`## ✅ ingest: run ${runId}`);
    expect(ingest.summary).toContain('### This step: ingest');
    expect(ingest.summary).toContain('Triggered by schedule `0 * * * *`');
    expect(ingest.summary).toMatch(/\| retail_pos \| transactions \| [\d,]+ \| [\d,]+ \| bronze\.retail_pos_transactions \|/);

    const transform = await runAction('transform', { database, 'run-id': runId });
    expect(transform.code).toBe(0);
    expect(transform.outputs['run-id']).toBe(runId);
    expect(transform.outputs.outcome).toBe('success');
    expect(count(transform, 'loaded')).toBe(count(ingest, 'loaded'));
    expect(count(transform, 'accepted')).toBeGreaterThan(0);
    expect(count(transform, 'rejected')).toBeGreaterThan(0);
    expect(transform.summary).toContain('#### Silver');
    expect(transform.summary).toContain('#### Gold');
    expect(transform.summary).toMatch(/\| gold\.fact_sales \| sql\/gold\/[\w/]+\.sql \| [\d,]+ \|/);

    // A list in every separator the input accepts; it names all four pipelines.
    const gate = await runAction('quality-gate', { database, 'run-id': runId, pipelines: 'retail_pos, inventory\ncatalog  stores', 'report-dir': reportDir });
    expect(gate.code).toBe(0);
    expect(gate.outputs['run-id']).toBe(runId);
    expect(gate.outputs.outcome).toBe('success');
    expect(count(gate, 'loaded')).toBe(count(ingest, 'loaded'));
    expect(count(gate, 'accepted')).toBe(count(transform, 'accepted'));
    expect(count(gate, 'rejected')).toBe(count(transform, 'rejected'));
    expect(count(gate, 'checks-passed')).toBeGreaterThan(10);
    expect(count(gate, 'checks-failed')).toBe(0);
    const warned = count(gate, 'checks-warned');
    expect(warned).toBeGreaterThan(0);
    expect(gate.outputs['report-path']).toBe(join(reportDir, 'index.html'));
    expect(existsSync(gate.outputs['report-path'])).toBe(true);
    // Each warned check is annotated on the line of the pipeline file that declares it.
    const warnings = annotationLines(gate.stdout, 'warning');
    expect(warnings).toHaveLength(Math.min(warned, 10));
    for (const w of warnings) expect(w).toMatch(/^::warning title=Check warned%3A .+,file=pipelines\/\w+\.yml,line=\d+::\d+ failing rows?/);
    expect(failureLines(gate.stdout)).toEqual([]);
    expect(gate.summary).toContain(`## ✅ quality-gate: run ${runId}`);
    expect(gate.summary).toContain(`### Warned checks (${warned})`);
    expect(gate.summary).toMatch(/\| silver\.\w+ \| [^|]+ \| warn \| warn \| [\d,]+ \| pipelines\/\w+\.yml:\d+ \|/);

    for (const run of [ingest, transform, gate]) {
      expectTokenHidden(run);
      expectNoStackTrace(run);
    }
  }, 45_000);

  it('fails the gate with fail-on: warn when checks warn, with one message naming them', async () => {
    const database = join(work, 'warn.duckdb');
    const ingest = await runAction('ingest', { database, pipelines: 'retail_pos' });
    expect(ingest.code).toBe(0);
    const runId = ingest.outputs['run-id'];
    expect((await runAction('transform', { database, pipelines: 'retail_pos', 'run-id': runId })).code).toBe(0);

    const gate = await runAction('quality-gate', { database, pipelines: 'retail_pos', 'run-id': runId, 'fail-on': 'warn' });
    expect(gate.code).toBe(1);
    expect(gate.outputs.outcome).toBe('failure');
    expect(count(gate, 'checks-warned')).toBeGreaterThan(0);
    const [failure, ...others] = failureLines(gate.stdout);
    expect(others).toEqual([]);
    expect(failure).toMatch(/^::error::quality-gate failed: \d+ checks? failed or warned \(fail-on: warn\): silver\.\w+ .+ \(pipelines\/retail_pos\.yml:\d+\)/);
    expect(gate.summary).toContain(`quality-gate: run ${runId}`);
    expectTokenHidden(gate);
    expectNoStackTrace(gate);
  }, 30_000);

  const badInputs: Array<{ name: string; action: string; inputs: Record<string, string>; env?: Record<string, string | undefined>; names: RegExp }> = [
    { name: 'an unknown pipeline name', action: 'ingest', inputs: { pipelines: 'retail_pos nope' }, names: /unknown pipeline nope \(pipelines: catalog, inventory, retail_pos, stores\)/ },
    { name: 'target snowflake', action: 'quality-gate', inputs: { target: 'snowflake' }, names: /input target: "snowflake" is not supported yet; supported: duckdb/ },
    { name: 'an unknown fail-on policy', action: 'quality-gate', inputs: { 'fail-on': 'sometimes' }, names: /input fail-on: "sometimes" is not one of error, warn, never/ },
    { name: 'a missing secret variable', action: 'transform', inputs: {}, env: { DEMO_API_TOKEN: undefined }, names: /environment variable DEMO_API_TOKEN is not set \(needed for source\.auth\.token\) \(pipelines\/\w+\.yml:\d+:\d+/ },
    { name: 'a project folder without pipelines', action: 'ingest', inputs: { project: 'sql' }, names: /input project: .*sql has no pipelines\/ folder/ },
  ];

  it.each(badInputs)('fails on $name with exit code 1 and one message naming what to fix', async ({ action, inputs, env, names }) => {
    const database = join(work, 'bad-input.duckdb');
    const run = await runAction(action, { database, ...inputs }, env);
    expect(run.code).toBe(1);
    expect(run.outputs.outcome).toBe('failure');
    const failures = failureLines(run.stdout);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(new RegExp(`^::error::${action} failed: `));
    expect(failures[0]).toMatch(names);
    expect(run.summary).toContain(`## ❌ ${action} failed`);
    expectNoStackTrace(run);
    expectTokenHidden(run);
    expect(run.stderr).toBe('');
  }, 15_000);

  it('annotates each file of an invalid project on the line at fault', async () => {
    const run = await runAction('ingest', { database: join(work, 'bad-input.duckdb') }, { DEMO_API_URL: undefined });
    expect(run.code).toBe(1);
    const annotations = annotationLines(run.stdout, 'error');
    // Every HTTP pipeline names DEMO_API_URL in its source.base_url.
    expect(annotations.map((a) => /file=(pipelines\/\w+\.yml)/.exec(a)?.[1]).sort()).toEqual(['pipelines/catalog.yml', 'pipelines/inventory.yml', 'pipelines/retail_pos.yml']);
    for (const a of annotations) expect(a).toMatch(/,line=\d+,col=\d+::environment variable DEMO_API_URL is not set \(needed for source\.base_url\)$/);
  }, 15_000);
});
