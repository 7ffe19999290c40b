// Ingest benchmark: N records from the demo API over loopback into bronze, against the ceiling
// (the same pages fetched into memory plus DuckDB's read_ndjson of the same bytes) and against dlt's
// rest_api source into DuckDB, all in one run. Each contender runs in a fresh process; the API runs in
// its own. The engine and the ceiling run --repeat times, interleaved, and the best time of each is
// compared (other work on the machine only ever adds time). Peak RSS of the engine at several sizes
// shows whether memory stays flat.
//
//   npm run bench:ingest -- [--records 1000000] [--limit 10000] [--repeat 3] [--sizes 250000,500000]
//                           [--dlt-records N | --no-dlt] [--memory-limit 1GB] [--json] [--keep]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { flag, hasFlag } from './flags.js';

const HERE = dirname(new URL(import.meta.url).pathname);
const REPO = resolve(HERE, '../..');
const records = Number(flag('records', '1000000'));
const limit = Number(flag('limit', '10000'));
const repeat = Number(flag('repeat', '3'));
const dltRecords = Number(flag('dlt-records', String(records)));
const memoryLimit = flag('memory-limit', '');
const sizes = [...new Set([...flag('sizes', `${records / 4},${records / 2}`).split(',').map(Number).filter((n) => n > 0), records])].sort((a, b) => a - b);

interface EngineResult { seconds: number; cpuSeconds: number; closeSeconds: number; received: number; bronzeRows: number; bytes: number; parts: number; maxRssMB: number; timeline: Array<[string, number]> }
interface CeilingResult { fetchSeconds: number; readSeconds: number; seconds: number; cpuSeconds: number; rows: number; pageBytes: number; recordBytes: number; maxRssMB: number }
interface DltResult { seconds: number; cpuSeconds: number; rows: number; maxRssMB: number }

