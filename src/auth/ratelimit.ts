import { createHash } from 'node:crypto';
import { lazyLru } from '../cache/index.js';
import { BerthError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import type { FailurePolicy, LoginThrottleStore, ThrottleEntry } from './throttle/store.js';

// Brute-force protection for every password check: failures are counted per (user
// name, client address), so nobody can lock a user out from another address, and
// coarsely per address across all names (password spraying), in a store every
// replica shares. A locked key is refused with 429 and Retry-After; the delay doubles
// with each failure past the threshold, up to a cap; a success clears the pair.

export interface LoginThrottleOptions {
  store: LoginThrottleStore;
  clock: Clock;
  /** Failures of one name from one address before it is refused. */
  maxFailures: number;
  /** Failures from one address, whatever the names, before the address is refused. */
  maxAddressFailures: number;
  /** How long failures are remembered after the last one (or after a lock ends). */
  windowSeconds: number;
  /** The longest a key is refused. */
  backoffMaxSeconds: number;
}

/** What check() saw, handed back to succeeded() so a clean login writes nothing. */
export interface ThrottleCheck {
  pairKey: string;
  addressKey: string;
  pairFailures: number;
}

const baseDelayMs = 1000;
/** A key seen without failures is trusted this long without reading the store: replicas agree within it. */
const cleanTtlMs = 1000;
const purgeEveryMs = 10 * 60_000;

export function createLoginThrottle(options: LoginThrottleOptions) {
  const { store, clock } = options;
  const policy = (threshold: number): FailurePolicy => ({
    threshold,
    baseDelayMs,
    maxDelayMs: options.backoffMaxSeconds * 1000,
    windowMs: options.windowSeconds * 1000,
  });
  const pairPolicy = policy(options.maxFailures);
  const addressPolicy = policy(options.maxAddressFailures);
  const clean = lazyLru<string, true>(10_000, { ttl: cleanTtlMs });
  let lastPurge = 0;

  const digest = (text: string) => createHash('sha256').update(text).digest('hex');

  async function read(key: string, now: number): Promise<ThrottleEntry | undefined> {
    if (clean.has(key)) return undefined;
    const entry = await store.get(key, now);
    if (!entry) clean.set(key, true);
    return entry;
  }

  function refuse(entries: (ThrottleEntry | undefined)[], now: number): void {
    const until = Math.max(0, ...entries.map((e) => e?.lockedUntil ?? 0));
    if (until <= now) return;
    const wait = Math.max(1, Math.ceil((until - now) / 1000));
    throw new BerthError('TOOMANYREQUESTS', `too many failed logins; retry in ${wait} s`, {
      headers: { 'Retry-After': String(wait) },
    });
  }

  return {
    /** Throws TOOMANYREQUESTS (with Retry-After) while the pair or the address is locked. */
    async check(name: string, address: string): Promise<ThrottleCheck> {
      const now = clock.now().getTime();
      const pairKey = `p:${digest(`${name}\0${address}`)}`;
      const addressKey = `a:${digest(address)}`;
      const [pair, byAddress] = await Promise.all([read(pairKey, now), read(addressKey, now)]);
      refuse([pair, byAddress], now);
      return { pairKey, addressKey, pairFailures: pair?.failures ?? 0 };
    },

    /** Counts a wrong password for the pair and the address. */
    async failed(seen: ThrottleCheck): Promise<void> {
      const now = clock.now().getTime();
      clean.delete(seen.pairKey);
      clean.delete(seen.addressKey);
      await Promise.all([store.fail(seen.pairKey, pairPolicy, now), store.fail(seen.addressKey, addressPolicy, now)]);
      if (now - lastPurge > purgeEveryMs) {
        lastPurge = now;
        await store.purge(now);
      }
    },

    /** A right password clears the pair's failures; a pair without failures costs no write. */
    async succeeded(seen: ThrottleCheck): Promise<void> {
      if (seen.pairFailures === 0) return;
      await store.reset(seen.pairKey);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
