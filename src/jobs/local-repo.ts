import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { JobParams } from './job.js';
import type { ExecutionStatus, JobExecution, WorkerPool } from './queue.js';
import type { JobExecutionRow } from '../db/index.js';

// SQL of the local queue. Claims are conditional updates, so several processes
// sharing one database never run the same job twice.

export function createLocalQueueRepo(db: Kysely<Database>) {
  return {
    async insert(name: string, params: JobParams, maxFails: number, runAt: string, now: string): Promise<number> {
      const row = await db
        .insertInto('job_executions')
        .values({
          job_name: name,
          params: JSON.stringify(params),
          status: 'pending',
          max_fails: maxFails,
          run_at: runAt,
          creation_time: now,
          error: null,
          pool_id: null,
          heartbeat_at: null,
          start_time: null,
          end_time: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    async get(id: number): Promise<JobExecutionRow | undefined> {
      return db.selectFrom('job_executions').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Due pending jobs of the given types, oldest first. */
    async due(names: string[], now: string, limit: number): Promise<{ id: number; name: string }[]> {
      if (names.length === 0 || limit <= 0) return [];
      const rows = await db
        .selectFrom('job_executions')
        .select(['id', 'job_name'])
        .where('status', '=', 'pending')
        .where('run_at', '<=', now)
        .where('job_name', 'in', names)
        .orderBy('run_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, name: r.job_name }));
    },

    /** Takes a pending job for a pool; false when another worker took it first. */
    async claim(id: number, poolId: string, now: string): Promise<boolean> {
      const result = await db
        .updateTable('job_executions')
        .set((eb) => ({
          status: 'running',
          pool_id: poolId,
          attempts: eb('attempts', '+', 1),
          heartbeat_at: now,
          start_time: now,
        }))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async finish(id: number, status: ExecutionStatus, error: string | null, now: string): Promise<void> {
      await db
        .updateTable('job_executions')
        .set({ status, error, pool_id: null, end_time: now, heartbeat_at: null })
        .where('id', '=', id)
        .execute();
    },

    /** Back to pending, to run again at `runAt` (a retry, or a job whose worker went away). */
    async requeue(id: number, runAt: string, error: string | null, countAttempt: boolean): Promise<void> {
      await db
        .updateTable('job_executions')
        .set((eb) => ({
          status: 'pending',
          run_at: runAt,
          error,
          pool_id: null,
          heartbeat_at: null,
          attempts: countAttempt ? eb('attempts', '+', 0) : eb('attempts', '-', 1),
        }))
        .where('id', '=', id)
        .where('status', '=', 'running')
        .execute();
    },

    async setProgress(id: number, done: number, total: number): Promise<void> {
      await db
        .updateTable('job_executions')
        .set({ progress_done: done, progress_total: total })
        .where('id', '=', id)
        .execute();
    },

    /** Appends log lines in order, a hundred rows per INSERT (a job may log a line per item it handles). */
    async appendLog(id: number, lines: { level: string; message: string; time: string }[]): Promise<void> {
      for (let i = 0; i < lines.length; i += 100) {
        await db
          .insertInto('job_log_lines')
          .values(lines.slice(i, i + 100).map((line) => ({ execution_id: id, ...line })))
          .execute();
      }
    },

    async log(id: number): Promise<{ time: string; level: string; message: string }[]> {
      return db
        .selectFrom('job_log_lines')
        .select(['time', 'level', 'message'])
        .where('execution_id', '=', id)
        .orderBy('id')
        .execute();
    },

    /** Stops a pending job at once; a running one is flagged for its worker. */
    async stop(id: number, now: string): Promise<'stopped' | 'flagged' | 'final' | 'unknown'> {
      const pending = await db
        .updateTable('job_executions')
        .set({ status: 'stopped', end_time: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(pending.numUpdatedRows) === 1) return 'stopped';
      const running = await db
        .updateTable('job_executions')
        .set({ stop_requested: 1 })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(running.numUpdatedRows) === 1) return 'flagged';
      return (await this.get(id)) ? 'final' : 'unknown';
    },

    async stopPending(names: string[], now: string): Promise<void> {
      if (names.length === 0) return;
      await db
        .updateTable('job_executions')
        .set({ status: 'stopped', end_time: now })
        .where('status', '=', 'pending')
        .where('job_name', 'in', names)
        .execute();
    },

    /** Running jobs of this pool whose stop was requested (by any replica). */
    async stopRequested(poolId: string): Promise<number[]> {
      const rows = await db
        .selectFrom('job_executions')
        .select('id')
        .where('pool_id', '=', poolId)
        .where('status', '=', 'running')
        .where('stop_requested', '=', 1)
        .execute();
      return rows.map((r) => r.id);
    },

    async heartbeat(poolId: string, ids: number[], now: string): Promise<void> {
      await db.updateTable('job_pools').set({ heartbeat_at: now }).where('id', '=', poolId).execute();
      if (ids.length > 0)
        await db
          .updateTable('job_executions')
          .set({ heartbeat_at: now })
          .where('id', 'in', ids)
          .where('status', '=', 'running')
          .execute();
    },

    /** Running jobs whose worker stopped beating (a crash): pending again, the lost attempt not counted. */
    async reclaimStale(before: string, now: string): Promise<number> {
      const result = await db
        .updateTable('job_executions')
        .set((eb) => ({
          status: 'pending',
          pool_id: null,
          heartbeat_at: null,
          run_at: now,
          attempts: eb('attempts', '-', 1),
        }))
        .where('status', '=', 'running')
        .where('heartbeat_at', '<', before)
        .executeTakeFirst();
      await db.deleteFrom('job_pools').where('heartbeat_at', '<', before).execute();
      return Number(result.numUpdatedRows);
    },

    async pendingByType(names: string[]): Promise<Map<string, { count: number; oldest: string }>> {
      if (names.length === 0) return new Map();
      const rows = await db
        .selectFrom('job_executions')
        .select((eb) => [
          'job_name',
          eb.fn.countAll<number>().as('count'),
          eb.fn.min<string>('creation_time').as('oldest'),
        ])
        .where('status', '=', 'pending')
        .where('job_name', 'in', names)
        .groupBy('job_name')
        .execute();
      return new Map(rows.map((r) => [r.job_name, { count: Number(r.count), oldest: r.oldest }]));
    },

    async pausedTypes(): Promise<Set<string>> {
      const rows = await db.selectFrom('job_queues').select('job_type').where('paused', '=', 1).execute();
      return new Set(rows.map((r) => r.job_type));
    },

    async setPaused(jobTypes: string[], paused: boolean): Promise<void> {
      for (const jobType of jobTypes) {
        await db
          .insertInto('job_queues')
          .values({ job_type: jobType, paused: paused ? 1 : 0 })
          .onConflict((oc) => oc.column('job_type').doUpdateSet({ paused: paused ? 1 : 0 }))
          .execute();
      }
    },

    async addPool(pool: WorkerPool): Promise<void> {
      await db
        .insertInto('job_pools')
        .values({
          id: pool.id,
          pid: pool.pid,
          host: pool.host,
          concurrency: pool.concurrency,
          start_time: pool.startedAt,
          heartbeat_at: pool.heartbeatAt,
        })
        .execute();
    },

    async removePool(poolId: string): Promise<void> {
      await db.deleteFrom('job_pools').where('id', '=', poolId).execute();
    },

    async pools(since: string): Promise<WorkerPool[]> {
      const rows = await db
        .selectFrom('job_pools')
        .selectAll()
        .where('heartbeat_at', '>=', since)
        .orderBy('start_time')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        pid: r.pid,
        host: r.host,
        concurrency: r.concurrency,
        startedAt: r.start_time,
        heartbeatAt: r.heartbeat_at,
      }));
    },

    async running(poolIds: string[]): Promise<JobExecutionRow[]> {
      if (poolIds.length === 0) return [];
      return db
        .selectFrom('job_executions')
        .selectAll()
        .where('status', '=', 'running')
        .where('pool_id', 'in', poolIds)
        .orderBy('id')
        .execute();
    },
  };
}

export type LocalQueueRepo = ReturnType<typeof createLocalQueueRepo>;

export function toExecution(row: JobExecutionRow): JobExecution {
  return {
    id: String(row.id),
    name: row.job_name,
    params: JSON.parse(row.params) as JobParams,
    status: row.status as ExecutionStatus,
    attempts: row.attempts,
    progress: { done: row.progress_done, total: row.progress_total },
    ...(row.error ? { error: row.error } : {}),
    createdAt: row.creation_time,
    ...(row.start_time ? { startedAt: row.start_time } : {}),
    ...(row.end_time ? { finishedAt: row.end_time } : {}),
  };
}
