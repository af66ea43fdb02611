import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { containsIgnoringCase } from '../../db/index.js';

// SQL for project members. Only user members ('u') exist until user groups do.

export interface MemberRow {
  id: number;
  project_id: number;
  entity_id: number;
  entity_type: string;
  entity_name: string;
  role: number;
}

export function createMemberRepo(db: Kysely<Database>) {
  const selectMembers = (projectId: number, entityName?: string) => {
    let query = db
      .selectFrom('project_members as m')
      .innerJoin('users as u', (join) => join.onRef('u.id', '=', 'm.entity_id').on('m.entity_type', '=', 'u'))
      .where('m.project_id', '=', projectId);
    // Harbor matches entityname as a substring.
    if (entityName) query = query.where(containsIgnoringCase(sql.ref('u.username'), entityName));
    return query;
  };

  return {
    async count(projectId: number, entityName?: string): Promise<number> {
      const row = await selectMembers(projectId, entityName)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    list(projectId: number, entityName: string | undefined, limit: number, offset: number): Promise<MemberRow[]> {
      return selectMembers(projectId, entityName)
        .select(['m.id', 'm.project_id', 'm.entity_id', 'm.entity_type', 'u.username as entity_name', 'm.role'])
        .orderBy('m.id')
        .limit(limit)
        .offset(offset)
        .execute();
    },

    get(projectId: number, id: number): Promise<MemberRow | undefined> {
      return selectMembers(projectId)
        .select(['m.id', 'm.project_id', 'm.entity_id', 'm.entity_type', 'u.username as entity_name', 'm.role'])
        .where('m.id', '=', id)
        .executeTakeFirst();
    },

    async insert(input: { projectId: number; userId: number; role: number; now: string }): Promise<number | undefined> {
      const row = await db
        .insertInto('project_members')
        .values({
          project_id: input.projectId,
          entity_id: input.userId,
          entity_type: 'u',
          role: input.role,
          creation_time: input.now,
          update_time: input.now,
        })
        .onConflict((oc) => oc.columns(['project_id', 'entity_id', 'entity_type']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row?.id;
    },

    async updateRole(projectId: number, id: number, role: number, now: string): Promise<void> {
      await db
        .updateTable('project_members')
        .set({ role, update_time: now })
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .execute();
    },

    async remove(projectId: number, id: number): Promise<void> {
      await db.deleteFrom('project_members').where('project_id', '=', projectId).where('id', '=', id).execute();
    },

    userById(id: number): Promise<{ id: number; username: string } | undefined> {
      return db.selectFrom('users').select(['id', 'username']).where('id', '=', id).executeTakeFirst();
    },

    userByName(username: string): Promise<{ id: number; username: string } | undefined> {
      return db.selectFrom('users').select(['id', 'username']).where('username', '=', username).executeTakeFirst();
    },
  };
}
