import { Redis } from 'ioredis';

// Redis for tests: the server on this machine (BERTH_TEST_REDIS_URL to point elsewhere).
// Each test file owns one db index and flushes only that index.

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
