// The compiled CLI (bin/dataops.js runs build/). `npm test` builds first; a lone `vitest run` of a
// file that spawns the CLI rebuilds only when a source is newer than the build, so parallel test
// files never see build/ half-written.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './project.js';

export const BIN = join(REPO, 'bin/dataops.js');
const BUILT = join(REPO, 'build/src/cli/main.js');

export async function ensureBuild(): Promise<void> {
  const built = existsSync(BUILT) ? (await stat(BUILT)).mtimeMs : 0;
  if (built >= (await newestSource())) return;
  // tsc still emits when another file has a type error; what matters here is current JavaScript.
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO }).catch(() => undefined);
  if (!existsSync(BUILT)) throw new Error(`npx tsc -p tsconfig.build.json did not produce ${BUILT}`);
}

async function newestSource(): Promise<number> {
  let newest = 0;
  for (const dir of ['src', 'schemas']) {
    for (const entry of await readdir(join(REPO, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
    }
  }
  return newest;
}
