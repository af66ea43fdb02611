import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { JobService } from '../../jobs/index.js';
import { BerthError } from '../../shared/errors.js';
import type { ExecutionsRepo, ScanAllTrigger } from './executions.js';
import { ongoing, statsOf, type ScanAllStats } from './metrics.js';
import { stopRunScans } from './run-scans.js';
import { scanAllJobType, scanAllVendor, type PeriodicType, type ScheduleRequest } from './schedule.js';

// The use cases behind Harbor's scanAll API (handler/scan_all.go): the schedule on the job
// service's scheduler, a manual run now (one at a time), stopping the latest run with its
// scans, and the metrics of the latest manual or scheduled run.

/** Harbor's Schedule, as GET /system/scanAll/schedule answers it. */
export interface ScanAllSchedule {
  id: number;
  creation_time: string;
  update_time: string;
  schedule: { type: string; cron: string; next_scheduled_time: string };
}

export interface ScanAllServiceDeps {
  db: Kysely<Database>;
  executions: ExecutionsRepo;
  /** The job service, built after the features. */
  jobs: () => JobService;
  /** Whether a default scanner is registered: without one Harbor answers every call 412. */
  hasDefaultScanner: () => Promise<boolean>;
}

export function createScanAllService({ db, executions, jobs, hasDefaultScanner }: ScanAllServiceDeps) {
  const queue = () => jobs().queue;

  async function scheduleRow() {
    return db
      .selectFrom('schedules')
      .selectAll()
      .where('vendor_type', '=', scanAllVendor.type)
      .where('vendor_id', '=', scanAllVendor.id)
      .executeTakeFirst();
  }

  async function setSchedule(type: PeriodicType, cron: string): Promise<void> {
    await jobs().scheduler.upsert({
      vendorType: scanAllVendor.type,
      vendorId: scanAllVendor.id,
      cron,
      jobName: scanAllJobType,
      params: { trigger: 'SCHEDULE', schedule_type: type },
    });
  }

  /** Harbor's ScanAll(Manual): refused while the latest run goes on. */
  async function runNow(): Promise<number> {
    const latest = await executions.latest();
    if (latest && (await ongoing(executions, queue(), latest)))
      throw new BerthError('CONFLICT', `a previous scan all job already exists, its status is ${latest.status}`);
    const id = await executions.create('MANUAL');
    try {
      const job = await queue().enqueue(scanAllJobType, { trigger: 'MANUAL', executionId: id });
      await executions.attachJob(id, job.id);
    } catch (err) {
      await executions.finish(id, 'Error');
      throw err;
    }
    return id;
  }

  return {
    /** Harbor's requireScanEnabled, checked on every call. */
    async requireScanner(): Promise<void> {
      if (!(await hasDefaultScanner()))
        throw new BerthError('PRECONDITION', "no scanner is configured, it's not possible to scan");
    },

    /** The schedule, or {} when there is none (Harbor answers an empty body). */
    async schedule(): Promise<ScanAllSchedule | Record<string, never>> {
      const row = await scheduleRow();
      if (!row) return {};
      const params = JSON.parse(row.params) as { schedule_type?: string };
      return {
        id: row.id,
        creation_time: row.creation_time,
        update_time: row.update_time,
        schedule: { type: params.schedule_type ?? 'Custom', cron: row.cron, next_scheduled_time: row.next_run_at },
      };
    },

    /** POST: Manual runs now, None does nothing, a periodic type is set unless one is set already (412). */
    async create(request: ScheduleRequest): Promise<number | undefined> {
      if (request.type === 'None') return undefined;
      if (request.type === 'Manual') return runNow();
      if (await scheduleRow())
        throw new BerthError(
          'PRECONDITION',
          'fail to set schedule for scan all as always had one, please delete it firstly then to re-schedule',
        );
      await setSchedule(request.type, request.cron);
      return undefined;
    },

    /** PUT: None removes the schedule, a periodic type replaces it; Manual is a 400. */
    async update(request: ScheduleRequest): Promise<void> {
      if (request.type === 'Manual')
        throw new BerthError('BAD_REQUEST', 'fail to update scan all schedule as wrong schedule type: Manual');
      if (request.type === 'None') await jobs().scheduler.remove(scanAllVendor.type, scanAllVendor.id);
      else await setSchedule(request.type, request.cron);
    },

    /** Stops the latest run: its walk and the scans it started that have not ended. */
    async stop(): Promise<void> {
      const latest = await executions.latest();
      if (!latest) throw new BerthError('BAD_REQUEST', 'no scan all job is found currently');
      await executions.requestStop(latest.id);
      if (latest.job_id) await queue().stop(latest.job_id);
      await stopRunScans(executions, queue(), latest.id);
      // A walk stopped before it started never records it.
      if (latest.status === 'Pending') await executions.finish(latest.id, 'Stopped');
    },

    /** The metrics of the latest run, or of the latest run of one trigger. */
    async metrics(trigger?: ScanAllTrigger): Promise<ScanAllStats> {
      return statsOf(executions, queue(), await executions.latest(trigger));
    },
  };
}

export type ScanAllService = ReturnType<typeof createScanAllService>;
