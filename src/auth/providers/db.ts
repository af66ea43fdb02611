import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { lazyLru } from '../../cache/index.js';
import type { Database } from '../../db/index.js';
import { verifySecret } from '../passwords.js';
import type { ExternalUser, IdentityProvider } from './contract.js';

// The database identity provider: users and their argon2id hashes in the users table.
// An unknown name is checked against a dummy hash made with the same parameters, so it
// costs what a wrong password costs. A verified (name, password, stored hash) triple is
// remembered for a minute, as argon2 is slow on purpose; a new password changes the hash.

export interface DbProviderOptions {
  db: Kysely<Database>;
  /** An argon2id hash of a random secret, made once at start with the parameters real hashes use. */
  dummyHash: string;
  /** How long a user's row (its hash) is reused; forget() drops it sooner. */
  rowTtlMs?: number;
}

interface UserRow extends ExternalUser {
  passwordHash: string;
}

export function createDbProvider({ db, dummyHash, rowTtlMs = 2000 }: DbProviderOptions): IdentityProvider {
  const rows = lazyLru<string, UserRow>(10_000, { ttl: rowTtlMs });
  const verified = lazyLru<string, true>(10_000, { ttl: 60_000 });

  async function row(username: string): Promise<UserRow | undefined> {
    const hit = rows.get(username);
    if (hit) return hit;
    const found = await db
      .selectFrom('users')
      .select(['username', 'email', 'realname', 'password_hash'])
      .where('username', '=', username)
      .executeTakeFirst();
    if (!found) return undefined;
    const user = { ...toExternal(found), passwordHash: found.password_hash };
    rows.set(username, user);
    return user;
  }

  return {
    name: 'db',

    async authenticate(username, password) {
      const user = await row(username);
      const hash = user?.passwordHash ?? dummyHash;
      const proof = createHash('sha256').update(`${username}\0${password}\0${hash}`).digest('hex');
      const ok = verified.has(proof) || (await verifySecret(hash, password));
      if (!user || !ok) return { ok: false, reason: 'bad-credentials' };
      verified.set(proof, true);
      const { passwordHash: _omitted, ...external } = user;
      return { ok: true, user: external };
    },

    async lookUp(username) {
      const user = await row(username);
      if (!user) return undefined;
      const { passwordHash: _omitted, ...external } = user;
      return external;
    },

    async groups() {
      // Database users belong to no group (Harbor's groups come from LDAP and OIDC).
      return [];
    },

    async search(query, limit) {
      const pattern = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const found = await db
        .selectFrom('users')
        .select(['username', 'email', 'realname'])
        .where(sql<boolean>`lower(username) like ${pattern} escape '\\'`)
        .orderBy('username')
        .limit(limit)
        .execute();
      return found.map(toExternal);
    },

    forget(username) {
      if (username === undefined) rows.clear();
      else rows.delete(username);
    },
  };
}

function toExternal(row: { username: string; email: string | null; realname: string }): ExternalUser {
  return { username: row.username, ...(row.email ? { email: row.email } : {}), realname: row.realname };
}
