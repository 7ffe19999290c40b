// Landing files rewritten without a subject's records: whole files only, other records byte for byte.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { eraseFromLanding, recordHolds } from '../../../src/governance/erase-landing.js';
import { parseEraseKey } from '../../../src/governance/erase.js';

describe('recordHolds', () => {
  test.each([
    ['{"customer_id":123,"x":1}', [['customer_id']], '123', true],
    ['{"customer_id":"123"}', [['customer_id']], '123', true],
    ['{"customer_id":1234}', [['customer_id']], '123', false],
    ['{"customer":{"id":123}}', [['customer', 'id']], '123', true],
    ['{"customer":{"id":123}}', [['customer_id'], ['customer', 'id']], '123', true],
    ['{"customer":[123]}', [['customer']], '123', false],
    ['{"customer_id":null}', [['customer_id']], 'null', false],
    ['not json, "customer_id":123', [['customer_id']], '123', false],
  ])('%s at %j holds %s: %s', (line, paths, value, expected) => {
    expect(recordHolds(line, paths, value)).toBe(expected);
  });
});

test.each([
  ['customer_id=123', { column: 'customer_id', value: '123' }],
  ['Email=a=b@x.io', { column: 'email', value: 'a=b@x.io' }],
])('--key %s', (text, key) => expect(parseEraseKey(text)).toEqual(key));
test.each(['customer_id', '=1', 'customer id=1', 'customer_id='])('--key %s is refused with what was expected', (text) => {
  expect(() => parseEraseKey(text)).toThrow(/^--key: expected <column>=<value>, e\.g\. customer_id=123, got /);
});

describe('eraseFromLanding', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dataops-erase-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  test('rewrites only the files that hold the subject, keeping every other byte; a dry run counts only', async () => {
    const day = join(dir, 'dt=2026-11-20', 'hour=10');
    await mkdir(day, { recursive: true });
    // A record that is not UTF-8 (rejected before bronze) stays exactly as it was.
    const notUtf8 = Buffer.concat([Buffer.from('{"customer_id":7,"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
    const holding = Buffer.concat([Buffer.from('{"customer_id":123,"a":1}\n{"customer_id":7}\n'), notUtf8, Buffer.from('{"customer_id":123,"a":2}')]);
    const other = Buffer.from('{"customer_id":8}\n');
    await writeFile(join(day, 'part-a-0001.jsonl'), holding);
    await writeFile(join(day, 'part-b-0001.jsonl'), other);

    const dry = await eraseFromLanding(dir, [['customer_id']], '123', true);
    expect(dry).toEqual([{ file: join(day, 'part-a-0001.jsonl'), records: 2 }]);
    expect(await readFile(join(day, 'part-a-0001.jsonl'))).toEqual(holding);

    expect(await eraseFromLanding(dir, [['customer_id']], '123')).toEqual(dry);
    expect(await readFile(join(day, 'part-a-0001.jsonl'))).toEqual(Buffer.concat([Buffer.from('{"customer_id":7}\n'), notUtf8]));
    expect(await readFile(join(day, 'part-b-0001.jsonl'))).toEqual(other);
    expect((await readdir(day)).sort()).toEqual(['part-a-0001.jsonl', 'part-b-0001.jsonl']);
    // Again: nothing left to erase, nothing written.
    expect(await eraseFromLanding(dir, [['customer_id']], '123')).toEqual([]);
  });

  test('an erasure that stopped part-way (a .partial beside the old file) is finished by erasing again', async () => {
    await writeFile(join(dir, 'part-a-0001.jsonl'), '{"customer_id":123}\n{"customer_id":7}\n');
    // What a crash before the rename leaves: the old file whole, and a half-written copy nothing reads.
    await writeFile(join(dir, 'part-a-0001.jsonl.erase.partial'), '{"custom');
    expect(await eraseFromLanding(dir, [['customer_id']], '123')).toEqual([{ file: join(dir, 'part-a-0001.jsonl'), records: 1 }]);
    expect(await readFile(join(dir, 'part-a-0001.jsonl'), 'utf8')).toBe('{"customer_id":7}\n');
    expect(existsSync(join(dir, 'part-a-0001.jsonl.erase.partial'))).toBe(false);
  });
});
