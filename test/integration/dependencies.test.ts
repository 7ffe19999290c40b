// `npm install` must print no engine warnings on the Node that develops and tests the project (20; the
// actions run on 24): every package in the lock file accepts it. content-type 3 (through @octokit/request)
// once wanted Node 22; package.json's `overrides` pins the 2.x line, whose parse() is the same.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/project.js';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  optional?: boolean;
  os?: string[];
  cpu?: string[];
}

const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };

it('every installed package of the lock file accepts the Node that runs the suite', () => {
  const node = process.versions.node;
  const refused = Object.entries(lock.packages)
    // Platform binaries npm skips here (another os or cpu) are never checked by it either.
    .filter(([, p]) => !(p.optional && ((p.os && !p.os.includes(process.platform)) || (p.cpu && !p.cpu.includes(process.arch)))))
    .flatMap(([path, p]) => {
      const range = !Array.isArray(p.engines) ? p.engines?.node : undefined;
      return range && !satisfies(node, range) ? [`${path || '(root)'}@${p.version}: engines.node "${range}"`] : [];
    });
  expect(refused).toEqual([]);
});

// package.json's `engines` is what the project promises: every Node version it admits must install without
// an engine warning, not only the one running the suite (Node 20.0 to 20.18 once got three: markdown-it's
// entities and vite want 20.19, vitest no Node 23).
it("every installed package of the lock file accepts each Node version that package.json's engines admits", () => {
  const root = lock.packages[''].engines;
  const promised = !Array.isArray(root) ? root?.node : undefined;
  expect(promised).toBeDefined();
  const ranges = Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && !(p.optional && !existsSync(join(REPO, path))))
    .flatMap(([path, p]) => (!Array.isArray(p.engines) && p.engines?.node ? [{ name: `${path}@${p.version}`, range: p.engines.node }] : []));
  const refused = candidateVersions([promised!, ...ranges.map((r) => r.range)])
    .filter((version) => satisfies(version, promised!))
    .flatMap((version) => ranges.filter((r) => !satisfies(version, r.range)).map((r) => `Node ${version}: ${r.name} wants "${r.range}"`));
  expect(refused).toEqual([]);
});

/** Each major's first release, and each version a range names with the one just below it: every edge of every range. */
function candidateVersions(ranges: readonly string[]): string[] {
  const versions = new Set<string>();
  for (let major = 16; major <= 30; major++) versions.add(`${major}.0.0`);
  for (const range of ranges) {
    for (const [text] of range.matchAll(/\d+(\.\d+){0,2}/g)) {
      const [x, y, z] = parts(text);
      versions.add(`${x}.${y}.${z}`);
      versions.add(z > 0 ? `${x}.${y}.${z - 1}` : y > 0 ? `${x}.${y - 1}.99` : `${x - 1}.99.99`);
    }
  }
  return [...versions];
}

describe('the engine range check', () => {
  it.each([
    ['20.20.2', '>=22', false],
    ['20.20.2', '>= 20', true],
    ['20.20.2', '^20.19.0 || >=22.12.0', true],
    ['20.18.0', '^20.19.0 || >=22.12.0', false],
    ['20.20.2', '>=0.6.11 <=0.7.0 || >=0.7.3', true],
    ['20.20.2', '^8.16.0 || ^10.6.0', false],
    ['20.20.2', '>=0.8.x', true],
    ['20.20.2', '*', true],
  ])('%s in "%s": %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });
});

/** The subset of npm's semver ranges that engines fields use: ||, space-joined comparators, ^, ~, x. */
function satisfies(version: string, range: string): boolean {
  const v = parts(version);
  return range.split('||').some((alternative) => {
    const comparators = alternative.trim().replace(/(>=|<=|>|<|=)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return comparators.every((c) => {
      if (c === '*' || c === 'x') return true;
      const [, op = '', text] = /^(>=|<=|>|<|=|\^|~)?(.*)$/.exec(c)!;
      const bound = parts(text);
      const order = compare(v, bound);
      if (op === '>=') return order >= 0;
      if (op === '>') return order > 0;
      if (op === '<=') return order <= 0;
      if (op === '<') return order < 0;
      if (op === '^') return order >= 0 && v[0] === bound[0];
      if (op === '~') return order >= 0 && v[0] === bound[0] && v[1] === bound[1];
      // A bare version: the parts it names must match (20 means 20.x.x).
      const named = text.split('.').filter((x) => /^\d+$/.test(x)).length;
      return v.slice(0, named).every((n, i) => n === bound[i]);
    });
  });
}

function parts(text: string): number[] {
  return text.split('.').slice(0, 3).map((x) => (/^\d+$/.test(x) ? Number(x) : 0)).concat([0, 0, 0]).slice(0, 3);
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
