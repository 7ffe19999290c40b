// The quality benchmark: the same checks (not_null, unique, accepted_values, range, pattern, relationships)
// on a 10M-row table in one DuckDB file, run by this product, by `dbt test` (dbt-duckdb) and by `soda scan`
// (soda-core-duckdb), each in its own process, taking turns, best of --repeat. Then an hourly run: the
// row-level checks on `scope: new` after a run that added one hour of rows. See bench/README.md.
//
//   bench/setup-quality.sh   # once: .venv-quality
//   npm run bench:quality -- [--rows 10000000] [--repeat 3] [--no-dbt] [--no-soda] [--keep]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { ensureMetaSchema } from '../src/state/meta.js';
import { DuckDBWarehouse } from '../src/warehouse/duckdb.js';
import { flag, hasFlag } from './flags.js';
import { AMOUNT, STATUSES, dbtExecuteSeconds, dbtStatements, pipelineYaml, sodaQuerySeconds, sodaStatements, writeDbtProject, writeSodaFiles } from './quality-tools.js';

const rows = Number(flag('rows', '10000000'));
const repeat = Number(flag('repeat', '3'));
const HOURS = 365 * 24;
const root = join(import.meta.dirname, '..', '..');
const venv = join(root, '.venv-quality', 'bin');
const withDbt = !hasFlag('no-dbt');
const withSoda = !hasFlag('no-soda');
if ((withDbt || withSoda) && !existsSync(join(venv, 'python'))) throw new Error('no .venv-quality: run bench/setup-quality.sh first (or pass --no-dbt --no-soda)');

const dir = mkdtempSync(join(tmpdir(), 'dataops-quality-'));
const database = join(dir, 'bench.duckdb');
const runIdOfHour = (h: number) => `run_${String(h).padStart(5, '0')}`;
const lastRun = runIdOfHour(HOURS - 1);

/** Orders spread over a year of hourly runs, one batch each, every check passing; 1,000 customers. */
async function makeDatabase(): Promise<void> {
  const w = await DuckDBWarehouse.open(database);
  try {
    await ensureMetaSchema(w);
    const perHour = Math.ceil(rows / HOURS);
    await w.execute(`CREATE TABLE silver.customers AS SELECT i AS customer_id, 'Customer ' || i AS name, 'seed' AS _batch_id FROM range(1, 1001) t(i)`);
    await w.execute(
      `CREATE TABLE silver.orders AS SELECT i AS order_id, 1 + (i * 7919) % 1000 AS customer_id, ${JSON.stringify(STATUSES).replace(/"/g, "'")}[1 + i % ${STATUSES.length}] AS status,
        CAST((i * 37 % ${AMOUNT.max * 100}) / 100 AS DECIMAL(10,2)) AS amount, 'OR-' || lpad(i::VARCHAR, 8, '0') AS code,
        TIMESTAMP '2025-01-01' + (i // ${perHour}) * INTERVAL 1 HOUR + (i % 3600) * INTERVAL 1 SECOND AS ordered_at,
        'run_' || lpad((i // ${perHour})::VARCHAR, 5, '0') || '.shop.orders' AS _batch_id
       FROM range(0, ${rows}) t(i)`,
    );
    await w.execute(
      `INSERT INTO meta.batches (batch_id, run_id, pipeline, resource) SELECT 'run_' || lpad(h::VARCHAR, 5, '0') || '.shop.orders', 'run_' || lpad(h::VARCHAR, 5, '0'), 'shop', 'orders' FROM range(0, ${HOURS}) t(h)`,
    );
    await w.execute('CHECKPOINT');
  } finally {
    await w.close();
  }
}

