// The lock that gives the shared warehouse connection to one batch at a time, and the bounded fan-out.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { forEachConcurrently, Lock } from '../../../src/ingest/concurrency.js';

describe('Lock', () => {
  test('grants turns one at a time, in the order asked; a waiter that gives up is skipped', async () => {
    const lock = new Lock();
    const first = lock.request();
    const second = lock.request();
    const third = lock.request();
    expect([first.granted, second.granted, third.granted]).toEqual([true, false, false]);
    second.release(); // gives up its place before its turn
    first.release();
    await third.ready;
    expect([second.granted, third.granted]).toEqual([false, true]);
    third.release();
    third.release(); // a second release does not hand the lock on again
    const fourth = lock.request();
    const fifth = lock.request();
    expect([fourth.granted, fifth.granted]).toEqual([true, false]);
  });

  test('with() runs one function at a time and releases after a failure', async () => {
    const lock = new Lock();
    const log: string[] = [];
    const job = (name: string, fail = false) =>
      lock.with(async () => {
        log.push(`${name} in`);
        await sleep(5);
        log.push(`${name} out`);
        if (fail) throw new Error(name);
      });
    const results = await Promise.allSettled([job('a', true), job('b'), job('c')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });
});

describe('forEachConcurrently', () => {
  test('runs at most `limit` at once; after a failure starts no more, lets the running ones finish, throws the first error', async () => {
    let running = 0;
    let most = 0;
    const finished: number[] = [];
    const error = await forEachConcurrently([1, 2, 3, 4, 5, 6], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await sleep(n === 3 ? 1 : n === 2 ? 40 : 10);
      running--;
      if (n === 3) throw new Error('three');
      finished.push(n);
    }).catch((e: unknown) => e);
    expect(error).toEqual(new Error('three'));
    expect(most).toBe(2);
    // 1 and 2 started first; 3 took 1's place and failed while 2 was still running; 4 was never started.
    // (2 runs 40 ms, 3 fails at about 11 ms.)
    expect(finished.sort()).toEqual([1, 2]);
  });
});
