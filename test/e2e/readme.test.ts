// The README's first steps, word for word: `npm start`, then the section "After `npm start`: the commands
// one at a time", whose two shell blocks are run as written, the first in its own process (the "second
// terminal"), the second once the first printed what the README says to wait for. The project is a copy in a
// folder whose path has a space, as a user's often has.
//
// `npx dataops` resolves to this package's own bin (npm installs the project into its npx cache, running
// `prepare`, the first time). A shim on PATH does that resolution here, so the test neither compiles again
// nor writes to ~/.npm; everything else is the real command.
import { execFile, spawn } from 'node:child_process';
import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureBuild } from '../helpers/build.js';
import { REPO } from '../helpers/project.js';

const SECTION = '### After `npm start`: the commands one at a time';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await ensureBuild();
  dir = join(await mkdtemp(join(tmpdir(), 'dataops readme-')), 'my project');
  await mkdir(dir);
  for (const file of ['package.json', 'dataops.yml']) await copyFile(join(REPO, file), join(dir, file));
  for (const sub of ['bin', 'pipelines', 'sql', 'reports', 'schemas']) await cp(join(REPO, sub), join(dir, sub), { recursive: true });
  for (const sub of ['node_modules', 'build']) await symlink(join(REPO, sub), join(dir, sub));
  const shims = join(dir, '..', 'shims');
  await mkdir(shims);
  await writeFile(join(shims, 'npx'), `#!/bin/sh\n[ "$1" = dataops ] || { echo "npx shim: only dataops, not $1" >&2; exit 127; }\nshift\nexec node "$PWD/bin/dataops.js" "$@"\n`);
  await chmod(join(shims, 'npx'), 0o755);
  env = { ...process.env, PATH: `${shims}:${process.env.PATH}`, GITHUB_STEP_SUMMARY: '' };
  for (const name of ['DEMO_API_URL', 'DEMO_API_TOKEN', 'DEMO_REFERENCE_DB', 'DATAOPS_DATABASE', 'DATAOPS_TARGET', 'DATAOPS_LANDING_DIR', 'DATAOPS_SITE_DIR']) delete env[name];
});

afterAll(async () => {
  if (dir) await rm(join(dir, '..'), { recursive: true, force: true });
});

test("README: after npm start, the next commands work as the README says to type them", async () => {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(SECTION), readme.indexOf('\n## ', readme.indexOf(SECTION)));
  expect(section.startsWith(SECTION)).toBe(true);
  const [server, commands] = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const waitFor = /When it prints `demo API on http:\/\/127\.0\.0\.1:<port>`/;
  expect(section).toMatch(waitFor);
  expect(commands).toMatch(/npx dataops validate\nnpx dataops run\n/);

  const bash = (script: string) => promisify(execFile)('bash', ['-e', '-c', script], { cwd: dir, env, maxBuffer: 64 << 20 });
  await bash('npm start');

  // The second terminal: runs until stopped.
  const child = spawn('bash', ['-c', server], { cwd: dir, env, detached: true });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let serverOutput = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "demo API on" within 60 s; it printed: ${serverOutput}`)), 60_000);
      const seen = (d: Buffer) => {
        serverOutput += d;
        if (/^demo API on http:\/\/127\.0\.0\.1:\d+/m.test(serverOutput)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
      child.on('close', () => reject(new Error(`the demo API stopped: ${serverOutput}`)));
    });

    // The first terminal, once it printed that.
    const { stdout, stderr } = await bash(commands);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^4 pipelines, 8 models: 0 errors, \d+ warnings$/m);
    expect(stdout).toMatch(/^run run_\S+$/m);
    for (const pipeline of ['catalog', 'inventory', 'retail_pos', 'stores']) expect(stdout).toMatch(new RegExp(`^  ${pipeline}: \\d+ loaded, \\d+ accepted`, 'm'));
    expect(stdout).not.toContain('FAILED');
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
  }
  expect(await exited).toBe(0);
}, 240_000);
