// `--name value` command-line flags for the benchmark scripts, and where the repository is.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository: compiled, a benchmark runs from build/bench; imported as TypeScript (its test), from bench/. */
const HERE = resolve(import.meta.dirname, '..');
export const REPO = existsSync(join(HERE, 'pipelines')) ? HERE : resolve(HERE, '..');

export function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

export function hasFlag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}
