// How `validate` scales on hostile input, as time ratios measured in one run (never as timed tests): a
// pipeline with n and then 4n unknown keys (linear work takes about 4x, quadratic about 16x), a SQL model
// with n and 4n unknown tables, and an alias bomb against a plain file of the same size. Each case runs
// the engine's own path for one file: the YAML source, the schema, the rules and the capped diagnostics.
//
//   npm run bench:validate-hostile -- [--keys 5000] [--tables 5000] [--repeat 3]
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipeline } from '../src/config/pipeline.js';
import { loadProject } from '../src/project.js';
import { capDiagnostics } from '../src/errors.js';
import { flag } from './flags.js';

const keys = Number(flag('keys', '5000'));
const tables = Number(flag('tables', '5000'));
const repeat = Number(flag('repeat', '3'));

const PIPELINE_HEAD = `name: hostile
source:
  kind: http
  base_url: http://127.0.0.1:1
  resources:
    items:
      path: /items
`;
const PIPELINE_TAIL = `silver:
  items:
    from: items
    key: [id]
    columns:
      id: { path: id, type: integer }
`;

function unknownKeys(n: number): string {
  let text = PIPELINE_HEAD;
  for (let i = 0; i < n; i++) text += `      unknown_key_${i}: 1\n`;
  return text + PIPELINE_TAIL;
}

/** Ten levels of ten aliases each: 10^10 values once expanded, in under 400 bytes. */
function aliasBomb(): string {
  let text = `${PIPELINE_HEAD}silver:\n  items:\n    from: items\n    key: [id]\n    columns:\n      id: { path: id, type: integer }\nlaughs:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n`;
  for (let level = 1; level < 10; level++) text += `  l${level}: &l${level} [${Array(10).fill(`*l${level - 1}`).join(', ')}]\n`;
  return text;
}

/** The same number of bytes without a single alias. */
function plainOfSize(bytes: number): string {
  let text = `${PIPELINE_HEAD}silver:\n  items:\n    from: items\n    key: [id]\n    columns:\n      id: { path: id, type: integer }\nlaughs:\n`;
  for (let i = 0; text.length < bytes; i++) text += `  l${i}: [lol, lol, lol]\n`;
  return text;
}

function best(run: () => unknown): number {
  let fastest = Infinity;
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

async function bestAsync(run: () => Promise<unknown>): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    await run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

const validatePipeline = (text: string) => () => capDiagnostics(loadPipeline('pipelines/hostile.yml', text, {}).diagnostics);

const rows: Array<[string, string, number, string]> = [];
const ms = (n: number) => n.toFixed(1);

for (const n of [keys, 4 * keys]) {
  const text = unknownKeys(n);
  const shown = validatePipeline(text)();
  rows.push([`pipeline, ${n.toLocaleString('en-US')} unknown keys`, `${(text.length / 1e6).toFixed(2)} MB`, best(validatePipeline(text)), `${shown.length} diagnostics shown`]);
}

const bomb = aliasBomb();
const plain = plainOfSize(bomb.length);
const refused = validatePipeline(bomb)();
rows.push([`alias bomb (10^10 values expanded)`, `${bomb.length} bytes`, best(validatePipeline(bomb)), refused[0]?.message.slice(0, 40) ?? 'accepted']);
rows.push([`plain file of the same size`, `${plain.length} bytes`, best(validatePipeline(plain)), `${validatePipeline(plain)().length} diagnostics`]);

// A model that reads thousands of tables that do not exist: each is placed at its line and column.
const dir = await mkdtemp(join(tmpdir(), 'dataops-hostile-'));
try {
  for (const n of [tables, 4 * tables]) {
    await rm(join(dir, 'sql'), { recursive: true, force: true });
    await mkdir(join(dir, 'sql/gold'), { recursive: true });
    let sql = 'SELECT 1 AS one\n';
    for (let i = 0; i < n; i++) sql += `UNION ALL SELECT 1 FROM silver.missing_${i}\n`;
    await writeFile(join(dir, 'sql/gold/hostile.sql'), sql);
    const load = async () => capDiagnostics((await loadProject(dir, {})).diagnostics);
    const shown = await load();
    rows.push([`SQL model, ${n.toLocaleString('en-US')} unknown tables`, `${(sql.length / 1e6).toFixed(2)} MB`, await bestAsync(load), `${shown.length} diagnostics shown`]);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

console.log(`best of ${repeat}, Node ${process.versions.node}\n`);
console.log('| input | size | ms | result |\n|---|---:|---:|---|');
for (const [what, size, time, result] of rows) console.log(`| ${what} | ${size} | ${ms(time)} | ${result} |`);
const ratio = (a: number, b: number) => (rows[b][2] / rows[a][2]).toFixed(2);
console.log(`\n4x the unknown keys: ${ratio(0, 1)}x the time (linear: about 4x; quadratic: about 16x)`);
console.log(`alias bomb: ${ratio(3, 2)}x the time of a plain file of the same size`);
console.log(`4x the unknown tables: ${ratio(4, 5)}x the time`);
