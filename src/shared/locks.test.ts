import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalLocks } from './locks.js';
import { locksSuite } from './locks-suite.js';

// In one process one lock object serves every caller.
locksSuite('in-process', {
  async open() {
    const locks = createLocalLocks();
    return { a: locks, b: locks, close: async () => undefined };
  },
});

// What only the in-process implementation promises: first come, first served.
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
