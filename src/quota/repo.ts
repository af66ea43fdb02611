import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/index.js';

// The SQL of project quotas: the `quotas` table (hard limits) read with project_storage (usage,
// kept by the registry) and the project's name and owner, as Harbor's Quota object shows them.

type Executor = Kysely<Database> | Transaction<Database>;

/** A quota row with what Harbor's Quota object shows of its project. */
export interface QuotaRow {
  id: number;
  projectId: number;
  project: string;
  ownerName: string;
  hard: number;
  used: number;
  creationTime: string;
  updateTime: string;
}

export type QuotaSortKey = 'creation_time' | 'update_time' | 'hard.storage' | 'used.storage';

export interface QuotaListQuery {
  /** Only this project's quota. */
  projectId?: number;
  sort: { key: QuotaSortKey; desc: boolean };
  limit: number;
  offset: number;
}

/** Unlimited (-1) sorts above every limit, as Harbor casts it to the largest int64. */
const hardForSorting = sql<number>`CASE WHEN q.hard_storage = -1 THEN 9223372036854775807 ELSE q.hard_storage END`;
const usedForSorting = sql<number>`COALESCE(s.used, 0)`;

function selectQuotas(db: Executor) {
  return db
    .selectFrom('quotas as q')
    .innerJoin('projects as p', 'p.id', 'q.project_id')
    .leftJoin('users as u', 'u.id', 'p.owner_id')
    .leftJoin('project_storage as s', 's.project_id', 'q.project_id')
    .select([
      'q.id',
      'q.project_id',
      'p.name',
      'u.username',
      'q.hard_storage',
      's.used',
      'q.creation_time',
      'q.update_time',
    ]);
}

type Selected = Awaited<ReturnType<ReturnType<typeof selectQuotas>['executeTakeFirstOrThrow']>>;

function rowOf(row: Selected): QuotaRow {
  return {
    id: row.id,
    projectId: row.project_id,
    project: row.name,
    ownerName: row.username ?? '',
    hard: Number(row.hard_storage),
    used: Number(row.used ?? 0),
    creationTime: row.creation_time,
    updateTime: row.update_time,
  };
}

export function createQuotaRepo(db: Kysely<Database>) {
  return {
    /** The project's hard limit, or undefined when it has no quota row yet. */
    async hardOf(projectId: number, ex: Executor = db): Promise<number | undefined> {
      const row = await ex
        .selectFrom('quotas')
        .select('hard_storage')
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return row && Number(row.hard_storage);
    },

    /** Gives the project a quota of `hard` unless it has one. */
    async ensure(ex: Executor, projectId: number, hard: number, now: string): Promise<void> {
      await ex
        .insertInto('quotas')
        .values({ project_id: projectId, hard_storage: hard, creation_time: now, update_time: now })
        .onConflict((oc) => oc.column('project_id').doNothing())
        .execute();
    },

    /** Gives every project without a quota row the default one (projects older than quotas, or not yet seen). */
    async ensureAll(hard: number, now: string): Promise<void> {
      const missing = await db
        .selectFrom('projects as p')
        .leftJoin('quotas as q', 'q.project_id', 'p.id')
        .select('p.id')
        .where('q.id', 'is', null)
        .execute();
      for (const { id } of missing) await this.ensure(db, id, hard, now);
    },

    async count(projectId?: number): Promise<number> {
      let query = db
        .selectFrom('quotas as q')
        .innerJoin('projects as p', 'p.id', 'q.project_id')
        .select((eb) => eb.fn.countAll<number | string>().as('n'));
      if (projectId !== undefined) query = query.where('q.project_id', '=', projectId);
      const row = await query.executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async list(query: QuotaListQuery): Promise<QuotaRow[]> {
      let select = selectQuotas(db);
      if (query.projectId !== undefined) select = select.where('q.project_id', '=', query.projectId);
      const direction = query.sort.desc ? 'desc' : 'asc';
      const column = {
        creation_time: sql<string>`q.creation_time`,
        update_time: sql<string>`q.update_time`,
        'hard.storage': hardForSorting,
        'used.storage': usedForSorting,
      }[query.sort.key];
      const rows = await select
        .orderBy(column, direction)
        .orderBy('q.id', direction)
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      return rows.map(rowOf);
    },

    async byId(id: number): Promise<QuotaRow | undefined> {
      const row = await selectQuotas(db).where('q.id', '=', id).executeTakeFirst();
      return row && rowOf(row);
    },

    async byProject(projectId: number): Promise<QuotaRow | undefined> {
      const row = await selectQuotas(db).where('q.project_id', '=', projectId).executeTakeFirst();
      return row && rowOf(row);
    },

    /** Sets the hard limit; false when no quota has that id. */
    async updateHard(id: number, hard: number, now: string): Promise<boolean> {
      const result = await db
        .updateTable('quotas')
        .set({ hard_storage: hard, update_time: now })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

export type QuotaRepo = ReturnType<typeof createQuotaRepo>;
