import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

// Cache invalidation between replicas. In-memory caches stay in each process; what one
// replica deletes or changes it announces here, and every replica drops its entries.
// In-process by default; Redis pub/sub when redis.url is set.

export type Invalidation =
  | { kind: 'blob'; repository: string; digest: string }
  | { kind: 'manifest'; repository: string; digest: string }
  | { kind: 'repository'; repository: string }
  /** Projects, members, robots or users changed: permission lookups are stale. */
  | { kind: 'access' };

export interface InvalidationBus {
  /** Announces to the other replicas; the caller has already dropped its own entries. */
  publish(message: Invalidation): void;
  /** Handles what other replicas announce. */
  subscribe(handler: (message: Invalidation) => void): void;
  /** Resolves once everything published so far has reached the other replicas' Redis connections. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** One process: nothing to tell anyone. */
export function createLocalInvalidationBus(): InvalidationBus {
  return { publish() {}, subscribe() {}, flush: async () => undefined, close: async () => undefined };
}

/** Redis pub/sub on `<prefix>:invalidate`: `publisher` sends, `subscriber` (a connection of its own) listens. */
export async function createRedisInvalidationBus(publisher: Redis, subscriber: Redis, prefix: string, onError: (err: unknown) => void): Promise<InvalidationBus> {
  const channel = `${prefix}:invalidate`;
  const origin = randomBytes(8).toString('hex');
  const handlers: ((message: Invalidation) => void)[] = [];
  const inFlight = new Set<Promise<unknown>>();
  await subscriber.subscribe(channel);
  subscriber.on('message', (_channel: string, text: string) => {
    try {
      const { from, message } = JSON.parse(text) as { from: string; message: Invalidation };
      if (from === origin) return;
      for (const handler of handlers) handler(message);
    } catch (err) {
      onError(err);
    }
  });
  return {
    publish(message) {
      const sent = publisher.publish(channel, JSON.stringify({ from: origin, message })).catch(onError);
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
    },
    async flush() {
      await Promise.all(inFlight);
    },
    subscribe(handler) {
      handlers.push(handler);
    },
    async close() {
      subscriber.disconnect();
    },
  };
}
