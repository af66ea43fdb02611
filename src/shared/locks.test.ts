import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalLocks } from './locks.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('withLock returns what the function returns', async () => {
  const locks = createLocalLocks();
  assert.equal(await locks.withLock('k', async () => 42), 42);
});

test('holders of the same key run one at a time, in arrival order', async () => {
  const locks = createLocalLocks();
  const events: string[] = [];
  let inside = 0;
  const job = (name: string, ms: number) =>
    locks.withLock('tag:repo:latest', async () => {
      inside++;
      assert.equal(inside, 1, 'two holders inside the same lock');
      events.push(`start ${name}`);
      await sleep(ms);
      events.push(`end ${name}`);
      inside--;
      return name;
    });
  const results = await Promise.all([job('a', 20), job('b', 1), job('c', 5)]);
  assert.deepEqual(results, ['a', 'b', 'c']);
  assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
});

test('different keys do not wait for each other', async () => {
  const locks = createLocalLocks();
  const gate = deferred();
  const slow = locks.withLock('a', () => gate.promise.then(() => 'a'));
  const fast = await locks.withLock('b', async () => 'b');
  assert.equal(fast, 'b');
  gate.resolve();
  assert.equal(await slow, 'a');
});

test('a failing holder rejects its caller and releases the lock for the next', async () => {
  const locks = createLocalLocks();
  const failing = locks.withLock('k', async () => {
    throw new Error('boom');
  });
  const next = locks.withLock('k', async () => 'after');
  await assert.rejects(failing, /boom/);
  assert.equal(await next, 'after');
});

test('a function that throws synchronously is a rejection, not a stuck lock', async () => {
  const locks = createLocalLocks();
  const fn = (): Promise<string> => {
    throw new Error('sync');
  };
  await assert.rejects(locks.withLock('k', fn), /sync/);
  assert.equal(await locks.withLock('k', async () => 'free'), 'free');
});

test('a key can be taken again once released, and nested locks on other keys work', async () => {
  const locks = createLocalLocks();
  for (let i = 0; i < 3; i++) assert.equal(await locks.withLock('k', async () => i), i);
  const nested = await locks.withLock('outer', () => locks.withLock('inner', async () => 'both'));
  assert.equal(nested, 'both');
});

test('many waiters on one key all run exactly once', async () => {
  const locks = createLocalLocks();
  let counter = 0;
  await Promise.all(
    Array.from({ length: 200 }, () =>
      locks.withLock('counter', async () => {
        const seen = counter;
        await sleep(0);
        counter = seen + 1;
      }),
    ),
  );
  assert.equal(counter, 200);
});
