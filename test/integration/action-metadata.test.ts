// Each action.yml agrees with the input/output map its code reads, its README's generated usage block is
// current, and its bundle leaves DuckDB to node_modules.
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as ingest from '../../actions/ingest/src/inputs.js';
import * as qualityGate from '../../actions/quality-gate/src/inputs.js';
import * as transform from '../../actions/transform/src/inputs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface ActionYml {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const actions = [
  { name: 'ingest', maps: ingest },
  { name: 'transform', maps: transform },
  { name: 'quality-gate', maps: qualityGate },
];

describe.each(actions)('actions/$name', ({ name, maps }) => {
  const yml = parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8')) as ActionYml;

  it('runs dist/index.js on node24', () => {
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('declares exactly the inputs the code reads, with the same defaults, each documented', () => {
    const fromCode = Object.fromEntries(Object.values(maps.INPUTS).map((spec) => [spec.name, spec.default]));
    const fromYml = Object.fromEntries(Object.entries(yml.inputs).map(([input, spec]) => [input, spec.default ?? '']));
    expect(fromYml).toEqual(fromCode);
    for (const spec of Object.values(yml.inputs)) expect(spec.description.length).toBeGreaterThan(20);
  });

  it('declares exactly the outputs the code sets, each documented', () => {
    expect(Object.keys(yml.outputs).sort()).toEqual(Object.values(maps.OUTPUTS).sort());
    for (const spec of Object.values(yml.outputs)) expect(spec.description.length).toBeGreaterThan(20);
  });

  it('bundles the engine as ESM but loads DuckDB from node_modules', () => {
    const dist = join(root, 'actions', name, 'dist');
    expect(JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    const bundle = readFileSync(join(dist, 'index.js'), 'utf8');
    expect(bundle).toContain('@duckdb/node-api');
    expect(bundle).not.toContain('class DuckDBInstance');
    // The engine with its chart, Markdown and Snowflake libraries is about 5 MB; DuckDB alone would add 69 MB.
    expect(statSync(join(dist, 'index.js')).size).toBeLessThan(6 * 1024 * 1024);
  });
});

it('every action README has the usage block generated from its action.yml', async () => {
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'action-docs.mjs'), '--check'], { cwd: root });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, output }));
  });
  expect(output).toContain('up to date');
  expect(code).toBe(0);
});
