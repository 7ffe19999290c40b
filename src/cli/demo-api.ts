// `dataops demo-api`: the demo retail API and its reference database, served until the process is told
// to stop. Workflows start it where no real source is configured (a new repository, a fork's pull
// request, which gets no secrets), so the pipelines have something to load.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateRetailData } from '../demo/data.js';
import { writeReferenceDatabase } from '../demo/reference-db.js';
import { startDemoApi } from '../demo/server.js';
import { registerSecret } from '../secrets.js';

export interface DemoApiServe {
  /** The variables the demo pipelines read, as NAME=value lines. */
  env: Record<string, string>;
  /** Resolves when the API has stopped. */
  stopped: Promise<void>;
}

/**
 * A value a POSIX shell reads back as it is (`set -a; . file`): plain when it is only safe characters
 * (the URL and token always are), else single-quoted, e.g. a project path with a space.
 */
export function shellValue(value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Starts the API on loopback and the reference database, writes their variables to `envFile` (written
 * whole, then renamed, so a reader waiting for the file never sees half of it), and stops on SIGINT or
 * SIGTERM.
 */
export async function serveDemoApi(options: { referenceDb: string; envFile?: string; port?: number }): Promise<DemoApiServe> {
  const token = `demo-${randomBytes(12).toString('hex')}`;
  registerSecret(token);
  const anchor = new Date();
  await writeReferenceDatabase(options.referenceDb, generateRetailData({ anchor }));
  const api = await startDemoApi({ token, anchor, port: options.port });
  const env = { DEMO_API_URL: api.url, DEMO_API_TOKEN: token, DEMO_REFERENCE_DB: options.referenceDb };
  if (options.envFile) {
    await mkdir(dirname(options.envFile), { recursive: true });
    const partial = `${options.envFile}.partial`;
    await writeFile(partial, Object.entries(env).map(([k, v]) => `${k}=${shellValue(v)}\n`).join(''), { mode: 0o600 });
    await rename(partial, options.envFile);
  }
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void api.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { env, stopped };
}
