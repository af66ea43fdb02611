import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { BerthError } from './errors.js';
import { createLocalLocks, type Locks } from './locks.js';

// Locks across replicas: SET key token NX PX ttl, renewed while the holder works,
// released only by the holder (the token is checked in one script). A holder that dies
// loses the lock when its TTL runs out. Callers in one process queue locally first.

const release = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const renew = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface RedisLocksOptions {
  /** How long a lock outlives a holder that stopped renewing it. */
  ttlMs?: number;
  /** Give up waiting after this long. */
  waitMs?: number;
  prefix?: string;
}

/** Waiting for a lock too long is the server's state, not the client's fault: 503 with Retry-After. */
export class LockTimeoutError extends BerthError {
  override name = 'LockTimeoutError';
  constructor(message: string) {
    super('UNAVAILABLE', message, { headers: { 'Retry-After': '5' } });
  }
}

export function createRedisLocks(redis: Redis, options: RedisLocksOptions = {}): Locks {
  const ttlMs = options.ttlMs ?? 30_000;
  const waitMs = options.waitMs ?? 60_000;
  const prefix = options.prefix ?? 'berth:lock:';
  const local = createLocalLocks();

  async function acquire(key: string, token: string): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK') return;
      if (Date.now() > deadline) throw new LockTimeoutError(`lock ${key} still held after ${waitMs} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  return {
    withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
      return local.withLock(name, async () => {
        const key = prefix + name;
        const token = randomBytes(16).toString('hex');
        await acquire(key, token);
        const renewal = setInterval(
          () => void redis.eval(renew, 1, key, token, String(ttlMs)).catch(() => undefined),
          ttlMs / 3,
        );
        try {
          return await fn();
        } finally {
          clearInterval(renewal);
          await redis.eval(release, 1, key, token).catch(() => undefined);
        }
      });
    },
  };
}
