import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { lockDelayMs, type LoginThrottleStore, type ThrottleEntry } from './store.js';

// The login throttle's store in the database (table login_throttle, migration 005):
// what replicas share when there is no Redis. A failure is one upsert that counts
// atomically, then, past the threshold, one update that sets the lock.

export function createDbThrottleStore(db: Kysely<Database>): LoginThrottleStore {
  return {
    async get(key, now) {
      const row = await db
        .selectFrom('login_throttle')
        .select(['failures', 'locked_until'])
        .where('throttle_key', '=', key)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row && { failures: Number(row.failures), lockedUntil: Number(row.locked_until) };
    },

    async fail(key, policy, now) {
      const forgotten = sql<boolean>`login_throttle.expires_at <= ${now}`;
      const row = await db
        .insertInto('login_throttle')
        .values({ throttle_key: key, failures: 1, locked_until: 0, expires_at: now + policy.windowMs })
        .onConflict((oc) =>
          oc.column('throttle_key').doUpdateSet({
            failures: sql<number>`case when ${forgotten} then 1 else login_throttle.failures + 1 end`,
            locked_until: sql<number>`case when ${forgotten} then 0 else login_throttle.locked_until end`,
            expires_at: sql<number>`case when login_throttle.expires_at > ${now + policy.windowMs} then login_throttle.expires_at else ${now + policy.windowMs} end`,
          }),
        )
        .returning(['failures', 'locked_until'])
        .executeTakeFirstOrThrow();
      const entry: ThrottleEntry = { failures: Number(row.failures), lockedUntil: Number(row.locked_until) };
      const delay = lockDelayMs(entry.failures, policy);
      if (delay === 0) return entry;
      entry.lockedUntil = Math.max(entry.lockedUntil, now + delay);
      await db
        .updateTable('login_throttle')
        .set({ locked_until: entry.lockedUntil, expires_at: entry.lockedUntil + policy.windowMs })
        .where('throttle_key', '=', key)
        .execute();
      return entry;
    },

    async reset(key) {
      await db.deleteFrom('login_throttle').where('throttle_key', '=', key).execute();
    },

    async purge(now) {
      await db.deleteFrom('login_throttle').where('expires_at', '<=', now).execute();
    },
  };
}
