import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { lazyLru } from '../cache/index.js';
import type { Database } from '../db/index.js';
import { isoNow, type Clock } from '../shared/clock.js';

// Portal sessions (POST /c/login): a random id in a cookie, its hash in the database
// so every replica knows it, with a CSRF token for cookie-authenticated writes.

export interface Session {
  userId: number;
  /** The user's name (names never change in Harbor), so a request needs no second lookup. */
  username: string;
  csrfToken: string;
  expiresAt: number;
}

export function createSessionStore({
  db,
  clock,
  timeoutMinutes,
}: {
  db: Kysely<Database>;
  clock: Clock;
  timeoutMinutes: number;
}) {
  const timeoutMs = timeoutMinutes * 60_000;
  const cache = lazyLru<string, Session>(10_000, { ttl: 2000 });
  const hashOf = (sid: string) => createHash('sha256').update(sid).digest('hex');

  return {
    async create(userId: number): Promise<{ sid: string; csrfToken: string }> {
      const sid = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      await db
        .insertInto('sessions')
        .values({
          id_hash: hashOf(sid),
          user_id: userId,
          csrf_token: csrfToken,
          expires_at: clock.now().getTime() + timeoutMs,
          creation_time: isoNow(clock),
        })
        .execute();
      return { sid, csrfToken };
    },

    /** The live session for a cookie value, extending its idle timeout. */
    async get(sid: string): Promise<Session | undefined> {
      const key = hashOf(sid);
      const now = clock.now().getTime();
      const hit = cache.get(key);
      if (hit && hit.expiresAt > now) return hit;
      const row = await db
        .selectFrom('sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .select(['s.user_id', 'u.username', 's.csrf_token', 's.expires_at'])
        .where('s.id_hash', '=', key)
        .executeTakeFirst();
      if (!row || Number(row.expires_at) <= now) return undefined;
      const session = {
        userId: row.user_id,
        username: row.username,
        csrfToken: row.csrf_token,
        expiresAt: now + timeoutMs,
      };
      // Slide the idle timeout, at most once a minute per session.
      if (session.expiresAt - Number(row.expires_at) > 60_000) {
        await db.updateTable('sessions').set({ expires_at: session.expiresAt }).where('id_hash', '=', key).execute();
      }
      cache.set(key, session);
      return session;
    },

    async destroy(sid: string): Promise<void> {
      const key = hashOf(sid);
      cache.delete(key);
      await db.deleteFrom('sessions').where('id_hash', '=', key).execute();
    },

    async destroyForUser(userId: number): Promise<void> {
      cache.clear();
      await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },

    /** Deletes sessions past their idle timeout; returns how many. */
    async purgeExpired(): Promise<number> {
      const result = await db
        .deleteFrom('sessions')
        .where('expires_at', '<=', clock.now().getTime())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
