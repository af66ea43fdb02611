// Where failed logins are counted so that every replica agrees: the database, or Redis
// when redis.url is set. A store only counts and locks; the login throttle decides
// which keys to count and what a lock means for a request.

/** A key's failures and the time (Unix ms, 0 = none) until which it is refused. */
export interface ThrottleEntry {
  failures: number;
  lockedUntil: number;
}

/** When a key locks and for how long: from `threshold` failures on, `baseDelayMs` doubling per failure, capped. */
export interface FailurePolicy {
  threshold: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long failures are remembered after the last one (or after the lock ends). */
  windowMs: number;
}

export interface LoginThrottleStore {
  /** The key's entry at `now`, or undefined when it has none or its failures have been forgotten. */
  get(key: string, now: number): Promise<ThrottleEntry | undefined>;
  /** Counts one failure, atomically across replicas; locks the key when the policy says so. */
  fail(key: string, policy: FailurePolicy, now: number): Promise<ThrottleEntry>;
  /** Forgets the key's failures (a successful login). */
  reset(key: string): Promise<void>;
  /** Drops entries forgotten before `now` (a store whose entries expire by themselves does nothing). */
  purge(now: number): Promise<void>;
}

/** How long a key with `failures` failures is refused: 0 below the threshold, then doubling up to the cap. */
export function lockDelayMs(failures: number, policy: FailurePolicy): number {
  if (failures < policy.threshold) return 0;
  const doublings = Math.min(failures - policy.threshold, 40);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** doublings);
}