interface Timed {
  seconds: number;
  stdout: string;
}
function timed(command: string, args: string[], cwd = root, env: NodeJS.ProcessEnv = {}): Timed {
  const started = performance.now();
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

const productScript = join(root, 'build', 'bench', 'quality-product.js');
function product(pipelineFile: string, runId: string, ...extra: string[]): { e2e: number; query: number; results: Array<{ status: string }> } {
  const r = timed(process.execPath, [productScript, database, pipelineFile, runId, ...extra]);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { checkSeconds: number; results: Array<{ check: string; status: string }> };
  const bad = out.results.filter((c) => c.status !== 'pass');
  if (bad.length) throw new Error(`the product's checks did not all pass: ${JSON.stringify(bad)}`);
  return { e2e: r.seconds, query: out.checkSeconds, results: out.results };
}

function replay(statements: string[], name: string): number {
  const file = join(dir, `${name}-statements.json`);
  writeFileSync(file, JSON.stringify(statements));
  return (JSON.parse(timed(join(venv, 'python'), [join(root, 'bench', 'quality_sql.py'), database, file]).stdout) as { seconds: number }).seconds;
}

const dbtDir = join(dir, 'dbt');
const sodaDir = join(dir, 'soda');
const dbtEnv = { DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', DO_NOT_TRACK: '1' };
const runDbt = () => timed(join(venv, 'dbt'), ['test', '--project-dir', dbtDir, '--profiles-dir', dbtDir], dbtDir, dbtEnv);
// -V prints each query and Soda's own timing of it.
const runSoda = () => timed(join(venv, 'soda'), ['scan', '-d', 'bench', '-c', 'configuration.yml', 'checks.yml', '-V'], sodaDir, { HOME: sodaDir });

try {
  let started = performance.now();
  await makeDatabase();
  console.log(`${rows.toLocaleString('en-US')} orders written in ${((performance.now() - started) / 1000).toFixed(1)} s to ${database}`);
  const fullPipeline = join(dir, 'shop.yml');
  const hourlyPipeline = join(dir, 'shop-hourly.yml');
  const hourlyRowPipeline = join(dir, 'shop-hourly-row-level.yml');
  const fullRowPipeline = join(dir, 'shop-row-level.yml');
  writeFileSync(fullPipeline, pipelineYaml('all'));
  writeFileSync(hourlyPipeline, pipelineYaml('new'));
  writeFileSync(hourlyRowPipeline, pipelineYaml('new', false));
  writeFileSync(fullRowPipeline, pipelineYaml('all', false));
  writeDbtProject(dbtDir, database);
  writeSodaFiles(sodaDir, database);

  // Once, untimed: each tool's SQL for the replays (and a first parse of the dbt project, as a developer's would have).
  let dbtSql: string[] = [];
  let sodaSql: string[] = [];
  if (withDbt) {
    runDbt();
    dbtSql = dbtStatements(dbtDir);
  }
  if (withSoda) {
    const log = runSoda().stdout;
    if (!/All is good/.test(log)) throw new Error(`soda scan did not pass:\n${log}`);
    sodaSql = sodaStatements(log);
    if (!sodaSql.length) throw new Error(`no queries found in soda scan -V's log:\n${log}`);
  }

  type Sample = Record<string, number>;
  const samples: Sample[] = [];
  for (let r = 0; r < repeat; r++) {
    const s: Sample = {};
    const p = product(fullPipeline, 'run_full');
    s.productE2e = p.e2e;
    s.productQuery = p.query;
    const alone = product(fullPipeline, 'run_full', '--alone');
    s.aloneE2e = alone.e2e;
    s.aloneQuery = alone.query;
    if (withDbt) {
      s.dbtE2e = runDbt().seconds;
      s.dbtQuery = dbtExecuteSeconds(dbtDir);
      s.dbtReplay = replay(dbtSql, 'dbt');
    }
    if (withSoda) {
      const soda = runSoda();
      s.sodaE2e = soda.seconds;
      s.sodaQuery = sodaQuerySeconds(soda.stdout);
      s.sodaReplay = replay(sodaSql, 'soda');
    }
    const hourly = product(hourlyPipeline, lastRun);
    s.hourlyE2e = hourly.e2e;
    s.hourlyQuery = hourly.query;
    const hourlyRowLevel = product(hourlyRowPipeline, lastRun);
    s.hourlyRowE2e = hourlyRowLevel.e2e;
    s.hourlyRowQuery = hourlyRowLevel.query;
    // The same row-level checks on the whole table, for the comparison.
    const fullRowLevel = product(fullRowPipeline, 'run_full');
    s.fullRowQuery = fullRowLevel.query;
    samples.push(s);
    console.log(`round ${r + 1}: ${Object.entries(s).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  }
  const best = (key: string) => Math.min(...samples.map((s) => s[key]));
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  const fmt = (n: number) => n.toFixed(2);
  const pq = best('productQuery');
  const pe = best('productE2e');
  const table = [
    '| | end to end (s) | query work (s) | end to end: its time / the product\'s | query work: its time / the product\'s |',
    '|---|---:|---:|---:|---:|',
    `| dataops (one scan per table) | ${fmt(pe)} | ${fmt(pq)} | 1.00x | 1.00x |`,
    `| dataops, each check alone (before) | ${fmt(best('aloneE2e'))} | ${fmt(best('aloneQuery'))} | ${ratio(best('aloneE2e'), pe)} | ${ratio(best('aloneQuery'), pq)} |`,
    ...(withDbt ? [`| dbt test | ${fmt(best('dbtE2e'))} | ${fmt(best('dbtQuery'))} (its SQL replayed: ${fmt(best('dbtReplay'))}) | ${ratio(best('dbtE2e'), pe)} | ${ratio(best('dbtQuery'), pq)} (replayed: ${ratio(best('dbtReplay'), pq)}) |`] : []),
    ...(withSoda ? [`| soda scan | ${fmt(best('sodaE2e'))} | ${fmt(best('sodaQuery'))} (its SQL replayed: ${fmt(best('sodaReplay'))}) | ${ratio(best('sodaE2e'), pe)} | ${ratio(best('sodaQuery'), pq)} (replayed: ${ratio(best('sodaReplay'), pq)}) |`] : []),
  ];
  const newRows = Math.ceil(rows / HOURS);
  console.log(`
${rows.toLocaleString('en-US')} rows, best of ${repeat}; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} at the end.

${table.join('\n')}

An hourly run that added ${newRows.toLocaleString('en-US')} of the ${rows.toLocaleString('en-US')} rows (the product's checks, timed inside; end to end in brackets):

| | hourly run (s) | the same checks on the whole table (s) | hourly / whole table |
|---|---:|---:|---:|
| the five row-level checks on scope: new | ${fmt(best('hourlyRowQuery'))} (${fmt(best('hourlyRowE2e'))}) | ${fmt(best('fullRowQuery'))} | ${(best('hourlyRowQuery') / best('fullRowQuery')).toFixed(3)} |
| the same, and unique on the whole table | ${fmt(best('hourlyQuery'))} (${fmt(best('hourlyE2e'))}) | ${fmt(pq)} (${fmt(pe)}) | ${(best('hourlyQuery') / pq).toFixed(3)} |
${withSoda ? `\nSoda's statements (${sodaSql.length}) and dbt's (${dbtSql.length}) are in ${dir} with --keep.` : ''}`);
} finally {
  if (!hasFlag('keep')) rmSync(dir, { recursive: true, force: true });
}
