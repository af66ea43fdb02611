import type { NameMatch } from '../actor.js';
import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import { type Database, type RobotsTable, containsIgnoringCase } from '../../db/index.js';

// SQL for robot accounts. A project robot's row carries its bare name and project id;
// the project's name is joined in to build `robot$<project>+<name>`.

export type RobotRow = Selectable<RobotsTable> & { project_name: string | null };

export interface RobotFilter {
  level: 'system' | 'project';
  /** Required for level project. */
  projectId?: number;
  /** Harbor's `name` term: exact, fuzzy (`~`) or any of a list. */
  name?: NameMatch;
}

export type { NameMatch } from '../actor.js';

export interface RobotListing {
  offset: number;
  limit: number;
  sort: { column: RobotSortColumn; desc: boolean }[];
}

export const robotSortColumns = ['id', 'name', 'creation_time', 'update_time', 'expires_at', 'duration'] as const;
export type RobotSortColumn = (typeof robotSortColumns)[number];

export function createRobotRepo(db: Kysely<Database>) {
  function base() {
    return db
      .selectFrom('robots as r')
      .leftJoin('projects as p', 'p.id', 'r.project_id')
      .selectAll('r')
      .select('p.name as project_name');
  }

  function filtered(filter: RobotFilter) {
    let query = base().where('r.level', '=', filter.level);
    if (filter.level === 'project') query = query.where('r.project_id', '=', filter.projectId ?? -1);
    const term = filter.name;
    if (term?.kind === 'exact') query = query.where('r.name', '=', term.value);
    else if (term?.kind === 'fuzzy') query = query.where(containsIgnoringCase(sql.ref('r.name'), term.value));
    else if (term?.kind === 'any') query = query.where('r.name', 'in', term.values.length > 0 ? term.values : ['']);
    return query;
  }

  return {
    async byId(id: number): Promise<RobotRow | undefined> {
      return base().where('r.id', '=', id).executeTakeFirst();
    },

    async byName(name: string, projectId: number): Promise<RobotRow | undefined> {
      return base().where('r.name', '=', name).where('r.project_id', '=', projectId).executeTakeFirst();
    },

    async list(filter: RobotFilter, listing: RobotListing): Promise<{ rows: RobotRow[]; total: number }> {
      const counted = await filtered(filter)
        .clearSelect()
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      let query = filtered(filter);
      for (const { column, desc } of listing.sort) query = query.orderBy(`r.${column}`, desc ? 'desc' : 'asc');
      // Harbor's default order: newest first.
      if (listing.sort.length === 0) query = query.orderBy('r.creation_time', 'desc');
      const rows = await query.orderBy('r.id', 'desc').limit(listing.limit).offset(listing.offset).execute();
      return { rows, total: Number(counted.n) };
    },

    async insert(values: Omit<Selectable<RobotsTable>, 'id'>): Promise<number> {
      const row = await db.insertInto('robots').values(values).returning('id').executeTakeFirstOrThrow();
      return row.id;
    },

    async update(id: number, values: Updateable<RobotsTable>): Promise<void> {
      await db.updateTable('robots').set(values).where('id', '=', id).execute();
    },

    async delete(id: number): Promise<boolean> {
      const result = await db.deleteFrom('robots').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** Whether the user is a project admin (role 1) of at least one project. */
    async isProjectAdminSomewhere(userId: number): Promise<boolean> {
      const row = await db
        .selectFrom('project_members')
        .select('id')
        .where('entity_type', '=', 'u')
        .where('entity_id', '=', userId)
        .where('role', '=', 1)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type RobotRepo = ReturnType<typeof createRobotRepo>;
