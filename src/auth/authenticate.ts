import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { lazyLru } from '../cache/lru.js';
import type { Database } from '../db/index.js';
import { BerthError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import { verifySecret } from './passwords.js';
import { robotPrefix, type Principal, type RobotPermission } from './principal.js';
import type { RateLimiter } from './ratelimit.js';

// Credentials → principal, for users (database; later LDAP/OIDC) and robot accounts.
// argon2 is slow on purpose, so a verified (name, secret, stored hash) triple is
// remembered briefly; changing the password changes the stored hash and ends that.

export interface AuthenticatorOptions {
  db: Kysely<Database>;
  clock: Clock;
  limiter: RateLimiter;
  /** How long a looked-up principal (its flags, disabled state) is reused. */
  principalTtlMs?: number;
  onFailure?: (username: string, address: string | undefined) => void;
}

interface Account {
  principal: Principal;
  secretHash: string;
}

export function createAuthenticator({ db, clock, limiter, principalTtlMs = 2000, onFailure }: AuthenticatorOptions) {
  const accounts = lazyLru<string, Account>(10_000, { ttl: principalTtlMs });
  const verified = lazyLru<string, true>(10_000, { ttl: 60_000 });

  async function findUser(username: string): Promise<Account | undefined> {
    const row = await db
      .selectFrom('users')
      .select(['id', 'username', 'sysadmin', 'password_hash'])
      .where('username', '=', username)
      .executeTakeFirst();
    return (
      row && {
        principal: { kind: 'user', id: row.id, username: row.username, sysadmin: row.sysadmin === 1 },
        secretHash: row.password_hash,
      }
    );
  }

  async function findRobot(loginName: string): Promise<Account | undefined> {
    const bare = loginName.slice(robotPrefix.length);
    const plus = bare.indexOf('+');
    let query = db
      .selectFrom('robots as r')
      .leftJoin('projects as p', 'p.id', 'r.project_id')
      .select([
        'r.id',
        'r.name',
        'r.level',
        'r.project_id',
        'r.secret_hash',
        'r.disabled',
        'r.expires_at',
        'r.permissions',
      ]);
    query =
      plus >= 0
        ? query
            .where('r.level', '=', 'project')
            .where('p.name', '=', bare.slice(0, plus))
            .where('r.name', '=', bare.slice(plus + 1))
        : query.where('r.level', '=', 'system').where('r.name', '=', bare);
    const row = await query.executeTakeFirst();
    if (!row || row.disabled === 1) return undefined;
    const expiresAt = Number(row.expires_at);
    if (expiresAt !== -1 && expiresAt * 1000 <= clock.now().getTime()) return undefined;
    return {
      principal: {
        kind: 'robot',
        id: row.id,
        name: loginName,
        level: row.level,
        projectId: row.project_id,
        permissions: JSON.parse(row.permissions) as RobotPermission[],
      },
      secretHash: row.secret_hash,
    };
  }

  /** The current account behind a login name, or undefined when it is gone or disabled. */
  async function account(name: string): Promise<Account | undefined> {
    const hit = accounts.get(name);
    if (hit) return hit;
    const found = name.startsWith(robotPrefix) ? await findRobot(name) : await findUser(name);
    if (found) accounts.set(name, found);
    return found;
  }

  return {
    /**
     * Checks a name and secret; throws UNAUTHORIZED when they do not match and
     * TOOMANYREQUESTS (with Retry-After) after repeated failures.
     */
    async login(name: string, secret: string, address?: string): Promise<Principal> {
      const keys = [`user:${name}`, ...(address ? [`addr:${address}`] : [])];
      const wait = Math.max(...keys.map((k) => limiter.retryAfter(k)));
      if (wait > 0) {
        throw new BerthError('TOOMANYREQUESTS', `too many failed logins; retry in ${wait} s`, {
          headers: { 'Retry-After': String(wait) },
        });
      }
      const found = await account(name);
      const proof = createHash('sha256')
        .update(`${name}\0${secret}\0${found?.secretHash ?? ''}`)
        .digest('hex');
      if (found && (verified.has(proof) || (await verifySecret(found.secretHash, secret)))) {
        verified.set(proof, true);
        return found.principal;
      }
      for (const key of keys) limiter.fail(key);
      onFailure?.(name, address);
      throw new BerthError('UNAUTHORIZED', 'invalid username or password');
    },

    /** The principal a token's subject names now, or undefined when deleted or disabled. */
    async current(name: string): Promise<Principal | undefined> {
      return (await account(name))?.principal;
    },

    /** Forgets cached accounts after a change on this replica (delete, disable, password). */
    forget(name?: string): void {
      if (name === undefined) accounts.clear();
      else accounts.delete(name);
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
