import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

// Failed logins per (user name, client address) and per address, shared by every
// replica when there is no Redis: the login throttle's database store.
export function loginThrottle(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('login_throttle')
        .addColumn('throttle_key', dialect.varchar(128), (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('locked_until', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('login_throttle_expires').on('login_throttle').column('expires_at').execute();
    },
  };
}
