import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { freshRedisDb } from '../../test/helpers/redis.js';
import { createRedisLocks, LockTimeoutError } from './redis-locks.js';
import { locksSuite } from './locks-suite.js';

// Two "replicas" (two connections, two lock objects) contend for the same keys; db 12.
const url = await freshRedisDb(12);

locksSuite(
  'Redis, two replicas',
  {
    async open() {
      const connections = [new Redis(url!), new Redis(url!)];
      const [a, b] = connections.map((c) => createRedisLocks(c, { ttlMs: 300, prefix: 'suite:' }));
      return { a, b, close: async () => connections.forEach((c) => c.disconnect()) };
    },
  },
  { skip: url ? undefined : 'Redis is not running' },
);

test(
  'Redis locks renew while held and expire when the holder dies (exclusion: the locks suite above)',
  { skip: url ? undefined : 'Redis is not running' },
  async (t) => {
    const a = new Redis(url!);
    const b = new Redis(url!);
    t.after(() => {
      a.disconnect();
      b.disconnect();
    });
    const locksA = createRedisLocks(a, { ttlMs: 300 });
    const locksB = createRedisLocks(b, { ttlMs: 300 });

    await t.test('a long holder keeps its lock past the TTL (renewal)', async () => {
      const order: string[] = [];
      const long = locksA.withLock('long', async () => {
        await new Promise((r) => setTimeout(r, 1000));
        order.push('a');
      });
      await new Promise((r) => setTimeout(r, 50));
      await locksB.withLock('long', async () => void order.push('b'));
      await long;
      assert.deepEqual(order, ['a', 'b']);
    });

    await t.test(
      'release checks the token: a lock taken over after expiry is not released by the old holder',
      async () => {
        await a.set('berth:lock:stolen', 'someone-else', 'PX', 5000);
        const quick = createRedisLocks(b, { ttlMs: 300, waitMs: 200 });
        await assert.rejects(
          quick.withLock('stolen', async () => undefined),
          LockTimeoutError,
        );
        assert.equal(await a.get('berth:lock:stolen'), 'someone-else');
        await a.set('berth:lock:dead', 'crashed-holder', 'PX', 200);
        const started = Date.now();
        await locksB.withLock('dead', async () => undefined);
        assert.ok(Date.now() - started >= 100, 'waited for the dead holder to expire');
        assert.equal(await a.exists('berth:lock:dead'), 0);
      },
    );
  },
);
