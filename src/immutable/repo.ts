import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { ImmutableRule, RuleFilter } from './rules.js';

// Immutability rules in the database: the rule's JSON (without id and switch) and its switch.

interface Row {
  id: number;
  disabled: number;
  tag_filter: string;
}

function toRule(row: Row): ImmutableRule {
  return { id: row.id, disabled: Boolean(row.disabled), ...(JSON.parse(row.tag_filter) as RuleFilter) };
}

export function createImmutableRepo(db: Kysely<Database>) {
  async function list(projectId: number, page?: { limit: number; offset: number }): Promise<ImmutableRule[]> {
    let query = db
      .selectFrom('immutable_rules')
      .select(['id', 'disabled', 'tag_filter'])
      .where('project_id', '=', projectId)
      .orderBy('id');
    if (page) query = query.limit(page.limit).offset(page.offset);
    return (await query.execute()).map(toRule);
  }

  return {
    list,

    async count(projectId: number): Promise<number> {
      const row = await db
        .selectFrom('immutable_rules')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', projectId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The enabled and disabled rules of the project named `project`, with its id; undefined when there is no such project. */
    async ofProjectName(project: string): Promise<{ projectId: number; rules: ImmutableRule[] } | undefined> {
      const found = await db.selectFrom('projects').select('id').where('name', '=', project).executeTakeFirst();
      if (!found) return undefined;
      return { projectId: found.id, rules: await list(found.id) };
    },

    async get(projectId: number, id: number): Promise<ImmutableRule | undefined> {
      const row = await db
        .selectFrom('immutable_rules')
        .select(['id', 'disabled', 'tag_filter'])
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toRule(row);
    },

    /** The new rule's id; 'duplicate' when the project has the same rule, 'full' at `max` rules. */
    async create(
      projectId: number,
      filter: RuleFilter,
      disabled: boolean,
      now: string,
      max: number,
    ): Promise<number | 'duplicate' | 'full'> {
      return db.transaction().execute(async (trx) => {
        const { n } = await trx
          .selectFrom('immutable_rules')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('project_id', '=', projectId)
          .executeTakeFirstOrThrow();
        if (Number(n) >= max) return 'full';
        const row = await trx
          .insertInto('immutable_rules')
          .values({
            project_id: projectId,
            priority: filter.priority,
            disabled: disabled ? 1 : 0,
            tag_filter: JSON.stringify(filter),
            creation_time: now,
            update_time: now,
          })
          .onConflict((oc) => oc.columns(['project_id', 'tag_filter']).doNothing())
          .returning('id')
          .executeTakeFirst();
        return row?.id ?? 'duplicate';
      });
    },

    async update(
      projectId: number,
      id: number,
      filter: RuleFilter,
      disabled: boolean,
      now: string,
    ): Promise<'updated' | 'missing' | 'duplicate'> {
      const tagFilter = JSON.stringify(filter);
      return db.transaction().execute(async (trx) => {
        const same = await trx
          .selectFrom('immutable_rules')
          .select('id')
          .where('project_id', '=', projectId)
          .where('tag_filter', '=', tagFilter)
          .where('id', '!=', id)
          .executeTakeFirst();
        if (same) return 'duplicate';
        const result = await trx
          .updateTable('immutable_rules')
          .set({ priority: filter.priority, disabled: disabled ? 1 : 0, tag_filter: tagFilter, update_time: now })
          .where('project_id', '=', projectId)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0 ? 'updated' : 'missing';
      });
    },

    async delete(projectId: number, id: number): Promise<boolean> {
      const result = await db
        .deleteFrom('immutable_rules')
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type ImmutableRepo = ReturnType<typeof createImmutableRepo>;
