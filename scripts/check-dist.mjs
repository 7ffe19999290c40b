// npm run check:dist: rebuilds every action bundle and fails, showing the difference, when a committed
// actions/*/dist is not what the sources build. dist/ is marked -diff in .gitattributes, so --text is
// needed to see it; untracked files count too (a new chunk that was never committed).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Every file below each dist/; a plain 'actions/*/dist' pathspec would match the folders only.
const DIST = ':(glob)actions/*/dist/**';
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-actions.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const status = run('git', ['status', '--porcelain', '--untracked-files=all', '--', DIST]);
if (status.status !== 0) {
  process.stderr.write(status.stderr);
  process.exit(1);
}
if (status.stdout.trim() === '') {
  console.log('actions/*/dist is up to date');
  process.exit(0);
}
console.error('actions/*/dist is stale; run `npm run build:actions` and commit the result. Changed:');
console.error(status.stdout);
const diff = run('git', ['diff', '--text', '--', DIST]);
process.stdout.write(diff.stdout);
process.exit(1);
