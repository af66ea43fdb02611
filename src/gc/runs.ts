import { sql, type Kysely } from 'kysely';
import type { Database, GcRunRow } from '../db/index.js';
import type { Clock } from '../shared/clock.js';
import type { GcProgress } from '../registry/index.js';
import { gcJobType, type GcParameters, type GcTrigger } from './params.js';

// The history of runs (Harbor's GC executions): one row per run, its counters kept up to
// date while it runs, its status recorded when it ends.

export type GcStatus = 'Pending' | 'Running' | 'Success' | 'Error' | 'Stopped';

const finalStatuses: ReadonlySet<string> = new Set(['Success', 'Error', 'Stopped']);

export function isFinal(status: string): boolean {
  return finalStatuses.has(status);
}

/** What the history may be filtered and sorted by (Harbor's q and sort on GC executions). */
export interface GcRunQuery {
  status?: string;
  kind?: string;
  sort?: { column: 'id' | 'creation_time' | 'update_time'; descending: boolean };
}

export function createRunsRepo(db: Kysely<Database>, clock: Clock) {
  const now = () => clock.now().toISOString();
  function filtered(query: GcRunQuery) {
    let select = db.selectFrom('gc_runs');
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
    return select;
  }
  return {
    async create(kind: GcTrigger, parameters: GcParameters, status: GcStatus, executionId?: string): Promise<number> {
      const row = await db
        .insertInto('gc_runs')
        .values({
          execution_id: executionId ?? null,
          kind,
          parameters: JSON.stringify(parameters),
          status,
          log: executionId === undefined ? '' : null,
          creation_time: now(),
          update_time: now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    /** The row of a job execution, created on its first attempt (retries find it). */
    async forExecution(executionId: string, kind: GcTrigger, parameters: GcParameters): Promise<number> {
      await db
        .insertInto('gc_runs')
        .values({
          execution_id: executionId,
          kind,
          parameters: JSON.stringify(parameters),
          status: 'Pending',
          log: null,
          creation_time: now(),
          update_time: now(),
        })
        .onConflict((oc) => oc.column('execution_id').doNothing())
        .execute();
      const row = await db
        .selectFrom('gc_runs')
        .select('id')
        .where('execution_id', '=', executionId)
        .executeTakeFirstOrThrow();
      return row.id;
    },

    findByExecution: (executionId: string): Promise<GcRunRow | undefined> =>
      db.selectFrom('gc_runs').selectAll().where('execution_id', '=', executionId).executeTakeFirst(),

    async attachExecution(id: number, executionId: string): Promise<void> {
      await db.updateTable('gc_runs').set({ execution_id: executionId }).where('id', '=', id).execute();
    },

    get: (id: number): Promise<GcRunRow | undefined> =>
      db.selectFrom('gc_runs').selectAll().where('id', '=', id).executeTakeFirst(),

    /** Newest first unless `query.sort` says otherwise; ties by id in the same direction. */
    list(query: GcRunQuery, offset: number, limit: number): Promise<GcRunRow[]> {
      const direction = query.sort?.descending === false ? 'asc' : 'desc';
      return filtered(query)
        .selectAll()
        .orderBy(query.sort?.column ?? 'id', direction)
        .orderBy('id', direction)
        .limit(limit)
        .offset(offset)
        .execute();
    },

    async count(query: GcRunQuery = {}): Promise<number> {
      const row = await filtered(query)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Runs not recorded as finished: the candidates for "one is already going on". */
    unfinished: (): Promise<GcRunRow[]> =>
      db.selectFrom('gc_runs').selectAll().where('status', 'in', ['Pending', 'Running']).orderBy('id').execute(),

    async setStatus(id: number, status: GcStatus): Promise<void> {
      await db.updateTable('gc_runs').set({ status, update_time: now() }).where('id', '=', id).execute();
    },

    /** Records a final status unless one is recorded already (the first word wins). */
    async finish(id: number, status: GcStatus): Promise<void> {
      await db
        .updateTable('gc_runs')
        .set({ status, update_time: now() })
        .where('id', '=', id)
        .where('status', 'in', ['Pending', 'Running'])
        .execute();
    },

    /** The run's counters, and lines to add to its log (a `berth gc` run's). */
    async saveProgress(id: number, p: GcProgress | undefined, logLines: string[] = []): Promise<void> {
      const text = logLines.map((line) => `${line}\n`).join('');
      if (!p && !text) return;
      await db
        .updateTable('gc_runs')
        .set({
          ...(p
            ? {
                blobs_marked: p.blobsMarked,
                blobs_total: p.blobsTotal,
                blobs_swept: p.blobsSwept,
                manifests_deleted: p.manifestsDeleted,
                freed_bytes: p.freedBytes,
              }
            : {}),
          update_time: now(),
          ...(text ? { log: sql<string>`COALESCE(log, '') || ${text}` } : {}),
        })
        .where('id', '=', id)
        .execute();
    },

    async requestStop(id: number): Promise<void> {
      await db.updateTable('gc_runs').set({ stop_requested: 1 }).where('id', '=', id).execute();
    },

    async stopRequested(id: number): Promise<boolean> {
      const row = await db.selectFrom('gc_runs').select('stop_requested').where('id', '=', id).executeTakeFirst();
      return row?.stop_requested === 1;
    },

    /** The GC schedule (the job service's schedule of this job type), if there is one. */
    schedule: () => db.selectFrom('schedules').selectAll().where('vendor_type', '=', gcJobType).executeTakeFirst(),
  };
}

export type RunsRepo = ReturnType<typeof createRunsRepo>;
