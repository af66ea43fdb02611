import type { NameMatch } from '../actor.js';
import { sql, type ExpressionBuilder, type Kysely, type SqlBool, type Expression, type Transaction } from 'kysely';
import { type Database, containsIgnoringCase } from '../../db/index.js';
import type { Metadata } from './metadata.js';

// SQL for projects and their metadata. A project's publicity is its `public` metadata.

export interface ProjectRow {
  id: number;
  name: string;
  owner_id: number | null;
  owner_name: string | null;
  registry_id: number | null;
  creation_time: string;
  update_time: string;
}

export type { NameMatch } from '../actor.js';

/** Which projects a caller may list, besides the filters it asks for. */
export type Visibility =
  | { kind: 'all' }
  | { kind: 'public' }
  /** A user: projects it is a member of, plus public ones when `withPublic`. */
  | { kind: 'member'; userId: number; withPublic: boolean }
  /** A robot: projects it holds permissions in, plus public ones when `withPublic`. */
  | { kind: 'named'; names: string[]; withPublic: boolean };

export interface ProjectFilter {
  name?: NameMatch;
  public?: boolean;
  owner?: string;
  ids?: number[];
  visibility: Visibility;
}

export interface ProjectSort {
  column: 'name' | 'creation_time' | 'update_time' | 'id';
  desc: boolean;
}

type Eb = ExpressionBuilder<Database & { p: Database['projects'] }, 'p'>;

function isPublic(eb: Eb): Expression<SqlBool> {
  return eb.exists(
    eb
      .selectFrom('project_metadata as pm')
      .select('pm.project_id')
      .whereRef('pm.project_id', '=', 'p.id')
      .where('pm.name', '=', 'public')
      .where('pm.value', '=', 'true'),
  );
}

function filterConditions(eb: Eb, filter: ProjectFilter): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  const { name } = filter;
  if (name?.kind === 'exact') conditions.push(eb('p.name', '=', name.value));
  if (name?.kind === 'fuzzy') conditions.push(containsIgnoringCase(sql.ref('p.name'), name.value));
  if (name?.kind === 'any') conditions.push(name.values.length ? eb('p.name', 'in', name.values) : sql<SqlBool>`1 = 0`);
  if (filter.ids) conditions.push(filter.ids.length ? eb('p.id', 'in', filter.ids) : sql<SqlBool>`1 = 0`);
  if (filter.public !== undefined) conditions.push(filter.public ? isPublic(eb) : eb.not(isPublic(eb)));
  if (filter.owner !== undefined) {
    conditions.push(
      eb.exists(
        eb
          .selectFrom('users as o')
          .select('o.id')
          .whereRef('o.id', '=', 'p.owner_id')
          .where('o.username', '=', filter.owner),
      ),
    );
  }
  const visible = visibilityCondition(eb, filter.visibility);
  if (visible) conditions.push(visible);
  return conditions;
}

function visibilityCondition(eb: Eb, visibility: Visibility): Expression<SqlBool> | undefined {
  switch (visibility.kind) {
    case 'all':
      return undefined;
    case 'public':
      return isPublic(eb);
    case 'member': {
      const member = eb.exists(
        eb
          .selectFrom('project_members as m')
          .select('m.id')
          .whereRef('m.project_id', '=', 'p.id')
          .where('m.entity_type', '=', 'u')
          .where('m.entity_id', '=', visibility.userId),
      );
      return visibility.withPublic ? eb.or([member, isPublic(eb)]) : member;
    }
    case 'named': {
      const named = visibility.names.length ? eb('p.name', 'in', visibility.names) : sql<SqlBool>`1 = 0`;
      return visibility.withPublic ? eb.or([named, isPublic(eb)]) : named;
    }
  }
}

