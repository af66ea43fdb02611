import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locks } from './locks.js';

// The one suite every Locks implementation runs (in-process and Redis), as storage
// drivers and job queues do. `open` gives two lock objects that must exclude each other:
// the same object twice in one process, or two replicas' objects on one Redis.

export interface LocksFactory {
  open(): Promise<{ a: Locks; b: Locks; close(): Promise<void> }>;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export function locksSuite(name: string, factory: LocksFactory, options: { skip?: string } = {}): void {
  test(`locks suite: ${name}`, { skip: options.skip }, async (t) => {
    const { a, b, close } = await factory.open();
    t.after(close);
    const either = (i: number) => (i % 2 ? a : b);

    await t.test('withLock returns what the function returns', async () => {
      assert.equal(await a.withLock('value', async () => 42), 42);
    });

    await t.test('holders of one key never overlap, whichever lock object they use', async () => {
      let inside = 0;
      let maxInside = 0;
      let counter = 0;
      const work = async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        const seen = counter;
        await sleep(2);
        counter = seen + 1;
        inside--;
      };
      await Promise.all(Array.from({ length: 40 }, (_, i) => either(i).withLock('counter', work)));
      assert.equal(counter, 40);
      assert.equal(maxInside, 1);
    });

    await t.test('different keys do not wait for each other', async () => {
      const gate = deferred();
      const slow = a.withLock('slow', () => gate.promise.then(() => 'slow'));
      assert.equal(await b.withLock('fast', async () => 'fast'), 'fast');
      gate.resolve();
      assert.equal(await slow, 'slow');
    });

    await t.test('a failing holder rejects its caller and releases the lock for the next', async () => {
      const failing = a.withLock('fails', async () => {
        throw new Error('boom');
      });
      const next = b.withLock('fails', async () => 'after');
      await assert.rejects(failing, /boom/);
      assert.equal(await next, 'after');
    });

    await t.test('a function that throws synchronously is a rejection, not a stuck lock', async () => {
      const fn = (): Promise<string> => {
        throw new Error('sync');
      };
      await assert.rejects(a.withLock('sync', fn), /sync/);
      assert.equal(await b.withLock('sync', async () => 'free'), 'free');
    });

    await t.test('a key can be taken again once released, and nested locks on other keys work', async () => {
      for (let i = 0; i < 3; i++) assert.equal(await either(i).withLock('again', async () => i), i);
      assert.equal(await a.withLock('outer', () => b.withLock('inner', async () => 'both')), 'both');
    });
  });
}
