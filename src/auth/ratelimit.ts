import { lazyLru } from '../cache/lru.js';

// Brute-force protection for the login and token endpoints: failures are counted per
// key (a username, a client address) in a fixed window; past the limit the key is
// refused until the window ends.

export interface RateLimiter {
  /** Seconds to wait when `key` is over its limit, else 0. */
  retryAfter(key: string): number;
  fail(key: string): void;
  reset(key: string): void;
}

export function createRateLimiter(options: {
  maxFailures: number;
  windowSeconds: number;
  now?: () => number;
}): RateLimiter {
  const now = options.now ?? Date.now;
  const windows = lazyLru<string, { start: number; failures: number }>(100_000);
  const windowMs = options.windowSeconds * 1000;
  const current = (key: string) => {
    const entry = windows.get(key);
    if (!entry || now() - entry.start >= windowMs) return undefined;
    return entry;
  };
  return {
    retryAfter(key) {
      const entry = current(key);
      if (!entry || entry.failures < options.maxFailures) return 0;
      return Math.max(1, Math.ceil((entry.start + windowMs - now()) / 1000));
    },
    fail(key) {
      const entry = current(key);
      if (entry) entry.failures += 1;
      else windows.set(key, { start: now(), failures: 1 });
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
