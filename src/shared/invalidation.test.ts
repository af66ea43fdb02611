import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisForPubSub } from '../../test/helpers/redis.js';
import { createRedisInvalidationBus, type Invalidation, type InvalidationBus } from './invalidation.js';

// Three "replicas" on one Redis, each with its publisher and subscriber connections,
// under a prefix of this run's own (pub/sub channels are shared by every db index).
const url = await redisForPubSub();

test(
  'cache invalidation over Redis reaches every replica before flush resolves',
  { skip: url ? undefined : 'Redis is not running' },
  async (t) => {
    const prefix = `berth-test-${randomBytes(4).toString('hex')}`;
    const connections: Redis[] = [];
    const errors: unknown[] = [];
    const replica = async (ackTimeoutMs?: number) => {
      const publisher = new Redis(url!);
      const subscriber = new Redis(url!);
      connections.push(publisher, subscriber);
      const seen: Invalidation[] = [];
      const bus = await createRedisInvalidationBus(publisher, subscriber, {
        prefix,
        ackTimeoutMs,
        onError: (err) => errors.push(err),
      });
      bus.subscribe((message) => seen.push(message));
      return { bus, seen, subscriber };
    };
    const buses: InvalidationBus[] = [];
    t.after(async () => {
      for (const bus of buses) await bus.close();
      for (const connection of connections) connection.disconnect();
    });
    const a = await replica(300);
    const b = await replica();
    const c = await replica();
    buses.push(a.bus, b.bus, c.bus);

    await t.test(
      'after flush, every other replica has applied each message, and the sender has not applied its own',
      async () => {
        for (let round = 0; round < 50; round++) {
          const message: Invalidation = { kind: 'manifest', repository: `r/${round}`, digest: `sha256:${round}` };
          a.bus.publish(message);
          await a.bus.flush();
          // Checked synchronously: nothing may arrive between flush and the next read.
          assert.deepEqual(b.seen.at(-1), message, `round ${round}: replica b`);
          assert.deepEqual(c.seen.at(-1), message, `round ${round}: replica c`);
        }
        assert.equal(a.seen.length, 0);
        assert.equal(b.seen.length, 50);
        assert.deepEqual(errors, []);
      },
    );

    await t.test(
      'a replica that stops reading delays flush only until the timeout, and the miss is reported',
      async () => {
        // c's subscriber stays subscribed but its socket is paused: Redis counts it as a receiver, it never acknowledges.
        c.subscriber.stream.pause();
        const started = performance.now();
        a.bus.publish({ kind: 'access' });
        await a.bus.flush();
        const waited = performance.now() - started;
        assert.ok(waited >= 280 && waited < 2000, `waited ${waited.toFixed(0)} ms against a 300 ms timeout`);
        assert.deepEqual(b.seen.at(-1), { kind: 'access' });
        assert.equal(errors.length, 1);
        assert.match(String(errors[0]), /not acknowledged by every replica within 300 ms/);
        c.subscriber.stream.resume();
      },
    );

    await t.test('flush with nothing published resolves at once', async () => {
      const started = performance.now();
      await b.bus.flush();
      assert.ok(performance.now() - started < 50);
    });
  },
);
