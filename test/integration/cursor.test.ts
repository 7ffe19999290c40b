// The incremental cursor moves only when its batch commits: bronze rows, the batch record and the
// cursor are one transaction. A failure anywhere between the end of the fetch and the commit leaves
// all three as they were, and the next load picks up from the same place.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { loadProject } from '../../src/project.js';
import type { Pipeline } from '../../src/config/types.js';
import { generateRetailData } from '../../src/demo/data.js';
import { landingPath, loadBronze } from '../../src/ingest/bronze.js';
import { createReader } from '../../src/sources/readers.js';
import { ensureMetaSchema, readCursor } from '../../src/state/meta.js';
import type { Warehouse } from '../../src/warehouse/adapter.js';
import { count, demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
const LATER = new Date('2026-11-21T12:30:00Z');
const FETCHED_AT = new Date('2026-11-21T12:31:00Z');

let project: DemoProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

/** The same warehouse, except that the first statement matching `at` throws. */
function failingAt(warehouse: Warehouse, at: RegExp): Warehouse {
  let failed = false;
  const fail = (what: string) => {
    if (failed || !at.test(what)) return;
    failed = true;
    throw new Error(`injected failure at ${what}`);
  };
  // A Proxy, not a copy: the real transaction() calls this.execute, which must come back through here.
  return new Proxy(warehouse, {
    get(target, key, receiver) {
      if (key === 'execute') return (sql: string) => (fail(sql), target.execute(sql));
      if (key === 'appendBronze') return (...args: Parameters<Warehouse['appendBronze']>) => (fail('appendBronze'), target.appendBronze(...args));
      return Reflect.get(target, key, receiver);
    },
  });
}

async function retailPos(p: DemoProject): Promise<Pipeline> {
  return (await loadProject(p.dir, p.settings.env)).pipelines.find((x) => x.name === 'retail_pos')!;
}

const newest = (anchor: Date) => generateRetailData({ anchor }).transactions.reduce((m, t) => (t.updated_at > m ? t.updated_at : m), '');

describe('the cursor advances only with its committed batch', () => {
  test.each([
    ['the bulk append', /^appendBronze$/],
    ['the batch record', /^INSERT INTO meta\.batches/],
    ['the cursor write', /^INSERT INTO meta\.cursors/],
    ['COMMIT itself', /^COMMIT$/],
  ])('a failure at %s leaves bronze, the batch list and the cursor as they were', async (_name, at) => {
    project = await demoProject(ANCHOR);
    const p = project;
    await withDatabase(p.settings, async (w) => {
      await ensureMetaSchema(w);
      const context = { warehouse: w, projectDir: p.dir };
      const first = await loadBronze(w, await retailPos(p), createReader(await retailPos(p), 'transactions', context), { runId: 'run_1', landingDir: p.settings.landingDir });
      expect(first.cursorAfter).toBe(newest(ANCHOR));

      await p.moveTo(LATER);
      const pipeline = await retailPos(p);
      const reader = createReader(pipeline, 'transactions', context);
      // While pages arrive, the stored cursor is still the committed one.
      const seenDuringFetch: Array<string | undefined> = [];
      const watched = { ...reader, pages: async function* (since: string | undefined) {
        for await (const page of reader.pages(since)) {
          seenDuringFetch.push(await readCursor(w, 'retail_pos', 'transactions'));
          yield page;
        }
      } };
      const failing = loadBronze(failingAt(w, at), pipeline, watched, { runId: 'run_2', landingDir: p.settings.landingDir, fetchedAt: FETCHED_AT });
      await expect(failing).rejects.toThrow(/injected failure/);
      expect(seenDuringFetch.length).toBeGreaterThan(0);
      expect(new Set(seenDuringFetch)).toEqual(new Set([first.cursorAfter]));

      expect(await readCursor(w, 'retail_pos', 'transactions')).toBe(first.cursorAfter);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM meta.batches')).toBe(1);
      expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze.retail_pos_transactions')).toBe(first.bronzeRows);
      // The fetched records stay in the landing file: the batch can be replayed without the API.
      const landing = landingPath(p.settings.landingDir, 'retail_pos', 'transactions', FETCHED_AT, 'run_2.retail_pos.transactions');
      expect(existsSync(landing)).toBe(true);
      expect(readFileSync(landing, 'utf8').trim().split('\n').length).toBeGreaterThan(100);

      const next = await loadBronze(w, pipeline, createReader(pipeline, 'transactions', context), { runId: 'run_3', landingDir: p.settings.landingDir });
      expect(next.cursorBefore).toBe(first.cursorAfter);
      expect(next.cursorAfter).toBe(newest(LATER));
      expect(await readCursor(w, 'retail_pos', 'transactions')).toBe(newest(LATER));
      const distinct = await count(w, 'SELECT COUNT(DISTINCT _record_hash) AS n FROM bronze.retail_pos_transactions');
      expect(await count(w, 'SELECT COUNT(*) AS n FROM bronze.retail_pos_transactions')).toBe(distinct);
      expect(first.bronzeRows + next.bronzeRows).toBe(distinct);
    });
  });
});
