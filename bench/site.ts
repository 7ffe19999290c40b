// How long the whole report site takes to build at a year of hourly history, and how big its pages are.
// The demo project is run once for real (every layer built), then 8,760 hourly runs of its four pipelines
// are generated into meta before that run (test/helpers/history.ts); the build reads everything the site
// shows from the DuckDB file (readSiteInput) and renders and writes every page (buildSite), as
// `dataops report` does. Goal: under 5 s, the index under 1 MB, every page under 2 MB.
//
//   npm run bench:site -- [--runs 8760] [--repeat 3]
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { loadProject } from '../src/project.js';
import { buildSite } from '../src/site/build.js';
import { readSiteInput } from '../src/site/input.js';
import { withDatabase } from '../test/helpers/project.js';
import { demoWithHistory } from '../test/helpers/history.js';
import { flag } from './flags.js';

const runs = Number(flag('runs', '8760'));
const repeat = Number(flag('repeat', '3'));
const MB = 1024 * 1024;

const started = performance.now();
const demo = await demoWithHistory(runs);
console.log(`setup: the demo run and ${runs.toLocaleString('en-US')} generated runs of each pipeline in ${((performance.now() - started) / 1000).toFixed(1)} s`);
try {
  const project = await loadProject(demo.project.dir, demo.project.settings.env);
  const siteDir = join(demo.project.dir, '.dataops', 'site');
  const timings: Array<{ read: number; render: number }> = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    const input = await withDatabase(demo.project.settings, (w) => readSiteInput(w, project));
    const t1 = performance.now();
    await buildSite(input, siteDir);
    timings.push({ read: (t1 - t0) / 1000, render: (performance.now() - t1) / 1000 });
  }
  const best = timings.reduce((a, b) => (a.read + a.render <= b.read + b.render ? a : b));
  const files = await listFiles(siteDir);
  const sizes = await Promise.all(files.map(async (f) => ({ file: relative(siteDir, f), bytes: (await stat(f)).size })));
  sizes.sort((a, b) => b.bytes - a.bytes);
  const index = sizes.find((s) => s.file === 'index.html')!;
  const total = sizes.reduce((n, s) => n + s.bytes, 0);
  const row = (label: string, value: string, goal = '') => console.log(`${label.padEnd(22)} ${value.padStart(12)}  ${goal}`);
  console.log(`\nsite at ${runs.toLocaleString('en-US')} hourly runs of each pipeline, best of ${repeat} (all: ${timings.map((t) => (t.read + t.render).toFixed(2)).join(', ')} s)`);
  row('build', `${(best.read + best.render).toFixed(2)} s`, `goal < 5 s (read ${best.read.toFixed(2)} s, render and write ${best.render.toFixed(2)} s)`);
  row('pages', sizes.length.toLocaleString('en-US'), `${(total / MB).toFixed(1)} MB in all`);
  row('index.html', `${(index.bytes / 1024).toFixed(0)} KB`, 'goal < 1 MB');
  row('largest page', `${(sizes[0].bytes / 1024).toFixed(0)} KB`, `goal < 2 MB (${sizes[0].file})`);
  for (const s of sizes.slice(1, 4)) row('', `${(s.bytes / 1024).toFixed(0)} KB`, s.file);
} finally {
  await demo.close();
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
