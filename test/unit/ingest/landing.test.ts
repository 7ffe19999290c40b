// Landing files read back for a replay: the same facts as the load that wrote them, or an error at the line.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { scanLandingFiles } from '../../../src/ingest/landing.js';

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

  test('a line that is not a record names the file and line', async () => {
    const file = join(dir, 'part-1.jsonl');
    await writeFile(file, '{"id":1}\n{"id":2}\n{"id":\n');
    await expect(scanLandingFiles([file], 'id')).rejects.toThrow(`${file}:3: not a JSON record (a record continues on the next line); a landing file holds one record per line`);
  });
});
