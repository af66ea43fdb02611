import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

// Cache invalidation between replicas. In-memory caches stay in each process; what one
// replica deletes or changes it announces here, and every replica drops its entries.
// In-process by default; Redis pub/sub when redis.url is set.
//
// Pub/sub alone is not "at once": PUBLISH answers when Redis has queued the message
// for the subscribers, not when they have read it, so a client told 202 by replica A
// could still be served the deleted manifest by replica B for a moment. Each replica
// therefore acknowledges what it applied, and flush() waits for as many
// acknowledgements as PUBLISH counted receivers (bounded by `ackTimeoutMs`, so a
// replica that hangs cannot hold every delete).

export type Invalidation =
  | { kind: 'blob'; repository: string; digest: string }
  | { kind: 'manifest'; repository: string; digest: string }
  | { kind: 'repository'; repository: string }
  /** Blobs garbage collection is deleting, in every repository. */
  | { kind: 'digests'; digests: string[] }
  /** Projects, members, robots or users changed: permission lookups are stale. */
  | { kind: 'access' }
  /** A project's tag rules (immutability) changed. */
  | { kind: 'project-rules'; project: string };

export interface InvalidationBus {
  /** Announces to the other replicas; the caller has already dropped its own entries. */
  publish(message: Invalidation): void;
  /** Handles what other replicas announce. */
  subscribe(handler: (message: Invalidation) => void): void;
  /** Resolves once every replica has applied everything published so far (or the acknowledgement timeout passed). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** One process: nothing to tell anyone. */
export function createLocalInvalidationBus(): InvalidationBus {
  return { publish() {}, subscribe() {}, flush: async () => undefined, close: async () => undefined };
}

export interface RedisBusOptions {
  prefix: string;
  /** How long flush() waits for the other replicas to acknowledge. */
  ackTimeoutMs?: number;
  onError(err: unknown): void;
}

interface Sent {
  /** Receivers other than this process, once PUBLISH has answered. */
  expected?: number;
  acknowledged: number;
  settled: Promise<void>;
  settle(): void;
}

/** Redis pub/sub on `<prefix>:invalidate`: `publisher` sends and acknowledges, `subscriber` (a connection of its own) listens. */
export async function createRedisInvalidationBus(
  publisher: Redis,
  subscriber: Redis,
  options: RedisBusOptions,
): Promise<InvalidationBus> {
  const { prefix, onError } = options;
  const ackTimeoutMs = options.ackTimeoutMs ?? 2000;
  const channel = `${prefix}:invalidate`;
  const ackChannel = (origin: string) => `${prefix}:invalidate-ack:${origin}`;
  const origin = randomBytes(8).toString('hex');
  const mine = ackChannel(origin);
  const handlers: ((message: Invalidation) => void)[] = [];
  const sent = new Map<number, Sent>();
  let sequence = 0;

  const check = (seq: number, entry: Sent) => {
    if (entry.expected !== undefined && entry.acknowledged >= entry.expected) {
      sent.delete(seq);
      entry.settle();
    }
  };

  await subscriber.subscribe(channel, mine);
  subscriber.on('message', (from: string, text: string) => {
    try {
      if (from === mine) {
        const seq = Number(text);
        const entry = sent.get(seq);
        if (entry) {
          entry.acknowledged++;
          check(seq, entry);
        }
        return;
      }
      const { from: sender, seq, message } = JSON.parse(text) as { from: string; seq: number; message: Invalidation };
      if (sender === origin) return;
      for (const handler of handlers) handler(message);
      publisher.publish(ackChannel(sender), String(seq)).catch(onError);
    } catch (err) {
      onError(err);
    }
  });

  return {
    publish(message) {
      const seq = ++sequence;
      let settle!: () => void;
      const settled = new Promise<void>((resolve) => (settle = resolve));
      const entry: Sent = { acknowledged: 0, settled, settle };
      sent.set(seq, entry);
      publisher.publish(channel, JSON.stringify({ from: origin, seq, message })).then(
        (receivers) => {
          // This process's own subscriber is among the receivers and does not acknowledge.
          entry.expected = Math.max(0, receivers - 1);
          check(seq, entry);
        },
        (err: unknown) => {
          onError(err);
          sent.delete(seq);
          settle();
        },
      );
    },
    async flush() {
      if (sent.size === 0) return;
      const waiting = [...sent.entries()];
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ackTimeoutMs)));
      const outcome = await Promise.race([Promise.all(waiting.map(([, entry]) => entry.settled)), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        const late = waiting.filter(([seq]) => sent.has(seq));
        for (const [seq, entry] of late) {
          sent.delete(seq);
          entry.settle();
        }
        onError(
          new Error(
            `${late.length} cache invalidation(s) not acknowledged by every replica within ${ackTimeoutMs} ms; a replica may serve deleted content until it catches up`,
          ),
        );
      }
    },
    subscribe(handler) {
      handlers.push(handler);
    },
    async close() {
      for (const entry of sent.values()) entry.settle();
      sent.clear();
      subscriber.disconnect();
    },
  };
}
