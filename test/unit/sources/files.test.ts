// Finding dropped files by glob and reading them as records.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { partitionedPattern } from '../../../src/config/pipeline.js';
import { SourceError } from '../../../src/errors.js';
import type { JsonLinesPage } from '../../../src/ingest/landing.js';
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
  for await (const page of readRecords(join(root, name), name, format, delimiter)) out.push(...recordsOf(page));
  return out;
}

/** A page's records: JSON lines (jsonl) are parsed here, CSV rows come as objects. */
function recordsOf(page: unknown[] | JsonLinesPage): unknown[] {
  if (Array.isArray(page)) return page;
  const lines = page.lines.toString('utf8').split('\n');
  expect(lines.pop()).toBe('');
  expect(lines).toHaveLength(page.count);
  return lines.map((line) => JSON.parse(line) as unknown);
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
  test('JSON lines, blank lines skipped; each record keeps its bytes as they were in the file', async () => {
    const text = '\uFEFF{"id":1}\n\n  {"id": 2, "x":[1], "n":12345678901234567890}\r\n{"s":"é"}';
    expect(await records('a.jsonl', text, 'jsonl')).toEqual([{ id: 1 }, { id: 2, x: [1], n: 12345678901234567890 }, { s: 'é' }]);
    const pages = [];
    for await (const page of readRecords(join(root, 'a.jsonl'), 'a.jsonl', 'jsonl')) pages.push(page);
    // Two pages: the lines up to the last line break, then the last line, which has none.
    const [page, last] = pages as JsonLinesPage[];
    expect(pages).toHaveLength(2);
    // Without the byte order mark, the blank line, the indentation and the carriage return; the 20-digit number as it was.
    expect(Buffer.concat([page.lines, last.lines]).toString()).toBe('{"id":1}\n{"id": 2, "x":[1], "n":12345678901234567890}\n{"s":"é"}\n');
    expect([page.count, last.count]).toEqual([2, 1]);
    page.profile.merge(last.profile);
    expect(page.profile.rows().map((r) => [r.path, r.jsonType, r.n])).toEqual(
      expect.arrayContaining([['id', 'number', 2], ['n', 'number', 1], ['x[]', 'number', 1], ['s', 'string', 1]]),
    );
  });

  test('a line that is not JSON names the file and line, whichever page it is on', async () => {
    await expect(records('bad.jsonl', '{"id":1}\n{"id":\n', 'jsonl')).rejects.toThrow(/^bad\.jsonl:2: not a JSON value \(a record continues on the next line\): \{"id":$/);
    const many = `${'{"id":1}\n'.repeat(300_000)}{"id":2}\n{"id":x}\n`;
    await expect(records('bad-late.jsonl', many, 'jsonl')).rejects.toThrow(/^bad-late\.jsonl:300002: not a JSON value \(expected a JSON value\): \{"id":x\}$/);
  });

  test('a line that is not UTF-8, or nests too deep, is a rejected record that keeps its bytes', async () => {
    const latin1 = Buffer.from('{"id":2,"name":"Caf\xe9"}', 'latin1');
    const deep = `{"id":3,"x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    await writeFile(join(root, 'hostile.jsonl'), Buffer.concat([Buffer.from('{"id":1}\n'), latin1, Buffer.from(`\r\n\n${deep}\n{"id":4}\n`)]));
    const pages: JsonLinesPage[] = [];
    for await (const page of readRecords(join(root, 'hostile.jsonl'), 'hostile.jsonl', 'jsonl')) pages.push(page as JsonLinesPage);
    expect(pages).toHaveLength(1);
    const [page] = pages;
    expect(page.lines).toEqual(Buffer.concat([Buffer.from('{"id":1}\n'), latin1, Buffer.from(`\n${deep}\n{"id":4}\n`)]));
    expect(page.count).toBe(4);
    expect(page.rejected).toEqual([
      { index: 1, reason: 'invalid_utf8', bytes: latin1 },
      { index: 2, reason: 'too_deep', bytes: Buffer.from(deep) },
    ]);
    expect(page.profile.rows()).toEqual([{ path: 'id', jsonType: 'number', n: 2 }]);
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

  test('large files come in pages, each of whole records, every record once and in order', async () => {
    // About 4.5 MB, no line break at the end: pages of about 1 MB, the last record completed from the file's end.
    const lines = Array.from({ length: 300_001 }, (_, i) => JSON.stringify({ id: i })).join('\n');
    await writeFile(join(root, 'big.jsonl'), lines);
    const ids: number[] = [];
    let pages = 0;
    for await (const page of readRecords(join(root, 'big.jsonl'), 'big.jsonl', 'jsonl')) {
      pages++;
      ids.push(...recordsOf(page).map((r) => (r as { id: number }).id));
    }
    expect(pages).toBeGreaterThan(3);
    expect(ids).toEqual(Array.from({ length: 300_001 }, (_, i) => i));
  });
});
