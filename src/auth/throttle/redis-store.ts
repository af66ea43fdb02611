import type { Redis } from 'ioredis';
import type { LoginThrottleStore } from './store.js';

// The login throttle's store in Redis (with redis.url): one hash per key under
// `<redis.prefix>:login:`, counted and locked by one script so concurrent failures on
// several replicas add up, and expired by Redis once the failures are forgotten.

const failScript = `
local failures = redis.call('HINCRBY', KEYS[1], 'f', 1)
local threshold, base, cap, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local locked = tonumber(redis.call('HGET', KEYS[1], 'l') or '0')
if failures >= threshold then
  local delay = math.min(cap, base * 2 ^ math.min(failures - threshold, 40))
  locked = math.max(locked, now + delay)
  redis.call('HSET', KEYS[1], 'l', string.format('%d', locked))
end
redis.call('PEXPIRE', KEYS[1], math.max(locked - now, 0) + window)
return {failures, string.format('%d', locked)}
`;

export function createRedisThrottleStore(redis: Redis, options: { prefix: string }): LoginThrottleStore {
  const keyOf = (key: string) => `${options.prefix}:login:${key}`;
  return {
    async get(key) {
      const [failures, locked] = await redis.hmget(keyOf(key), 'f', 'l');
      if (failures === null) return undefined;
      return { failures: Number(failures), lockedUntil: Number(locked ?? 0) };
    },

    async fail(key, policy, now) {
      const [failures, locked] = (await redis.eval(
        failScript,
        1,
        keyOf(key),
        policy.threshold,
        policy.baseDelayMs,
        policy.maxDelayMs,
        policy.windowMs,
        now,
      )) as [number, string];
      return { failures: Number(failures), lockedUntil: Number(locked) };
    },

    async reset(key) {
      await redis.del(keyOf(key));
    },

    async purge() {
      // Redis expires each key by itself.
    },
  };
}
