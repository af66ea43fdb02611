import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, UsersTable } from '../../db/index.js';
import { containsIgnoringCase } from '../../db/index.js';

// SQL for database users. Deleting a user also removes what hangs off it (project
// memberships, portal sessions) in one transaction.

export type UserRow = Omit<Selectable<UsersTable>, 'password_hash' | 'password_version'>;

export type UserColumn = 'id' | 'username' | 'email' | 'realname' | 'creation_time' | 'update_time';

export type UserFilter =
  | { column: 'username' | 'email'; kind: 'exact' | 'fuzzy'; value: string }
  | { column: 'username' | 'email'; kind: 'or'; values: string[] };

export interface UserListQuery {
  filters: UserFilter[];
  sort: { column: UserColumn; desc: boolean }[];
  offset: number;
  limit: number;
  /** Harbor leaves the first administrator (user id 1) out of listings and searches. */
  excludeId?: number;
}

const publicColumns = [
  'id',
  'username',
  'email',
  'realname',
  'comment',
  'sysadmin',
  'creation_time',
  'update_time',
] as const;

export function createUserRepo(db: Kysely<Database>) {
  function filtered(query: Pick<UserListQuery, 'filters' | 'excludeId'>) {
    let select = db.selectFrom('users');
    if (query.excludeId !== undefined) select = select.where('id', '<>', query.excludeId);
    for (const filter of query.filters) {
      if (filter.kind === 'exact') select = select.where(filter.column, '=', filter.value);
      // Harbor's fuzzy match is case-insensitive (icontains).
      else if (filter.kind === 'fuzzy')
        select = select.where(containsIgnoringCase(sql.ref(filter.column), filter.value));
      // An empty `{}` list filters nothing, as in Harbor's q.
      else if (filter.kind === 'or' && filter.values.length > 0)
        select = select.where(filter.column, 'in', filter.values);
    }
    return select;
  }

  return {
    async list(query: UserListQuery): Promise<UserRow[]> {
      let select = filtered(query).select(publicColumns);
      for (const { column, desc } of query.sort) select = select.orderBy(column, desc ? 'desc' : 'asc');
      return select.orderBy('id', 'asc').limit(query.limit).offset(query.offset).execute();
    },

    async count(query: Pick<UserListQuery, 'filters' | 'excludeId'>): Promise<number> {
      const row = await filtered(query)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async byId(id: number): Promise<UserRow | undefined> {
      return db.selectFrom('users').select(publicColumns).where('id', '=', id).executeTakeFirst();
    },

    async passwordHash(id: number): Promise<string | undefined> {
      const row = await db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst();
      return row?.password_hash;
    },

    /** Whether another user already has this username or email (case-insensitive email, as addresses are). */
    async taken(
      username: string | undefined,
      email: string | undefined,
      exceptId?: number,
    ): Promise<'username' | 'email' | undefined> {
      if (username !== undefined) {
        const row = await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
        if (row && row.id !== exceptId) return 'username';
      }
      if (email !== undefined) {
        const row = await db
          .selectFrom('users')
          .select('id')
          .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
          .executeTakeFirst();
        if (row && row.id !== exceptId) return 'email';
      }
      return undefined;
    },

    async insert(user: {
      username: string;
      email: string;
      realname: string;
      comment: string;
      passwordHash: string;
      now: string;
    }): Promise<number> {
      const row = await db
        .insertInto('users')
        .values({
          username: user.username,
          email: user.email,
          realname: user.realname,
          comment: user.comment,
          password_hash: user.passwordHash,
          sysadmin: 0,
          creation_time: user.now,
          update_time: user.now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    async updateProfile(
      id: number,
      profile: { email: string; realname: string; comment: string; now: string },
    ): Promise<void> {
      await db
        .updateTable('users')
        .set({ email: profile.email, realname: profile.realname, comment: profile.comment, update_time: profile.now })
        .where('id', '=', id)
        .execute();
    },

    async updatePassword(id: number, passwordHash: string, now: string): Promise<void> {
      await db
        .updateTable('users')
        .set((eb) => ({
          password_hash: passwordHash,
          password_version: eb('password_version', '+', 1),
          update_time: now,
        }))
        .where('id', '=', id)
        .execute();
    },

    async setSysadmin(id: number, sysadmin: boolean, now: string): Promise<void> {
      await db
        .updateTable('users')
        .set({ sysadmin: sysadmin ? 1 : 0, update_time: now })
        .where('id', '=', id)
        .execute();
    },

    async delete(id: number): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('project_members').where('entity_type', '=', 'u').where('entity_id', '=', id).execute();
        await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
        await trx.deleteFrom('users').where('id', '=', id).execute();
      });
    },
  };
}

export type UserRepo = ReturnType<typeof createUserRepo>;
