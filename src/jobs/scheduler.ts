import type { Kysely } from 'kysely';
import { Cron } from 'croner';
import type { Database } from '../db/index.js';
import { BerthError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { JobParams } from './job.js';
import type { JobQueue } from './queue.js';
import type { ScheduleRow } from '../db/index.js';

// Cron schedules in the database. Every jobservice replica ticks; a due schedule is
// claimed by moving its next_run_at with a conditional update, so exactly one replica
// enqueues each firing. Pausing is Harbor's "SCHEDULER" job type.

export const schedulerJobType = 'SCHEDULER';

export interface ScheduleSpec {
  vendorType: string;
  vendorId: number;
  /** Harbor's cron: six fields with seconds ("0 0 * * * *"), or the usual five. */
  cron: string;
  jobName: string;
  params: JobParams;
}

/**
 * The first time after `after` that `cron` names, in the process's time zone (as Harbor).
 * croner, not cron-parser: cron-parser's luxon and Intl time zones cost 18 MiB of RSS
 * for one computation, croner 4 MiB (docs/performance.md).
 */
export function nextRun(cron: string, after: Date): Date {
  let next: Date | null;
  try {
    next = new Cron(cron).nextRun(after);
  } catch (err) {
    throw new BerthError('BAD_REQUEST', `invalid cron "${cron}": ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!next) throw new BerthError('BAD_REQUEST', `cron "${cron}" never fires after ${after.toISOString()}`);
  return next;
}

export function createScheduler({
  db,
  queue,
  clock,
  logger,
}: {
  db: Kysely<Database>;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
}) {
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<number> | undefined;

  async function paused(): Promise<boolean> {
    const row = await db
      .selectFrom('job_queues')
      .select('paused')
      .where('job_type', '=', schedulerJobType)
      .executeTakeFirst();
    return row?.paused === 1;
  }

  /** Claims a due schedule for this replica; false when another replica fired it first. */
  async function claim(row: ScheduleRow, now: Date): Promise<boolean> {
    const result = await db
      .updateTable('schedules')
      .set({ next_run_at: nextRun(row.cron, now).toISOString(), last_run_at: now.toISOString() })
      .where('id', '=', row.id)
      .where('next_run_at', '=', row.next_run_at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Fires every due schedule once (a schedule missed while down fires once, not once per miss). */
  async function tick(): Promise<number> {
    if (await paused()) return 0;
    const now = clock.now();
    const due = await db
      .selectFrom('schedules')
      .selectAll()
      .where('next_run_at', '<=', now.toISOString())
      .orderBy('next_run_at')
      .execute();
    let fired = 0;
    for (const row of due) {
      if (!(await claim(row, now))) continue;
      try {
        const execution = await queue.enqueue(row.job_name, JSON.parse(row.params) as JobParams);
        logger.info(
          { schedule: row.id, job: row.job_name, slot: row.next_run_at, execution: execution.id },
          'schedule fired',
        );
        fired++;
      } catch (err) {
        logger.error({ err, schedule: row.id, job: row.job_name }, 'schedule could not enqueue its job');
      }
    }
    return fired;
  }

  return {
    tick: () => (ticking ??= tick().finally(() => (ticking = undefined))),

    /** Creates or updates the schedule of a vendor (one per vendor type and id); keeps its next run if the cron is unchanged. */
    async upsert(spec: ScheduleSpec): Promise<void> {
      const now = clock.now();
      const next = nextRun(spec.cron, now).toISOString();
      const existing = await db
        .selectFrom('schedules')
        .selectAll()
        .where('vendor_type', '=', spec.vendorType)
        .where('vendor_id', '=', spec.vendorId)
        .executeTakeFirst();
      const values = {
        cron: spec.cron,
        job_name: spec.jobName,
        params: JSON.stringify(spec.params),
        update_time: now.toISOString(),
      };
      if (!existing) {
        await db
          .insertInto('schedules')
          .values({
            vendor_type: spec.vendorType,
            vendor_id: spec.vendorId,
            next_run_at: next,
            last_run_at: null,
            creation_time: now.toISOString(),
            ...values,
          })
          .onConflict((oc) => oc.columns(['vendor_type', 'vendor_id']).doNothing())
          .execute();
      } else if (
        existing.cron !== spec.cron ||
        existing.job_name !== spec.jobName ||
        existing.params !== values.params
      ) {
        await db
          .updateTable('schedules')
          .set({ ...values, next_run_at: next })
          .where('id', '=', existing.id)
          .execute();
      }
    },

    async remove(vendorType: string, vendorId: number): Promise<void> {
      await db
        .deleteFrom('schedules')
        .where('vendor_type', '=', vendorType)
        .where('vendor_id', '=', vendorId)
        .execute();
    },

    async list(page: number, pageSize: number): Promise<{ total: number; rows: ScheduleRow[] }> {
      const total = await db
        .selectFrom('schedules')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const rows = await db
        .selectFrom('schedules')
        .selectAll()
        .orderBy('id')
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute();
      return { total: Number(total.n), rows };
    },

    paused,
    async setPaused(value: boolean): Promise<void> {
      await db
        .insertInto('job_queues')
        .values({ job_type: schedulerJobType, paused: value ? 1 : 0 })
        .onConflict((oc) => oc.column('job_type').doUpdateSet({ paused: value ? 1 : 0 }))
        .execute();
    },

    start(intervalMs = 10_000): void {
      if (timer) return;
      timer = setInterval(
        () => void this.tick().catch((err: unknown) => logger.error({ err }, 'scheduler tick failed')),
        intervalMs,
      );
    },

    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await ticking;
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
