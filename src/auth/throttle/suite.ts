import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FailurePolicy, LoginThrottleStore } from './store.js';

// The one suite every LoginThrottleStore runs (database, Redis). A factory opens a
// store over the same backing each time it is called, as two replicas would.

export interface ThrottleStoreFactory {
  open(): Promise<LoginThrottleStore>;
  cleanup(): Promise<void>;
}

const policy: FailurePolicy = { threshold: 3, baseDelayMs: 1000, maxDelayMs: 4000, windowMs: 60_000 };
const key = () => `suite:${randomUUID()}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function throttleStoreSuite(name: string, factory: ThrottleStoreFactory, options: { skip?: string } = {}) {
  describe(`login throttle store: ${name}`, { skip: options.skip }, () => {
    after(() => factory.cleanup());

    test('a key never failed has no entry', async () => {
      const store = await factory.open();
      assert.equal(await store.get(key(), Date.now()), undefined);
    });

    test('failures below the threshold count without locking; the threshold locks for the base delay', async () => {
      const store = await factory.open();
      const k = key();
      const now = Date.now();
      assert.deepEqual(await store.fail(k, policy, now), { failures: 1, lockedUntil: 0 });
      assert.deepEqual(await store.fail(k, policy, now), { failures: 2, lockedUntil: 0 });
      assert.deepEqual(await store.fail(k, policy, now), { failures: 3, lockedUntil: now + 1000 });
      assert.deepEqual(await store.get(k, now), { failures: 3, lockedUntil: now + 1000 });
    });

    test('each further failure doubles the delay, up to the cap', async () => {
      const store = await factory.open();
      const k = key();
      const now = Date.now();
      const locks = [];
      for (let i = 0; i < 6; i++) locks.push((await store.fail(k, policy, now)).lockedUntil - now);
      assert.deepEqual(locks, [-now, -now, 1000, 2000, 4000, 4000]);
    });

    test('reset forgets a key and only that key', async () => {
      const store = await factory.open();
      const [k, other] = [key(), key()];
      const now = Date.now();
      await store.fail(k, policy, now);
      await store.fail(other, policy, now);
      await store.reset(k);
      assert.equal(await store.get(k, now), undefined);
      assert.equal((await store.get(other, now))?.failures, 1);
      assert.equal((await store.fail(k, policy, now)).failures, 1);
    });

    test('failures are forgotten a window after the last one', async () => {
      const store = await factory.open();
      const k = key();
      const short = { ...policy, windowMs: 300 };
      await store.fail(k, short, Date.now());
      await store.fail(k, short, Date.now());
      await sleep(450);
      assert.equal(await store.get(k, Date.now()), undefined);
      assert.equal((await store.fail(k, short, Date.now())).failures, 1);
    });

    test('a lock outlives the window: failures are kept until the lock ends plus the window', async () => {
      const store = await factory.open();
      const k = key();
      const short = { ...policy, threshold: 1, baseDelayMs: 600, windowMs: 200 };
      const locked = await store.fail(k, short, Date.now());
      await sleep(350);
      assert.equal((await store.get(k, Date.now()))?.lockedUntil, locked.lockedUntil);
    });

    test('concurrent failures through two stores over the same backing all count', async () => {
      const [a, b] = [await factory.open(), await factory.open()];
      const k = key();
      const now = Date.now();
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).fail(k, { ...policy, threshold: 100 }, now)),
      );
      assert.equal((await a.get(k, now))?.failures, 10);
      assert.equal((await b.get(k, now))?.failures, 10);
    });

    test('purge drops only forgotten entries', async () => {
      const store = await factory.open();
      const [old, fresh] = [key(), key()];
      const now = Date.now();
      await store.fail(old, { ...policy, windowMs: 100 }, now);
      await store.fail(fresh, policy, now);
      await sleep(200);
      await store.purge(Date.now());
      assert.equal(await store.get(old, Date.now()), undefined);
      assert.equal((await store.get(fresh, Date.now()))?.failures, 1);
    });
  });
}
