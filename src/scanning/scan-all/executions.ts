import type { Kysely, Selectable } from 'kysely';
import type { Database, ScanAllExecutionsTable } from '../../db/index.js';
import type { Clock } from '../../shared/clock.js';
import { isFinal, type ScanStatus } from '../scans/repo.js';
import type { StartedScan } from '../scans/service.js';

// Scan-all runs in the database (Harbor's SCAN_ALL executions and their tasks): the run's own
// row, and the scan reports it started. A report's status is read live from scan_reports and
// copied here ("settled") whenever it is read, because a later scan of the same digest
// replaces the report row; a report gone before it was settled is asked of its job instead.

export type ExecutionRow = Selectable<ScanAllExecutionsTable>;
export type ScanAllTrigger = 'MANUAL' | 'SCHEDULE';

export const scanStatuses: readonly ScanStatus[] = ['Pending', 'Running', 'Success', 'Error', 'Stopped'];

/** The status of a scan job by its id (the job service's word), for reports no longer stored. */
export type JobStatusOf = (jobId: string) => Promise<ScanStatus | undefined>;

export function createExecutionsRepo(db: Kysely<Database>, clock: Clock) {
  const now = () => clock.now().toISOString();

  /** Copies the live status of the run's unfinished reports; returns those still unfinished. */
  async function settle(executionId: number, jobStatusOf: JobStatusOf) {
    const rows = await db
      .selectFrom('scan_all_reports as a')
      .leftJoin('scan_reports as r', 'r.uuid', 'a.report_uuid')
      .select(['a.report_uuid', 'a.job_id', 'a.status', 'r.status as live'])
      .where('a.execution_id', '=', executionId)
      .where('a.status', 'in', ['Pending', 'Running'])
      .execute();
    const unfinished: { reportUuid: string; jobId: string | null; status: string }[] = [];
    for (const row of rows) {
      // A report replaced before it was settled had ended (only ended ones are replaced); its job knows how.
      const status = row.live ?? (row.job_id ? await jobStatusOf(row.job_id) : undefined) ?? 'Error';
      if (status !== row.status)
        await db
          .updateTable('scan_all_reports')
          .set({ status })
          .where('execution_id', '=', executionId)
          .where('report_uuid', '=', row.report_uuid)
          .execute();
      if (!isFinal(status)) unfinished.push({ reportUuid: row.report_uuid, jobId: row.job_id, status });
    }
    return unfinished;
  }

  return {
    settle,

    /** A manual run's row, made before its job is queued. */
    async create(trigger: ScanAllTrigger): Promise<number> {
      const row = await db
        .insertInto('scan_all_executions')
        .values({ job_id: null, trigger, status: 'Pending', creation_time: now(), update_time: now(), end_time: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    async attachJob(id: number, jobId: string): Promise<void> {
      await db.updateTable('scan_all_executions').set({ job_id: jobId }).where('id', '=', id).execute();
    },

    /** The row of a scheduled firing's job, made on its first attempt (retries find it). */
    async forJob(jobId: string, trigger: ScanAllTrigger): Promise<ExecutionRow> {
      await db
        .insertInto('scan_all_executions')
        .values({ job_id: jobId, trigger, status: 'Pending', creation_time: now(), update_time: now(), end_time: null })
        .onConflict((oc) => oc.column('job_id').doNothing())
        .execute();
      return db.selectFrom('scan_all_executions').selectAll().where('job_id', '=', jobId).executeTakeFirstOrThrow();
    },

    get: (id: number): Promise<ExecutionRow | undefined> =>
      db.selectFrom('scan_all_executions').selectAll().where('id', '=', id).executeTakeFirst(),

    byJob: (jobId: string): Promise<ExecutionRow | undefined> =>
      db.selectFrom('scan_all_executions').selectAll().where('job_id', '=', jobId).executeTakeFirst(),

    /** The latest run, of one trigger or of any. */
    latest(trigger?: ScanAllTrigger): Promise<ExecutionRow | undefined> {
      let query = db.selectFrom('scan_all_executions').selectAll();
      if (trigger) query = query.where('trigger', '=', trigger);
      return query.orderBy('id', 'desc').limit(1).executeTakeFirst();
    },

    async setStatus(id: number, status: ScanStatus): Promise<void> {
      await db.updateTable('scan_all_executions').set({ status, update_time: now() }).where('id', '=', id).execute();
    },

    /** Records the walk's final status unless one is recorded already (the first word wins). */
    async finish(id: number, status: ScanStatus): Promise<void> {
      await db
        .updateTable('scan_all_executions')
        .set({ status, update_time: now(), end_time: now() })
        .where('id', '=', id)
        .where('status', 'in', ['Pending', 'Running'])
        .execute();
    },

    /** One artifact walked: the scans it started, and what became of it. */
    async walked(
      id: number,
      artifactId: number,
      outcome: { started: StartedScan[]; skipped: boolean; failed: boolean },
    ): Promise<void> {
      await db.transaction().execute(async (trx) => {
        if (outcome.started.length > 0)
          await trx
            .insertInto('scan_all_reports')
            .values(
              outcome.started.map((s) => ({
                execution_id: id,
                report_uuid: s.reportUuid,
                job_id: s.jobId,
                status: 'Pending',
              })),
            )
            .onConflict((oc) => oc.columns(['execution_id', 'report_uuid']).doNothing())
            .execute();
        await trx
          .updateTable('scan_all_executions')
          .set((eb) => ({
            last_artifact_id: artifactId,
            artifacts: eb('artifacts', '+', 1),
            skipped: eb('skipped', '+', outcome.skipped ? 1 : 0),
            failed: eb('failed', '+', outcome.failed ? 1 : 0),
            update_time: now(),
          }))
          .where('id', '=', id)
          .execute();
      });
    },

    /** Reports of the run by status (settled first): Harbor's Stats metrics. */
    async statusCounts(id: number, jobStatusOf: JobStatusOf): Promise<Record<ScanStatus, number>> {
      await settle(id, jobStatusOf);
      const rows = await db
        .selectFrom('scan_all_reports')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('execution_id', '=', id)
        .groupBy('status')
        .execute();
      const counts = Object.fromEntries(scanStatuses.map((s) => [s, 0])) as Record<ScanStatus, number>;
      for (const row of rows) if (row.status in counts) counts[row.status as ScanStatus] += Number(row.n);
      return counts;
    },

    /** Marks a report stopped unless its scan ended first (settle copies it to the run). */
    async stopReport(reportUuid: string): Promise<void> {
      await db
        .updateTable('scan_reports')
        .set({ status: 'Stopped', end_time: now() })
        .where('uuid', '=', reportUuid)
        .where('status', 'in', ['Pending', 'Running'])
        .execute();
    },

    async requestStop(id: number): Promise<void> {
      await db.updateTable('scan_all_executions').set({ stop_requested: 1 }).where('id', '=', id).execute();
    },

    async stopRequested(id: number): Promise<boolean> {
      const row = await db
        .selectFrom('scan_all_executions')
        .select('stop_requested')
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.stop_requested === 1;
    },
  };
}

export type ExecutionsRepo = ReturnType<typeof createExecutionsRepo>;
