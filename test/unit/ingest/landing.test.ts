// Landing files read back for a replay: the same facts as the load that wrote them, or an error at the line.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadableCopy, pruneLanding, REJECTED_TEXT_CHARS, scanLandingFiles } from '../../../src/ingest/landing.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataops-landing-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scanLandingFiles', () => {
  test('counts, profiles and finds the newest cursor across parts, reading in chunks', async () => {
    // More than one 4 MB read per file, so records meet chunk boundaries.
    const line = (id: number) => `{"id":${id},"pad":"${'x'.repeat(100 + (id % 37))}"}\n`;
    const parts = [join(dir, 'part-1.jsonl'), join(dir, 'part-2.jsonl')];
    await writeFile(parts[0], Array.from({ length: 60_000 }, (_, i) => line(i + 1)).join(''));
    await writeFile(parts[1], `${Array.from({ length: 100 }, (_, i) => line(60_001 + i)).join('')}{"id":9223372036854775807}`);
    const landed = await scanLandingFiles(parts, 'id');
    expect(landed.received).toBe(60_101);
    // As digits: a double would have made it 9223372036854775808.
    expect(landed.newestCursor).toBe('9223372036854775807');
    expect(landed.maxRecordBytes).toBe(Math.max(...Array.from({ length: 60_100 }, (_, i) => line(i + 1).length - 1)));
    expect(landed.profile.rows().map((r) => [r.path, r.n])).toEqual(
      expect.arrayContaining([
        ['id', 60_101],
        ['pad', 60_100],
      ]),
    );
  });

  test('finds the rejected records of each part, by their place in it, and copies a part without them', async () => {
    const bad = Buffer.from(`{"id":2,"s":"\xff","pad":"${'x'.repeat(REJECTED_TEXT_CHARS)}"}`, 'latin1');
    const deep = Buffer.from(`{"id":3,"x":${'['.repeat(2000)}${']'.repeat(2000)}}`);
    const parts = [join(dir, 'part-1.jsonl'), join(dir, 'part-2.jsonl')];
    // Past a 4 MB read, so the second part's rejected record is counted across a chunk boundary.
    const filler = Array.from({ length: 40_000 }, (_, i) => `{"id":${i + 10},"pad":"${'y'.repeat(100)}"}\n`).join('');
    await writeFile(parts[0], Buffer.concat([Buffer.from('{"id":1}\n'), bad, Buffer.from('\n')]));
    await writeFile(parts[1], Buffer.concat([Buffer.from(filler), deep, Buffer.from('\n{"id":4}')]));
    const landed = await scanLandingFiles(parts, 'id');
    expect([landed.received, landed.rejected, landed.newestCursor]).toEqual([40_004, 2, '40009']);
    const [first, second] = landed.parts;
    expect(first).toMatchObject({ file: parts[0], records: 2 });
    expect(first.rejects).toEqual([
      {
        index: 1,
        reason: 'invalid_utf8',
        hash: createHash('md5').update(bad).digest('hex'),
        // Cut after REJECTED_TEXT_CHARS characters; the bad byte shows as U+FFFD.
        text: `${bad.toString('utf8').slice(0, REJECTED_TEXT_CHARS)}…`,
      },
    ]);
    expect(first.rejects[0].text.slice(0, 14)).toBe('{"id":2,"s":"\uFFFD');
    expect(second.records).toBe(40_002);
    expect(second.rejects.map((r) => [r.index, r.reason, r.text])).toEqual([[40_000, 'too_deep', deep.toString()]]);

    const copy = await loadableCopy(second);
    expect(await readFile(copy, 'utf8')).toBe(`${filler}{"id":4}\n`);
    expect(await readFile(await loadableCopy(first), 'utf8')).toBe('{"id":1}\n');
  });

  test('a line that is not a record names the file and line', async () => {
    const file = join(dir, 'part-1.jsonl');
    await writeFile(file, '{"id":1}\n{"id":2}\n{"id":\n');
    await expect(scanLandingFiles([file], 'id')).rejects.toThrow(`${file}:3: not a JSON record (a record continues on the next line); a landing file holds one record per line`);
  });
});

describe('pruneLanding', () => {
  test("removes a pipeline's fetch days that ended before the cut, and nothing else", async () => {
    const files = [
      'source=pos/resource=tx/dt=2026-10-01/hour=01/part-a-0001.jsonl',
      'source=pos/resource=tx/dt=2026-10-30/hour=23/part-b-0001.jsonl',
      'source=pos/resource=tx/dt=2026-10-31/hour=00/part-c-0001.jsonl',
      'source=pos/resource=lines/dt=2026-10-30/hour=01/part-d-0001.jsonl',
      'source=pos/resource=tx/notes/keep.txt',
      'source=stock/resource=moves/dt=2026-10-01/hour=01/part-e-0001.jsonl',
    ];
    for (const file of files) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file), '{}\n');
    }
    // The cut falls on the 31st: that day is not over before it, so it stays.
    const removed = await pruneLanding(dir, 'pos', new Date('2026-10-31T05:00:00Z'));
    expect(removed.map((d) => d.slice(dir.length + 1)).sort()).toEqual([
      'source=pos/resource=lines/dt=2026-10-30',
      'source=pos/resource=tx/dt=2026-10-01',
      'source=pos/resource=tx/dt=2026-10-30',
    ]);
    const left = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.jsonl') || f.endsWith('.txt')).sort();
    expect(left).toEqual([files[2], files[4], files[5]].sort());
    expect(await pruneLanding(dir, 'nosuch', new Date())).toEqual([]);
  });
});