/** Runs a command and returns the JSON object on the last line of its output. */
function runJson<T>(command: string, args: string[]): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolvePromise(JSON.parse(last) as T);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${err.slice(-4000)}`));
    });
  });
}

async function startApi(count: number): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(HERE, 'api-server.js'), '--records', String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  return { url: (JSON.parse(first.value as string) as { url: string }).url, stop: () => child.kill('SIGTERM') };
}

const mb = (bytes: number) => bytes / 1e6;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const best = <T extends { seconds: number }>(runs: T[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

const root = await mkdtemp(join(tmpdir(), 'dataops-bench-'));
const api = await startApi(Math.max(records, dltRecords, ...sizes));
const loadBefore = load();
try {
  const common = ['--url', api.url, '--limit', String(limit)];
  const work = (name: string) => mkdtemp(join(root, `${name}-`));
  const engineRun = async (size: number, extra: string[] = []) => {
    const result = await runJson<EngineResult>(process.execPath, [join(HERE, 'engine-load.js'), ...common, '--records', String(size), '--dir', await work('engine'), ...extra]);
    if (result.bronzeRows !== size) throw new Error(`engine loaded ${result.bronzeRows} of ${size} records`);
    return result;
  };
  console.error(`bench: ${fmt(records)} records, pages of ${fmt(limit)}, best of ${repeat}, API at ${api.url}, load average ${loadBefore}`);

  const ceilings: CeilingResult[] = [];
  const engines: EngineResult[] = [];
  for (let i = 0; i < repeat; i++) {
    ceilings.push(await runJson<CeilingResult>(process.execPath, [join(HERE, 'ceiling.js'), ...common, '--records', String(records), '--dir', await work('ceiling')]));
    engines.push(await engineRun(records));
    console.error(`run ${i + 1}: ceiling ${fmt(ceilings.at(-1)!.seconds, 2)}s, engine ${fmt(engines.at(-1)!.seconds, 2)}s`);
  }
  const ceiling = best(ceilings);
  const engine = best(engines);

  const memory = new Map<number, EngineResult>();
  // The engine's own memory at each size: the same pages streamed into landing parts, without DuckDB.
  const landingOnly = new Map<number, { seconds: number; received: number; maxRssMB: number }>();
  for (const size of sizes) {
    memory.set(size, size === records && !memoryLimit ? engine : await engineRun(size, memoryLimit ? ['--memory-limit', memoryLimit] : []));
    const landing = await runJson<{ seconds: number; received: number; maxRssMB: number }>(process.execPath, [join(HERE, 'engine-load.js'), ...common, '--records', String(size), '--dir', await work('landing'), '--landing-only']);
    if (landing.received !== size) throw new Error(`landing only: ${landing.received} of ${size} records`);
    landingOnly.set(size, landing);
    console.error(`size ${fmt(size)}: ${fmt(memory.get(size)!.seconds, 2)}s, peak RSS ${fmt(memory.get(size)!.maxRssMB)} MB; without DuckDB ${fmt(landing.maxRssMB)} MB`);
  }

  let dlt: DltResult | undefined;
  if (!hasFlag('no-dlt')) {
    const python = join(REPO, '.venv-dlt/bin/python');
    if (!existsSync(python)) throw new Error('dlt is not set up: run bench/setup-dlt.sh (or pass --no-dlt)');
    dlt = await runJson<DltResult>(python, [join(REPO, 'bench/dlt_rest_api.py'), ...common, '--records', String(dltRecords), '--dir', await work('dlt')]);
    if (dlt.rows !== dltRecords) throw new Error(`dlt loaded ${dlt.rows} of ${dltRecords} records`);
    console.error(`dlt: ${fmt(dlt.seconds, 2)}s for ${fmt(dltRecords)} records`);
  }

  const pairRatios = engines.map((e, i) => e.seconds / ceilings[i].seconds);
  const recordMB = mb(ceiling.recordBytes);
  const rate = (n: number, seconds: number) => fmt(n / seconds);
  const row = (name: string, n: number, seconds: number, cpuSeconds: number, detail: string, vs: string) =>
    `| ${name} | ${fmt(n)} | ${fmt(seconds, 2)}${detail} | ${rate(n, seconds)} | ${fmt((recordMB * n) / records / seconds, 1)} | ${fmt(cpuSeconds, 2)} | ${vs} |`;
  const lines = [
    `${fmt(records)} records, ${fmt(recordMB)} MB as JSON lines, pages of ${fmt(limit)}; best of ${repeat}; load average ${loadBefore} before, ${load()} after`,
    '',
    `| | records | seconds | records/s | MB/s | CPU seconds | engine vs this |`,
    `|---|---:|---:|---:|---:|---:|---:|`,
    row('dataops engine: API -> bronze, committed', records, engine.seconds, engine.cpuSeconds, '', '-'),
    row('ceiling: fetch to memory + read_ndjson', records, ceiling.seconds, ceiling.cpuSeconds, ` (${fmt(ceiling.fetchSeconds, 2)} + ${fmt(ceiling.readSeconds, 2)})`, `${fmt(engine.seconds / ceiling.seconds, 2)}x the ceiling's time (CPU ${fmt(engine.cpuSeconds / ceiling.cpuSeconds, 2)}x)`),
    ...(dlt ? [row('dlt rest_api -> duckdb', dltRecords, dlt.seconds, dlt.cpuSeconds, '', `engine ${fmt(records / engine.seconds / (dltRecords / dlt.seconds), 1)}x dlt's records/s`)] : []),
    '',
    `Engine runs: ${engines.map((e) => fmt(e.seconds, 2)).join(', ')} s (then ${fmt(engine.closeSeconds, 2)} s to close the database); ceiling runs: ${ceilings.map((c) => fmt(c.seconds, 2)).join(', ')} s.`,
    `Run by run (each engine run against the ceiling run just before it): ${pairRatios.map((r) => `${fmt(r, 2)}x`).join(', ')}; median ${fmt(median(pairRatios), 2)}x.`,
    `Best engine run, ms since start: ${engine.timeline.map(([event, ms]) => `${event} ${ms}`).join(', ')}.`,
    '',
    `| records | engine seconds | engine peak RSS (MB)${memoryLimit ? ` (DuckDB memory_limit ${memoryLimit})` : ''} | fetch and landing only, no DuckDB: peak RSS (MB) |`,
    `|---:|---:|---:|---:|`,
    ...sizes.map((s) => `| ${fmt(s)} | ${fmt(memory.get(s)!.seconds, 2)} | ${fmt(memory.get(s)!.maxRssMB)} | ${fmt(landingOnly.get(s)!.maxRssMB)} |`),
    '',
    `Peak RSS: ceiling ${fmt(ceiling.maxRssMB)} MB${dlt ? `, dlt ${fmt(dlt.maxRssMB)} MB` : ''}.`,
  ];
  console.log(lines.join('\n'));
  if (hasFlag('json')) console.log(JSON.stringify({ records, limit, repeat, ceilings, engines, memory: Object.fromEntries(memory), landingOnly: Object.fromEntries(landingOnly), dlt }));
} finally {
  api.stop();
  if (!hasFlag('keep')) await rm(root, { recursive: true, force: true });
}
