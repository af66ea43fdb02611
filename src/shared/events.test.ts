import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisForPubSub } from '../../test/helpers/redis.js';
import { createEventBus, subscriber, type DomainEvent, type EventRelay } from './events.js';
import { createRedisEventRelay } from './redis-relay.js';

const pushed: DomainEvent = {
  type: 'artifact.pushed',
  repository: 'p/r',
  digest: 'sha256:aa',
  mediaType: 'm',
  size: 1,
};
const deleted: DomainEvent = { type: 'repository.deleted', repository: 'p/r' };

async function until(ok: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a local subscriber gets the events it names, after the publisher returns; a failing one is reported, not thrown', async () => {
  const errors: string[] = [];
  const bus = createEventBus({ onError: (_err, event, name) => errors.push(`${name}:${event.type}`) });
  const seen: string[] = [];
  bus.add(
    subscriber({ name: 'a', events: ['artifact.pushed'], delivery: 'local', handle: (e) => void seen.push(e.digest) }),
  );
  bus.add(
    subscriber({
      name: 'broken',
      events: ['artifact.pushed', 'repository.deleted'],
      delivery: 'local',
      handle: () => {
        throw new Error('boom');
      },
    }),
  );
  bus.publish(pushed);
  bus.publish(deleted);
  assert.deepEqual(seen, [], 'delivery waits for the publisher to finish its work');
  await until(() => errors.length === 2, 'both failures');
  assert.deepEqual(seen, ['sha256:aa']);
  assert.deepEqual(errors.sort(), ['broken:artifact.pushed', 'broken:repository.deleted']);
});

test('two subscribers of one name are refused at start', () => {
  const bus = createEventBus({ onError: () => undefined });
  const sub = subscriber({ name: 'x', events: ['tag.created'], delivery: 'local', handle: () => undefined });
  bus.add(sub);
  assert.throws(() => bus.add(sub), /defined twice/);
});

test("a 'once' subscriber's delivery is queued as its own job type, not run in-process", async () => {
  const queued: [string, DomainEvent][] = [];
  let ran = 0;
  const bus = createEventBus({ onError: (err) => assert.fail(String(err)) });
  bus.add(subscriber({ name: 'web hooks', events: ['artifact.pushed'], delivery: 'once', handle: () => void ran++ }));
  bus.useQueue(async (name, event) => void queued.push([name, event]));
  bus.publish(pushed);
  await until(() => queued.length === 1, 'the delivery job');
  assert.deepEqual(queued, [['EVENT_WEB_HOOKS', pushed]]);
  assert.equal(ran, 0);
});

const url = await redisForPubSub();

test(
  "over Redis, 'every-replica' subscribers of other replicas get an event once; 'local' ones do not",
  { skip: url ? undefined : 'Redis is not running' },
  async (t) => {
    const prefix = `berth-test-${randomBytes(4).toString('hex')}`;
    const connections: Redis[] = [];
    const relays: EventRelay[] = [];
    t.after(async () => {
      for (const relay of relays) await relay.close();
      for (const connection of connections) connection.disconnect();
    });
    const replica = async () => {
      const publisher = new Redis(url!);
      const listener = new Redis(url!);
      connections.push(publisher, listener);
      const relay = await createRedisEventRelay(publisher, listener, {
        prefix,
        onError: (err) => assert.fail(String(err)),
      });
      relays.push(relay);
      const bus = createEventBus({ relay, onError: (err) => assert.fail(String(err)) });
      const everywhere: string[] = [];
      const here: string[] = [];
      bus.add(
        subscriber({
          name: 'cache',
          events: ['repository.deleted'],
          delivery: 'every-replica',
          handle: (e) => void everywhere.push(e.repository),
        }),
      );
      bus.add(
        subscriber({
          name: 'audit',
          events: ['repository.deleted'],
          delivery: 'local',
          handle: (e) => void here.push(e.repository),
        }),
      );
      return { bus, everywhere, here };
    };
    const a = await replica();
    const b = await replica();
    const c = await replica();
    a.bus.publish(deleted);
    await until(() => b.everywhere.length === 1 && c.everywhere.length === 1, 'the other replicas');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual([a.everywhere, b.everywhere, c.everywhere], [['p/r'], ['p/r'], ['p/r']], 'each replica once');
    assert.deepEqual([a.here, b.here, c.here], [['p/r'], [], []], 'local subscribers only where it happened');
  },
);
