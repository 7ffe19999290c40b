// Finding dropped files by glob and reading them as records.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { partitionedPattern } from '../../../src/config/pipeline.js';
import { SourceError } from '../../../src/errors.js';
import { formatOf, globToRegExp, listFiles, readRecords } from '../../../src/sources/files.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dataops-files-'));
  for (const file of [
    'source=pos/dt=2026-11-20/hour=09/part-0001.jsonl',
    'source=pos/dt=2026-11-20/hour=10/part-0001.csv',
    'source=pos/dt=2026-11-19/hour=23/part-0002.jsonl',
    'source=pos/dt=2026-11-20/hour=10/part-0002.jsonl.tmp',
    'source=pos/dt=2026-11-20/part-0003.jsonl',
    'source=stock/dt=2026-11-20/hour=10/part-0001.jsonl',
  ]) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), '{}\n');
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function records(name: string, text: string, format: 'jsonl' | 'csv', delimiter?: string): Promise<unknown[]> {
  await writeFile(join(root, name), text);
  const out: unknown[] = [];
  for await (const page of readRecords(join(root, name), name, format, delimiter)) out.push(...page.records);
  return out;
}

describe('finding files', () => {
  test('the partitioned layout, in time order, ignoring temporary and misplaced files', async () => {
    expect(await listFiles(root, partitionedPattern('pos'))).toEqual([
      'source=pos/dt=2026-11-19/hour=23/part-0002.jsonl',
      'source=pos/dt=2026-11-20/hour=09/part-0001.jsonl',
      'source=pos/dt=2026-11-20/hour=10/part-0001.csv',
    ]);
  });

  test.each<[string, string, boolean]>([
    ['**/*.jsonl', 'a/b/c.jsonl', true],
    ['**/*.jsonl', 'c.jsonl', true],
    ['a/**', 'a/b/c', true],
    ['*.jsonl', 'a/c.jsonl', false],
    ['part-?.csv', 'part-1.csv', true],
    ['part-?.csv', 'part-12.csv', false],
    ['x.{csv,jsonl}', 'x.jsonl', true],
    ['x.{csv,jsonl}', 'x.json', false],
    ['a+b (1).csv', 'a+b (1).csv', true],
  ])('%s matches %s: %s', (glob, path, matches) => {
    expect(globToRegExp(glob).test(path)).toBe(matches);
  });

  test('a missing folder is a source error naming it', async () => {
    await expect(listFiles(join(root, 'nope'), '*')).rejects.toThrow(/cannot read the folder .*nope/);
  });

  test('the format comes from the extension unless the resource sets it', () => {
    expect(formatOf('a/b.JSONL', undefined)).toBe('jsonl');
    expect(formatOf('a/b.ndjson', undefined)).toBe('jsonl');
    expect(formatOf('a/b.csv', undefined)).toBe('csv');
    expect(formatOf('a/b.txt', 'csv')).toBe('csv');
    expect(() => formatOf('a/b.txt', undefined)).toThrow(/a\/b\.txt: cannot tell the format from "\.txt"; set format: jsonl or csv/);
  });
});

describe('reading records', () => {
  test('JSON lines, blank lines skipped; each record keeps its text as it was in the file', async () => {
    expect(await records('a.jsonl', '{"id":1}\n\n{"id": 2, "x":[1]}\r\n', 'jsonl')).toEqual([{ id: 1 }, { id: 2, x: [1] }]);
    const pages = [];
    for await (const page of readRecords(join(root, 'a.jsonl'), 'a.jsonl', 'jsonl')) pages.push(page);
    expect(pages).toEqual([{ records: [{ id: 1 }, { id: 2, x: [1] }], texts: ['{"id":1}', '{"id": 2, "x":[1]}'] }]);
  });

  test('a line that is not JSON names the file and line', async () => {
    await expect(records('bad.jsonl', '{"id":1}\n{"id":\n', 'jsonl')).rejects.toThrow(/^bad\.jsonl:2: not a JSON value/);
  });

  test('CSV rows become objects keyed by the header, values as text or null', async () => {
    expect(await records('a.csv', 'id;name;note\n1;"Ann; B";\n2;Bo;""\n', 'csv', ';')).toEqual([
      { id: '1', name: 'Ann; B', note: null },
      { id: '2', name: 'Bo', note: '' },
    ]);
  });

  test('a CSV row of the wrong width names the file and line', async () => {
    const error = await records('ragged.csv', 'a,b\n1,2\n3\n', 'csv').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(String(error)).toMatch(/ragged\.csv:3: expected 2 fields \(as in the header\), got 1/);
  });

  test('large files come in pages', async () => {
    const lines = Array.from({ length: 12_001 }, (_, i) => JSON.stringify({ id: i })).join('\n');
    await writeFile(join(root, 'big.jsonl'), lines);
    const sizes: number[] = [];
    for await (const page of readRecords(join(root, 'big.jsonl'), 'big.jsonl', 'jsonl')) sizes.push(page.records.length);
    expect(sizes).toEqual([5_000, 5_000, 2_001]);
  });
});
