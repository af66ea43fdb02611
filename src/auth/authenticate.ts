import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { lazyLru } from '../cache/index.js';
import type { Database } from '../db/index.js';
import { BerthError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import { verifySecret } from './passwords.js';
import { robotPrefix, type Principal, type RobotPermission } from './principal.js';
import type { LoginThrottle } from './ratelimit.js';
import type { IdentityProvider } from './providers/contract.js';

// The login service: credentials → principal. Users are checked by the identity
// provider, robot accounts by their own secret; both throttled here per (name, address).
// Every check costs one argon2 verify, against a dummy hash when the account does not
// exist, so timing does not tell whether a name is taken.

export interface AuthenticatorOptions {
  db: Kysely<Database>;
  clock: Clock;
  provider: IdentityProvider;
  throttle: LoginThrottle;
  /** An argon2id hash of a random secret made at start with the real parameters (see passwords.ts). */
  dummyHash: string;
  /** How long a looked-up principal (its flags, disabled state) is reused. */
  principalTtlMs?: number;
  onFailure?: (username: string, address: string | undefined) => void;
}

interface Account {
  principal: Principal;
  secretHash: string;
}

export function createAuthenticator(options: AuthenticatorOptions) {
  const { db, clock, provider, throttle, dummyHash, onFailure } = options;
  const accounts = lazyLru<string, Account>(10_000, { ttl: options.principalTtlMs ?? 2000 });
  const verifiedRobots = lazyLru<string, true>(10_000, { ttl: 60_000 });

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

  /** A robot's secret check; a missing, disabled or expired robot costs the same verify. */
  async function robotLogin(name: string, secret: string): Promise<Principal | undefined> {
    const found = await account(name);
    const hash = found?.secretHash ?? dummyHash;
    const proof = createHash('sha256').update(`${name}\0${secret}\0${hash}`).digest('hex');
    const ok = verifiedRobots.has(proof) || (await verifySecret(hash, secret));
    if (!found || !ok) return undefined;
    verifiedRobots.set(proof, true);
    return found.principal;
  }

  async function userLogin(name: string, secret: string): Promise<Principal | undefined> {
    const result = await provider.authenticate(name, secret);
    if (!result.ok) return undefined;
    return (await account(result.user.username))?.principal;
  }

  return {
    /**
     * Checks a name and secret; throws UNAUTHORIZED when they do not match and
     * TOOMANYREQUESTS (with Retry-After) while the name is throttled for this address.
     */
    async login(name: string, secret: string, address?: string): Promise<Principal> {
      const seen = await throttle.check(name, address ?? '');
      const principal = name.startsWith(robotPrefix) ? await robotLogin(name, secret) : await userLogin(name, secret);
      if (!principal) {
        await throttle.failed(seen);
        onFailure?.(name, address);
        throw new BerthError('UNAUTHORIZED', 'invalid username or password');
      }
      await throttle.succeeded(seen);
      return principal;
    },

    /** The principal a token's subject names now, or undefined when deleted or disabled. */
    async current(name: string): Promise<Principal | undefined> {
      return (await account(name))?.principal;
    },

    /** Forgets cached accounts after a change on this replica (delete, disable, password). */
    forget(name?: string): void {
      provider.forget?.(name);
      if (name === undefined) accounts.clear();
      else accounts.delete(name);
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
