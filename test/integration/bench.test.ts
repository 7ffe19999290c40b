// The benchmarks whose figures bench/README.md records still run: each one at a tiny size, imported as the
// script `npm run bench:<name>` compiles, with its flags on the command line. Only that they run and agree
// with themselves is asserted here; their timings are for bench/README.md, never for a test.
import { afterEach, expect, test, vi } from 'vitest';

const argv = process.argv;
afterEach(() => {
  process.argv = argv;
  vi.restoreAllMocks();
});

/** Runs bench/<name>.ts with the flags, and returns what it printed. */
async function bench(name: string, flags: string[]): Promise<string> {
  const printed: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
  process.argv = [argv[0], `bench/${name}.js`, ...flags];
  await import(`../../bench/${name}.ts`);
  return printed.join('\n');
}

test('bench:silver-rebuild: the engine rebuilds the same rows as the SQL by hand', async () => {
  const out = await bench('silver-rebuild', ['--records', '2000', '--batches', '4', '--repeat', '1']);
  expect(out).toMatch(/silver\.transactions rebuilt from 2,200 bronze rows in 4 batches/);
  expect(out).toContain('Rows that differ between the two: 0.');
}, 60_000);

test('bench:incremental: the hourly run merges a window, and the full rebuild is measured beside it', async () => {
  const out = await bench('incremental', ['--rows', '3000', '--new', '30', '--repeat', '1']);
  expect(out).toMatch(/^\| 3,00\d \| \d+\.\d\d \| \d+\.\d\d \| \d+\.\d% \|/m);
}, 60_000);

test('bench:diff: two tables with 1.5% of the keys changed', async () => {
  const out = await bench('diff', ['--rows', '2000', '--repeat', '1']);
  expect(out).toContain('2,000: added 5, removed 5, changed 20, unchanged 1,975');
}, 60_000);
