// npm run build:actions: one ncc bundle per action (every actions/<name>/ with an action.yml), built in
// parallel. DuckDB stays out of the bundles: it is 69 MB of native code for one platform, and the
// engine loads it from node_modules only when the target is DuckDB.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ncc = createRequire(import.meta.url).resolve('@vercel/ncc/dist/ncc/cli.js');
const EXTERNALS = ['@duckdb/node-api'];

export async function listActions() {
  const entries = await readdir(join(root, 'actions'), { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && existsSync(join(root, 'actions', e.name, 'action.yml')))
    .map((e) => e.name)
    .sort();
}

// Each bundle is built beside dist/ and swapped in only when every build succeeded: a failed build
// (ncc also type-checks) leaves the committed bundles as they were, and no stale file survives a rebuild.
const staging = (name) => `actions/${name}/.dist-building`;

function build(name) {
  const args = [ncc, 'build', `actions/${name}/src/index.ts`, '-o', staging(name), ...EXTERNALS.flatMap((x) => ['--external', x])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ name, code, output }));
  });
}

const actions = await listActions();
await Promise.all(actions.map((name) => rm(join(root, staging(name)), { recursive: true, force: true })));
const results = await Promise.all(actions.map(build));
for (const { name, code, output } of results) process.stdout.write(`--- actions/${name} (ncc exit ${code})\n${output}`);
if (results.every((r) => r.code === 0)) {
  for (const name of actions) {
    await rm(join(root, 'actions', name, 'dist'), { recursive: true, force: true });
    await rename(join(root, staging(name)), join(root, 'actions', name, 'dist'));
  }
} else {
  await Promise.all(actions.map((name) => rm(join(root, staging(name)), { recursive: true, force: true })));
  console.error(`build failed for ${results.filter((r) => r.code !== 0).map((r) => `actions/${r.name}`).join(', ')}; dist/ left unchanged`);
  process.exitCode = 1;
}
