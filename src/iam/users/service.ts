import type { Actor } from '../actor.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { BerthError } from '../../shared/errors.js';
import { isoNow, type Clock } from '../../shared/clock.js';
import {
  hashSecret,
  passwordProblem,
  verifySecret,
  principalName,
  type Authenticator,
  type SessionStore,
} from '../../auth/index.js';
import type { AuditLog } from '../../audit/index.js';
import type { AccessControl } from '../access.js';
import { createUserRepo, type UserListQuery, type UserRow } from './repo.js';

// Database users: Harbor's user use cases (goharbor/harbor src/controller/user and
// src/server/v2.0/handler/user.go). Who may call them is decided by the API; the
// rules about the users themselves live here.

export interface UserServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  authenticator: Authenticator;
  access: AccessControl;
  sessions: SessionStore;
  audit: AuditLog;
}

/** Who asks, for the audit log and the rules that depend on the caller. */
export type { Actor } from '../actor.js';

export interface NewUser {
  username?: unknown;
  email?: unknown;
  realname?: unknown;
  comment?: unknown;
  password?: unknown;
}

export interface ProfileChange {
  email?: unknown;
  realname?: unknown;
  comment?: unknown;
}

/** The first administrator: Harbor neither lists nor deletes user 1. */
export const firstAdminId = 1;

// Harbor's rules: src/server/v2.0/handler/user.go validateUserProfile and the portal's username check.
const illegalUsernameChars = [',', '"', '~', '#', '$', '%'];
const illegalRealnameChars = [',', '~', '#', '$', '%'];
const emailPattern =
  /^(([^<>()[\]\\.,;:\s@"]+(\.[^<>()[\]\\.,;:\s@"]+)*)|(".+"))@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))$/;

function badRequest(message: string): BerthError {
  return new BerthError('BAD_REQUEST', message);
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`);
  return value;
}

export function usernameProblem(username: string): string | undefined {
  if (username.length === 0) return 'username is required';
  if ([...username].length > 255) return 'username must be at most 255 characters';
  if (username.trim() !== username) return 'username must not begin or end with spaces';
  if (illegalUsernameChars.some((c) => username.includes(c)))
    return `username must not contain any of ${illegalUsernameChars.join(' ')}`;
  return undefined;
}

function checkProfile(profile: { email: string; realname: string; comment: string }): void {
  if (profile.email.length === 0) throw badRequest("email can't be empty");
  if (profile.email.length > 255 || !emailPattern.test(profile.email)) throw badRequest('email with illegal format');
  const realname = [...profile.realname].length;
  if (realname < 1 || realname > 255) throw badRequest('realname with illegal length');
  if (illegalRealnameChars.some((c) => profile.realname.includes(c)))
    throw badRequest('realname contains illegal characters');
  if ([...profile.comment].length > 30) throw badRequest('comment with illegal length');
}

function checkPassword(password: string | undefined): string {
  if (password === undefined || password === '') throw badRequest('password is required');
  const problem = passwordProblem(password);
  if (problem) throw badRequest(problem);
  return password;
}

export function createUserService({ db, clock, authenticator, access, sessions, audit }: UserServiceDeps) {
  const repo = createUserRepo(db);

  async function get(id: number): Promise<UserRow> {
    const user = await repo.byId(id);
    if (!user) throw new BerthError('NOT_FOUND', `user ${id} not found`);
    return user;
  }

  function record(actor: Actor, operation: 'create' | 'update' | 'delete', username: string): void {
    void audit.record({
      operation,
      resourceType: 'user',
      resource: username,
      username: principalName(actor.principal),
      clientIp: actor.clientIp,
    });
  }

  /** A change to a user's secret or rights: this replica stops serving cached grants. */
  function changed(username: string): void {
    authenticator.forget(username);
    access.invalidate();
  }

  return {
    get,

    async list(query: UserListQuery): Promise<{ users: UserRow[]; total: number }> {
      const [users, total] = await Promise.all([repo.list(query), repo.count(query)]);
      return { users, total };
    },

    async create(actor: Actor, input: NewUser): Promise<UserRow> {
      const username = optionalString(input.username, 'username') ?? '';
      const problem = usernameProblem(username);
      if (problem) throw badRequest(problem);
      const profile = {
        email: optionalString(input.email, 'email') ?? '',
        realname: optionalString(input.realname, 'realname') ?? '',
        comment: optionalString(input.comment, 'comment') ?? '',
      };
      checkProfile(profile);
      const password = checkPassword(optionalString(input.password, 'password'));
      const taken = await repo.taken(username, profile.email);
      if (taken)
        throw new BerthError(
          'CONFLICT',
          taken === 'username' ? `username ${username} already exists` : `email ${profile.email} already exists`,
        );
      const id = await repo
        .insert({ username, ...profile, passwordHash: await hashSecret(password), now: isoNow(clock) })
        .catch(async (err: unknown) => {
          // Lost a race with a concurrent create of the same name or email.
          if (await repo.taken(username, profile.email))
            throw new BerthError('CONFLICT', `user ${username} or email ${profile.email} already exists`);
          throw err;
        });
      record(actor, 'create', username);
      return get(id);
    },

    /** Only email, realname and comment change; a field left out keeps its value. */
    async updateProfile(actor: Actor, id: number, change: ProfileChange): Promise<void> {
      const user = await get(id);
      const profile = {
        email: optionalString(change.email, 'email') ?? user.email ?? '',
        realname: optionalString(change.realname, 'realname') ?? user.realname,
        comment: optionalString(change.comment, 'comment') ?? user.comment,
      };
      checkProfile(profile);
      if (await repo.taken(undefined, profile.email, id))
        throw new BerthError('CONFLICT', `email ${profile.email} already exists`);
      await repo.updateProfile(id, { ...profile, now: isoNow(clock) });
      record(actor, 'update', user.username);
    },

    /** Users changing their own password prove the old one; administrators reset others' without it. */
    async changePassword(actor: Actor, id: number, oldPassword: unknown, newPassword: unknown): Promise<void> {
      const user = await get(id);
      const stored = (await repo.passwordHash(id)) ?? '';
      const self = actor.principal.kind === 'user' && actor.principal.id === id;
      if (self && !(await verifySecret(stored, optionalString(oldPassword, 'old_password') ?? ''))) {
        throw new BerthError('FORBIDDEN', 'Current password is incorrect');
      }
      const password = checkPassword(optionalString(newPassword, 'new_password'));
      if (await verifySecret(stored, password)) throw badRequest('New password is identical to old password');
      await repo.updatePassword(id, await hashSecret(password), isoNow(clock));
      // Whoever held a portal session of this user must prove the new password.
      await sessions.destroyForUser(id);
      changed(user.username);
      record(actor, 'update', user.username);
    },

    async setSysadmin(actor: Actor, id: number, sysadmin: unknown): Promise<void> {
      if (typeof sysadmin !== 'boolean') throw badRequest('sysadmin_flag must be true or false');
      const user = await get(id);
      await repo.setSysadmin(id, sysadmin, isoNow(clock));
      changed(user.username);
      record(actor, 'update', user.username);
    },

    /** Removes the user with their project memberships and portal sessions. */
    async delete(actor: Actor, id: number): Promise<void> {
      if ((actor.principal.kind === 'user' && actor.principal.id === id) || id === firstAdminId) {
        throw new BerthError('FORBIDDEN', `User with ID ${id} cannot be deleted`);
      }
      const user = await get(id);
      await repo.delete(id);
      await sessions.destroyForUser(id);
      changed(user.username);
      record(actor, 'delete', user.username);
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