export function createProjectRepo(db: Kysely<Database>) {
  const selectProjects = () =>
    db
      .selectFrom('projects as p')
      .leftJoin('users as u', 'u.id', 'p.owner_id')
      .select([
        'p.id',
        'p.name',
        'p.owner_id',
        'u.username as owner_name',
        'p.registry_id',
        'p.creation_time',
        'p.update_time',
      ]);

  return {
    byId(id: number): Promise<ProjectRow | undefined> {
      return selectProjects().where('p.id', '=', id).executeTakeFirst();
    },

    byName(name: string): Promise<ProjectRow | undefined> {
      return selectProjects().where('p.name', '=', name).executeTakeFirst();
    },

    async count(filter: ProjectFilter): Promise<number> {
      const row = await db
        .selectFrom('projects as p')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) => eb.and(filterConditions(eb, filter)))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    list(filter: ProjectFilter, sort: ProjectSort[], limit: number, offset: number): Promise<ProjectRow[]> {
      let query = selectProjects().where((eb) => eb.and(filterConditions(eb, filter)));
      // Harbor's default order: newest first.
      const order: ProjectSort[] = sort.length ? sort : [{ column: 'creation_time', desc: true }];
      for (const { column, desc } of order) query = query.orderBy(`p.${column}`, desc ? 'desc' : 'asc');
      return query.orderBy('p.id', 'asc').limit(limit).offset(offset).execute();
    },

    /** Creates the project, its metadata and the owner's projectAdmin membership in one transaction; undefined when the name is taken. */
    async insert(input: {
      name: string;
      ownerId: number;
      metadata: Metadata;
      now: string;
      adminRole: number;
      /** More rows of the new project, written in the same transaction (its quota). */
      within?: (trx: Transaction<Database>, projectId: number) => Promise<void>;
    }): Promise<number | undefined> {
      return db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('projects')
          .values({
            name: input.name,
            owner_id: input.ownerId,
            registry_id: null,
            creation_time: input.now,
            update_time: input.now,
          })
          .onConflict((oc) => oc.column('name').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) return undefined;
        const entries = Object.entries(input.metadata).map(([name, value]) => ({
          project_id: inserted.id,
          name,
          value,
        }));
        if (entries.length) await trx.insertInto('project_metadata').values(entries).execute();
        await trx
          .insertInto('project_members')
          .values({
            project_id: inserted.id,
            entity_id: input.ownerId,
            entity_type: 'u',
            role: input.adminRole,
            creation_time: input.now,
            update_time: input.now,
          })
          .execute();
        await input.within?.(trx, inserted.id);
        return inserted.id;
      });
    },

    /** Removes the project with its metadata, members and robot accounts. */
    async remove(id: number): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('project_metadata').where('project_id', '=', id).execute();
        await trx.deleteFrom('project_members').where('project_id', '=', id).execute();
        await trx.deleteFrom('robots').where('level', '=', 'project').where('project_id', '=', id).execute();
        await trx.deleteFrom('projects').where('id', '=', id).execute();
      });
    },

    async touch(id: number, now: string): Promise<void> {
      await db.updateTable('projects').set({ update_time: now }).where('id', '=', id).execute();
    },

    async metadataOf(ids: number[]): Promise<Map<number, Metadata>> {
      const out = new Map<number, Metadata>(ids.map((id) => [id, {}]));
      if (ids.length === 0) return out;
      const rows = await db
        .selectFrom('project_metadata')
        .select(['project_id', 'name', 'value'])
        .where('project_id', 'in', ids)
        .orderBy('name')
        .execute();
      for (const row of rows) {
        const entry = out.get(row.project_id);
        if (entry) entry[row.name] = row.value;
      }
      return out;
    },

    /** Inserts the entries; false when one already exists. */
    async addMetadata(id: number, metadata: Metadata): Promise<boolean> {
      const entries = Object.entries(metadata).map(([name, value]) => ({ project_id: id, name, value }));
      return db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('project_metadata')
          .select('name')
          .where('project_id', '=', id)
          .where('name', 'in', Object.keys(metadata))
          .executeTakeFirst();
        if (existing) return false;
        await trx.insertInto('project_metadata').values(entries).execute();
        return true;
      });
    },

    async upsertMetadata(id: number, metadata: Metadata): Promise<void> {
      const entries = Object.entries(metadata).map(([name, value]) => ({ project_id: id, name, value }));
      if (entries.length === 0) return;
      await db
        .insertInto('project_metadata')
        .values(entries)
        .onConflict((oc) =>
          oc.columns(['project_id', 'name']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
        )
        .execute();
    },

    async deleteMetadata(id: number, name: string): Promise<void> {
      await db.deleteFrom('project_metadata').where('project_id', '=', id).where('name', '=', name).execute();
    },

    async repoCounts(ids: number[]): Promise<Map<number, number>> {
      const out = new Map<number, number>(ids.map((id) => [id, 0]));
      if (ids.length === 0) return out;
      const rows = await db
        .selectFrom('repositories')
        .select(['project_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('project_id', 'in', ids)
        .groupBy('project_id')
        .execute();
      for (const row of rows) if (row.project_id !== null) out.set(row.project_id, Number(row.n));
      return out;
    },

    /** How many repositories the projects that match `filter` hold (one query, no id list). */
    async repositoryCount(filter: ProjectFilter): Promise<number> {
      const row = await db
        .selectFrom('repositories as r')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('r.project_id', 'in', (eb) =>
          eb
            .selectFrom('projects as p')
            .select('p.id')
            .where((inner) => inner.and(filterConditions(inner as unknown as Eb, filter))),
        )
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The roles the user holds in each of the projects. */
    async rolesOf(userId: number, ids: number[]): Promise<Map<number, number[]>> {
      const out = new Map<number, number[]>(ids.map((id) => [id, []]));
      if (ids.length === 0) return out;
      const rows = await db
        .selectFrom('project_members')
        .select(['project_id', 'role'])
        .where('entity_type', '=', 'u')
        .where('entity_id', '=', userId)
        .where('project_id', 'in', ids)
        .execute();
      for (const row of rows) out.get(row.project_id)?.push(row.role);
      return out;
    },

    async memberCountsByRole(id: number): Promise<Map<number, number>> {
      const rows = await db
        .selectFrom('project_members')
        .select(['role', (eb) => eb.fn.countAll<number>().as('n')])
        .where('project_id', '=', id)
        .groupBy('role')
        .execute();
      return new Map(rows.map((r) => [r.role, Number(r.n)]));
    },

    /** The first system administrator: the owner of projects that robots create (Harbor does the same). */
    async firstSysadmin(): Promise<{ id: number; username: string } | undefined> {
      return db
        .selectFrom('users')
        .select(['id', 'username'])
        .where('sysadmin', '=', 1)
        .orderBy('id')
        .executeTakeFirst();
    },
  };
}

export type ProjectRepo = ReturnType<typeof createProjectRepo>;
