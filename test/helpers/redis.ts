import { Redis } from 'ioredis';

// Redis for tests: the server on this machine (BERTH_TEST_REDIS_URL to point elsewhere).
// Each test file owns one db index and flushes only that index; two files sharing one
// would wipe each other's keys when they run at the same time. The owners:
//   7 src/auth/throttle/redis-store.test.ts    8 test/reliability/gc-race.rel.ts
//   9 test/security/login-throttle.test.ts     10 every test server of the scale-out profile
//  11 src/jobs/bullmq-queue.test.ts            12 src/shared/redis-locks.test.ts
//  13 test/ops/replicas-redis.test.ts          14 test/deploy/run-rendered.test.ts
//  15 test/ops/multi-replica.test.ts

export const testRedisBase = process.env.BERTH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * redis://…/<db>, emptied; undefined when Redis is not running (a test then skips,
 * saying so), and an error under CI=true, where Redis must run.
 */
export async function freshRedisDb(db: number): Promise<string | undefined> {
  return reachableRedis(`${testRedisBase}/${db}`, true);
}

/** Pub/sub channels are not scoped by db index: a test that only publishes needs a reachable server and names of its own, not a db. */
export async function redisForPubSub(): Promise<string | undefined> {
  return reachableRedis(testRedisBase, false);
}

async function reachableRedis(url: string, flush: boolean): Promise<string | undefined> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await client.connect();
    if (flush) await client.flushdb();
    else await client.ping();
    return url;
  } catch (err) {
    if (process.env.CI === 'true') throw new Error(`Redis is needed at ${url}: ${String(err)}`, { cause: err });
    return undefined;
  } finally {
    client.disconnect();
  }
}
