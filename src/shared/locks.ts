/** Mutual exclusion by key. In-process now; a Redis implementation serves many replicas. */
export interface Locks {
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export function createLocalLocks(): Locks {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const run = previous.then(fn, fn);
      const tail = run.catch(() => undefined);
      tails.set(key, tail);
      try {
        return await run;
      } finally {
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}
